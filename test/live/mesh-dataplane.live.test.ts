// Real sidecars in the local dataplane's pods (`lab up --backend local --mesh sidecars`): the real
// istiod as a pod, and every meshed pod with pilot-agent + upstream Envoy and istio-iptables, on
// real packets through Felix and kube-proxy. Each case below is one of the catalogue's probe kinds,
// sent by hand from the source pod's network namespace as the container's user, with the symptom
// DESIGN's layer table names for the layer that must decide it. The full catalogue through these
// sidecars, judged against the model with every layer on, is not wired yet (issue 15): `lab check
// --backend local` still judges the L3/4 probes only and reports the mesh as absent.
import assert from "node:assert/strict";
import { ISTIO_PROXY_UID } from "../../components/spec/labels";
import { inNetns } from "../../lab/local/dataplane/command";
import { podTable } from "../../lab/local/dataplane/dataplane";
import type { PodRecord } from "../../lab/local/dataplane/kubelet";
import { dataplanePrerequisites } from "../../lab/local/dataplane/node";
import { parseEnvoyXdsCounters, parseIstiodXdsRejects } from "../../lab/local/mesh/counters";
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
  const curl = async (from: PodRecord, uid: number, url: string): Promise<Answer> => {
    const result = await inNetns(from.netns, ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--", "curl", "-q", "-s", "--noproxy", "*", "-m", "5", "-w", "\n%{http_code} %{exitcode}", url], { allowFailure: true });
    const lines = result.stdout.split("\n");
    const [code, exit] = (lines.pop() ?? "").split(" ");
    return { code, exit, body: lines.join("\n") };
  };
  const echoUrl = (tenant: string, path = "/") => `http://echo.${tenantNs(tenant)}.svc.cluster.local${path}`;

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
  });

  it("same tenant through both sidecars: 200 over mTLS, and the server's sidecar sets XFCC to exactly the client's verified SPIFFE identity", async () => {
    const answer = await curl(pod(tenantNs("acme"), "client"), IMAGE_USERS.curl, echoUrl("acme"));
    assert.equal(answer.code, "200", JSON.stringify(answer));
    const caller = (JSON.parse(answer.body) as { caller: { xfccUris: string[] } }).caller;
    assert.deepEqual(caller.xfccUris, [`spiffe://${lab().up.spec.cluster.trustDomain}/ns/${tenantNs("acme")}/sa/client`]);
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
});
