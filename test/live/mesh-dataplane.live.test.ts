// Real sidecars in the local dataplane's pods (`lab up --backend local`, sidecars by default once
// the mesh tools are built): the real istiod as a pod, and every meshed pod with pilot-agent +
// upstream Envoy and istio-iptables, on real packets through Felix and kube-proxy.
// 1. `lab check --backend local` judges the whole catalogue (plus the L3/4 additions) from every
//    client against the model with every layer present: observed = predicted for every probe, and
//    for every 403 the RBAC policy the server's Envoy logged is the one the model names.
// 2. Each mesh layer is removed for real (what the stack renders with it off) and the catalogue
//    judged against the model with that layer ablated.
// 3. A few of the catalogue's probe kinds sent by hand, asserting what the server saw (XFCC).
// Hard gates throughout: every sidecar ready, no listener or cluster update rejected, istiod counts
// no rejection.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ISTIO_PROXY_UID } from "../../components/spec/labels";
import { inNetns } from "../../lab/local/dataplane/command";
import { podTable } from "../../lab/local/dataplane/dataplane";
import type { PodRecord } from "../../lab/local/dataplane/kubelet";
import { dataplanePrerequisites } from "../../lab/local/dataplane/node";
import { parseEnvoyXdsCounters, parseIstiodXdsRejects } from "../../lab/local/mesh/counters";
import { serverSideEntry, rbacDecision } from "../../lab/check/envoy-evidence";
import { localAblate, localSpecChange } from "../../lab/local/dataplane/live-changes";
import { ensureMeshCa, foreignCa, meshCaDir, mintWorkloadCertificate, spiffeId } from "../../lab/local/mesh/plugin-ca";
import { runDataplaneCheck } from "../../lab/local/dataplane/live-check";
import { predictCatalogueWithL34Additions } from "../../lab/model/platform";
import type { LiveCheckResult } from "../../lab/run/check";
import { childPidsNamed, pidFileOf, readPid, residentMiB } from "../../lab/local/processes";
import { locateTools } from "../../lab/tools/build";
import { labProbeEndpoints } from "../../lab/workloads/probe-endpoints";
import { ISTIOD_PORTS, SIDECAR_PORTS } from "../../lab/local/mesh/config";
import { builtMeshBinaries } from "../../lab/local/mesh/tools";
import { localPaths } from "../../lab/local/paths";
import { IMAGE_USERS } from "../../lab/workloads/images";
import { REPO } from "./live-lab";
import { useLiveLab } from "./local-lab";

interface Answer {
  code: string;
  exit: string;
  body: string;
}

describe("real sidecars in the local dataplane: STRICT mTLS and AuthorizationPolicies enforced by upstream Envoy", function () {
  this.timeout(40 * 60_000);
  before(async function () {
    const missing = (await dataplanePrerequisites()) ?? ((await builtMeshBinaries(REPO)).binaries ? undefined : "the mesh tools are not built (`npm run tools -- --group mesh`)");
    if (missing) {
      console.log(`      │ skipped: ${missing}`);
      this.skip();
    }
  });
  const lab = useLiveLab("ht-live-meshdp-", { mesh: "sidecars" });
  const pods = (): PodRecord[] => podTable(localPaths(lab().settings.labDir));
  const pod = (namespace: string, workload: string): PodRecord => {
    const found = pods().find((p) => p.namespace === namespace && p.name.startsWith(`${workload}-`));
    assert.ok(found, `a pod of ${namespace}/${workload}`);
    return found;
  };
  const tenantNs = (name: string) => lab().up.spec.tenants.find((t) => t.name === name)!.namespace;
  /** curl from a pod's network namespace as `uid`, the way the catalogue's probe script sends. */
  const curl = async (from: PodRecord, uid: number, url: string, extra: string[] = []): Promise<Answer> => {
    const result = await inNetns(from.netns, ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--", "curl", "-q", "-s", "--noproxy", "*", "-m", "5", ...extra, "-w", "\n%{http_code} %{exitcode}", url], { allowFailure: true });
    const lines = result.stdout.split("\n");
    const [code, exit] = (lines.pop() ?? "").split(" ");
    return { code, exit, body: lines.join("\n") };
  };
  const echoUrl = (tenant: string, path = "/") => `http://echo.${tenantNs(tenant)}.svc.cluster.local${path}`;
  const meshedPods = () => pods().filter((p) => p.daemons.some((d) => d.endsWith("_istio-proxy")));
  let coredns: string;
  let check: LiveCheckResult;
  before(async () => {
    coredns = `${(await locateTools(REPO)).layout.bin}/coredns`;
    console.log(`      │ lab up with ${meshedPods().length} sidecars and the real istiod: ${lab().upSeconds.toFixed(1)} s`);
    const started = Date.now();
    check = await runDataplaneCheck(lab().io, { spec: lab().up.spec, settings: lab().settings, corednsBinary: coredns, command: "check --backend local" });
    console.log(`      │ full live check through the sidecars: ${((Date.now() - started) / 1000).toFixed(1)} s, ${check.report.probes.length} probes, ${check.report.controlPlane.length} control-plane checks`);
  });

  /** Every sidecar's LDS/CDS counters, and istiod's NACK count: the hard gate of issue 15. */
  async function assertNoRejection(when: string): Promise<void> {
    for (const p of meshedPods()) {
      const stats = await inNetns(p.netns, ["curl", "-s", `http://127.0.0.1:${SIDECAR_PORTS.envoyAdmin}/stats?filter=update_(rejected|success)$`]);
      const counters = parseEnvoyXdsCounters(stats.stdout);
      assert.deepEqual([counters.ldsRejected, counters.cdsRejected], [0, 0], `${when}: ${p.namespace}/${p.name}`);
    }
    const istiod = pod(lab().up.spec.meshNamespace, "istiod");
    const metrics = await inNetns(istiod.netns, ["curl", "-s", `http://127.0.0.1:${ISTIOD_PORTS.monitoring}/metrics`]);
    assert.equal(parseIstiodXdsRejects(metrics.stdout), 0, `${when}: istiod pilot_total_xds_rejects`);
  }

  it("gives every meshed pod a ready sidecar that accepted all of istiod's configuration; istiod counts no rejection", async () => {
    const all = pods();
    const meshed = all.filter((p) => p.daemons.some((d) => d.endsWith("_istio-proxy")));
    const unmeshed = all.filter((p) => !meshed.includes(p)).map((p) => `${p.namespace}/${p.name.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, "")}`);
    assert.ok(meshed.length >= 3 * lab().up.spec.tenants.length, `${meshed.length} meshed pods`);
    assert.ok(unmeshed.every((p) => /\/(debug|istiod|coredns)$/.test(p)), `pods without a sidecar: ${unmeshed.join(", ")}`);
    for (const p of meshed) {
      const stats = await inNetns(p.netns, ["curl", "-s", `http://127.0.0.1:${SIDECAR_PORTS.envoyAdmin}/stats?filter=update_(rejected|success)$`]);
      const counters = parseEnvoyXdsCounters(stats.stdout);
      assert.deepEqual([counters.ldsRejected, counters.cdsRejected], [0, 0], `${p.namespace}/${p.name}`);
      assert.ok(counters.ldsAccepted > 0 && counters.cdsAccepted > 0, `${p.namespace}/${p.name} took listeners and clusters`);
    }
    const istiod = pod(lab().up.spec.meshNamespace, "istiod");
    const metrics = await inNetns(istiod.netns, ["curl", "-s", `http://127.0.0.1:${ISTIOD_PORTS.monitoring}/metrics`]);
    assert.equal(parseIstiodXdsRejects(metrics.stdout), 0);
    console.log(`      │ ${meshed.length} sidecars ready, 0 LDS/CDS rejects; istiod pilot_total_xds_rejects 0`);
    const paths = localPaths(lab().settings.labDir);
    const envoys = meshed.map((p) => childPidsNamed(readPid(pidFileOf(paths.pids, p.daemons.find((d) => d.endsWith("_istio-proxy"))!))!, "envoy")[0]);
    const rss = envoys.map((pid) => residentMiB(pid) ?? 0);
    const istiodPid = readPid(pidFileOf(paths.pids, istiod.daemons[0]))!;
    console.log(`      │ RSS: istiod ${residentMiB(istiodPid)?.toFixed(0)} MiB; each Envoy ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MiB (${rss.map((m) => m.toFixed(0)).join(", ")})`);
    assert.ok(rss.every((m) => m > 0), "every sidecar runs Envoy as pilot-agent's child");
  });

  it("judges the whole catalogue on real Envoys against the model with every layer present: every probe observed = predicted, no breach", () => {
    const expected = predictCatalogueWithL34Additions(lab().up.spec, { endpoints: labProbeEndpoints }).map((p) => p.probe.id).sort();
    assert.deepEqual(check.report.probes.map((p) => p.id).sort(), expected, "the whole catalogue ran, none skipped");
    const off = check.report.probes.filter((p) => p.status !== "pass" || p.observationMatchesPrediction !== true);
    assert.deepEqual(off.map((p) => `${p.id}: ${p.status} observed ${p.observed.observation}, predicted ${p.predicted?.observation}`), []);
    assert.equal(check.report.meshAbsent, undefined, "the mesh is present");
    assert.equal(check.exitCode, 0, check.report.reasons.join("; "));
    const observations = new Map<string, number>();
    for (const p of check.report.probes) observations.set(p.observed.observation, (observations.get(p.observed.observation) ?? 0) + 1);
    console.log(`      │ ${[...observations].map(([o, n]) => `${n} × ${o}`).join(", ")}`);
  });

  it("finds every 403 in the server's sidecar access log, denied by exactly the RBAC policy the model names", () => {
    const denied = check.report.probes.filter((p) => p.observed.httpCode === 403);
    assert.ok(denied.length > 0, "the catalogue has L7 denials");
    const details = new Map<string, number>();
    for (const p of denied) {
      const server = serverSideEntry(p.observed.envoy);
      assert.ok(server, `${p.id}: the server's sidecar logged its request`);
      const decision = rbacDecision(server.responseCodeDetails);
      assert.ok(decision, `${p.id}: ${server.responseCodeDetails}`);
      const decidedBy = p.predicted?.decidedBy;
      assert.deepEqual(decision.matched ?? null, decidedBy?.rule === undefined ? null : { namespace: decidedBy.namespace, name: decidedBy.name, rule: decidedBy.rule }, p.id);
      details.set(server.responseCodeDetails, (details.get(server.responseCodeDetails) ?? 0) + 1);
    }
    console.log(`      │ response_code_details of the ${denied.length} 403s: ${[...details].map(([d, n]) => `${n} × ${d}`).join("; ")}`);
  });

  it("same tenant through both sidecars: 200 over mTLS, and the server's sidecar sets XFCC to exactly the client's verified SPIFFE identity", async () => {
    const answer = await curl(pod(tenantNs("acme"), "client"), IMAGE_USERS.curl, echoUrl("acme"));
    assert.equal(answer.code, "200", JSON.stringify(answer));
    const caller = (JSON.parse(answer.body) as { caller: { xfccUris: string[] } }).caller;
    assert.deepEqual(caller.xfccUris, [`spiffe://${lab().up.spec.cluster.trustDomain}/ns/${tenantNs("acme")}/sa/client`]);
  });

  it("forged XFCC: a tenant that sends another tenant's identity in x-forwarded-client-cert reaches the shared collector only as itself", async () => {
    const spec = lab().up.spec;
    const collector = spec.sharedServices.services[0];
    const url = `http://${collector.name}.${spec.sharedServices.namespace}.svc.cluster.local:${collector.port}${collector.pathPrefix}/acme/probe`;
    const td = spec.cluster.trustDomain;
    const forged = `By=spiffe://${td}/ns/${spec.sharedServices.namespace}/sa/${collector.serviceAccount};URI=spiffe://${td}/ns/${tenantNs("globex")}/sa/client`;
    const answer = await curl(pod(tenantNs("acme"), "client"), IMAGE_USERS.curl, url, ["-X", "POST", "--data-binary", "", "-H", `x-forwarded-client-cert: ${forged}`]);
    assert.equal(answer.code, "200", JSON.stringify(answer));
    const caller = (JSON.parse(answer.body) as { caller: { xfccUris: string[]; xfcc: string } }).caller;
    assert.deepEqual(caller.xfccUris, [`spiffe://${td}/ns/${tenantNs("acme")}/sa/client`], `the collector's sidecar replaced the forged header (SANITIZE_SET): ${caller.xfcc}`);
    assert.ok(!caller.xfcc.includes(tenantNs("globex")), "no trace of the forged identity");
    // Sent past its own sidecar (UID 1337), the forged header travels in plaintext: STRICT resets it before any HTTP.
    const bypass = await curl(pod(tenantNs("acme"), "bypass"), ISTIO_PROXY_UID, url, ["-X", "POST", "--data-binary", "", "-H", `x-forwarded-client-cert: ${forged}`]);
    assert.deepEqual([bypass.code, bypass.exit], ["000", "56"]);
  });

  it("istiod signs with the plug-in CA the lab laid out as the platform ships it: the root every sidecar trusts is the lab's mesh root", async () => {
    const ca = await ensureMeshCa(meshCaDir(localPaths(lab().settings.labDir)));
    const root = await inNetns(pod(tenantNs("acme"), "client").netns, ["curl", "-s", `http://127.0.0.1:${SIDECAR_PORTS.envoyAdmin}/certs`]);
    const certs = JSON.parse(root.stdout) as { certificates: { ca_cert: { serial_number: string }[]; cert_chain: { serial_number: string; subject_alt_names?: { uri?: string }[] }[] }[] };
    const serial = (file: string) => /serial=([0-9A-F]+)/i.exec(execFileSync("openssl", ["x509", "-in", file, "-noout", "-serial"], { encoding: "utf8" }))![1].toLowerCase();
    const trusted = certs.certificates.flatMap((c) => c.ca_cert.map((x) => x.serial_number.toLowerCase()));
    assert.deepEqual([...new Set(trusted)], [serial(ca.root.cert)], "the sidecar trusts the lab's mesh root, and only it");
  });

  it("a certificate the mesh CA signs is accepted over mTLS; the same identity from a foreign CA is refused in the TLS handshake", async () => {
    const spec = lab().up.spec;
    const dir = join(lab().labDir, "attacker-certs");
    const ca = await ensureMeshCa(meshCaDir(localPaths(lab().settings.labDir)));
    const identity = spiffeId(spec.cluster.trustDomain, tenantNs("acme"), "client");
    const genuine = await mintWorkloadCertificate(dir, "genuine-acme-client", ca.intermediate, identity, true);
    const foreign = await mintWorkloadCertificate(dir, "foreign-acme-client", await foreignCa(dir), identity, true);
    const echo = pod(tenantNs("acme"), "echo");
    // From acme's sidecar-free pod straight to the echo pod's port, presenting the certificate as a
    // sidecar would (ALPN istio, which Istio's inbound mTLS filter chains match).
    // `-cert_chain`: the leaf's issuer goes with it, as a sidecar sends it (s_client's -cert sends the leaf alone).
    const handshake = async (cert: { cert: string; chain: string; key: string }) =>
      inNetns(pod(tenantNs("acme"), "debug").netns, ["sh", "-c", `printf 'GET / HTTP/1.1\\r\\nHost: echo\\r\\nConnection: close\\r\\n\\r\\n' | timeout 10 openssl s_client -quiet -connect ${echo.ip}:8080 -cert ${cert.cert} -cert_chain ${cert.chain} -key ${cert.key} -alpn istio-http/1.1,istio 2>&1`], { allowFailure: true });
    const accepted = await handshake(genuine);
    assert.match(accepted.stdout, /HTTP\/1\.1 200/, accepted.stdout.slice(0, 400));
    assert.match(accepted.stdout, /depth=1 O = hard-tenancy, CN = istio-plugin-ca/, "the server's own certificate was issued by the plug-in intermediate");
    assert.match(accepted.stdout, new RegExp(identity.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "the echo server saw the identity of the certificate, verified by its sidecar");
    const refused = await handshake(foreign);
    assert.doesNotMatch(refused.stdout, /HTTP\/1\.1/, "no HTTP answer to a foreign certificate");
    assert.match(refused.stdout, /alert unknown ca/, `the echo's sidecar refuses the chain: ${refused.stdout.slice(0, 400)}`);
  });

  it("plaintext against STRICT: a sidecar-free pod's request is reset by the server's sidecar (curl exit 56)", async () => {
    const answer = await curl(pod(tenantNs("acme"), "debug"), IMAGE_USERS.curl, echoUrl("acme"));
    assert.deepEqual([answer.code, answer.exit], ["000", "56"]);
  });

  it("a client bypassing its own sidecar as UID 1337 sends plaintext, and is reset the same way", async () => {
    const answer = await curl(pod(tenantNs("acme"), "bypass"), ISTIO_PROXY_UID, echoUrl("acme"));
    assert.deepEqual([answer.code, answer.exit], ["000", "56"]);
  });

  it("a grant is honoured exactly: globex reads acme's public API path (200), and any other path is refused by the RBAC filter (403)", async () => {
    const from = pod(tenantNs("globex"), "client");
    const granted = await curl(from, IMAGE_USERS.curl, echoUrl("acme", "/api/v1/public/status"));
    assert.equal(granted.code, "200", JSON.stringify(granted));
    const beyond = await curl(from, IMAGE_USERS.curl, echoUrl("acme", "/private"));
    assert.deepEqual([beyond.code, beyond.body.trim()], ["403", "RBAC: access denied"]);
  });

  it("without a grant, another tenant is not reached at all: the L3/4 layers drop it before any Envoy sees it (curl exit 28)", async () => {
    const answer = await curl(pod(tenantNs("acme"), "client"), IMAGE_USERS.curl, echoUrl("globex"));
    assert.deepEqual([answer.code, answer.exit], ["000", "28"]);
  });

  for (const layer of ["peerAuthentication", "authorization"] as const) {
    it(`removes the ${layer} layer for real and observes every probe as the model with it ablated predicts`, async () => {
      const started = Date.now();
      const ablated = await localAblate(lab().io, { spec: lab().up.spec, settings: lab().settings, tools: { kubectl: `${(await locateTools(REPO)).layout.bin}/kubectl`, calicoctl: `${(await locateTools(REPO)).layout.bin}/calicoctl`, coredns } }, layer);
      const off = ablated.report.probes.filter((p) => p.observationMatchesPrediction !== true || p.status === "unknown" || p.status === "mismatch");
      assert.deepEqual(off.map((p) => `${layer} ablated: ${p.id} ${p.status} observed ${p.observed.observation}, predicted ${p.predicted?.observation}`), []);
      assert.deepEqual(ablated.report.ablated, [layer]);
      const opened = ablated.report.probes.filter((p) => p.status === "breach").map((p) => p.id);
      const predictedOpen = ablated.report.probes.filter((p) => p.intent === "deny" && p.predicted?.verdict === "allow").map((p) => p.id);
      assert.deepEqual(opened, predictedOpen, "exactly the attacks the model says only this layer stops get through");
      console.log(`      │ ${layer} ablated and restored in ${((Date.now() - started) / 1000).toFixed(0)} s: ${ablated.report.probes.length} probes observed = predicted, ${opened.length} attack(s) open as predicted`);
      await assertNoRejection(`after ablating ${layer}`);
    });
  }

  it("propagates the tenant identity with the Lua filter on real Envoy: the catalogue observed = predicted, and the collector reads the caller's verified URI from x-tenant-identity", async () => {
    const spec = lab().up.spec;
    const lua = { ...spec, sharedServices: { ...spec.sharedServices, identityPropagation: "lua" as const } };
    const bin = (await locateTools(REPO)).layout.bin;
    const collector = spec.sharedServices.services[0];
    let seen: { tenantIdentity: string | null; xfccUris: string[] } | undefined;
    const result = await localSpecChange(lab().io, { spec, settings: lab().settings, tools: { kubectl: `${bin}/kubectl`, calicoctl: `${bin}/calicoctl`, coredns } }, lua, "identity-propagation-lua", async () => {
      const url = `http://${collector.name}.${spec.sharedServices.namespace}.svc.cluster.local:${collector.port}${collector.pathPrefix}/acme/probe`;
      const answer = await curl(pod(tenantNs("acme"), "client"), IMAGE_USERS.curl, url, ["-X", "POST", "--data-binary", ""]);
      assert.equal(answer.code, "200", JSON.stringify(answer));
      seen = (JSON.parse(answer.body) as { caller: { tenantIdentity: string | null; xfccUris: string[] } }).caller;
    });
    const off = result.report.probes.filter((p) => p.status !== "pass" || p.observationMatchesPrediction !== true);
    assert.deepEqual(off.map((p) => `${p.id}: ${p.status} observed ${p.observed.observation}, predicted ${p.predicted?.observation}`), []);
    assert.equal(seen?.tenantIdentity, `spiffe://${spec.cluster.trustDomain}/ns/${tenantNs("acme")}/sa/client`, "the Lua filter set x-tenant-identity from the verified peer certificate");
    await assertNoRejection("with the Lua filter and after its removal");
  });

  it("after the restore, the catalogue is back to every probe observed = predicted with every layer present", async () => {
    const again = await runDataplaneCheck(lab().io, { spec: lab().up.spec, settings: lab().settings, corednsBinary: coredns, command: "check --backend local" });
    assert.equal(again.exitCode, 0, again.report.reasons.join("; "));
    await assertNoRejection("at the end");
  });
});
