// The live tier's dataplane suite: the lab stack on the local backend with Felix, kube-proxy and
// CoreDNS (and the real istiod when the mesh tools are built) enforcing real packets between pods that are network namespaces; the L3/4 catalogue run
// live and compared probe by probe with the model without a mesh; each L3/4 layer removed for real;
// a pod's process killed mid-check; and the host's own network state identical after `down`.
import assert from "node:assert/strict";
import { localAblate, localScenario } from "../../lab/local/dataplane/live-changes";
import { runDataplaneCheck } from "../../lab/local/dataplane/live-check";
import { hostNetworkState, hostStateDifferences } from "../../lab/local/dataplane/host-state";
import { podTable } from "../../lab/local/dataplane/dataplane";
import { dataplanePrerequisites } from "../../lab/local/dataplane/node";
import { localPaths } from "../../lab/local/paths";
import { pidFileOf, readPid } from "../../lab/local/processes";
import type { ProbeReportEntry } from "../../lab/report/report";
import type { LiveCheckResult } from "../../lab/run/check";
import { builtMeshBinaries } from "../../lab/local/mesh/tools";
import { kubectl } from "../../lab/plan/steps";
import { locateTools } from "../../lab/tools/build";
import { REPO } from "./live-lab";
import { useLiveLab } from "./local-lab";

const L34_LAYERS = ["networkPolicy", "calico"] as const;

function attacks(result: LiveCheckResult): ProbeReportEntry[] {
  return result.report.probes.filter((p) => p.intent === "deny" && p.status !== "skipped");
}

describe("local backend dataplane: Felix, kube-proxy and CoreDNS enforce the lab stack on real packets", function () {
  this.timeout(40 * 60_000);
  let hostBefore: Record<string, string> | undefined;
  let prerequisitesMissing: string | undefined;
  before(async function () {
    prerequisitesMissing = await dataplanePrerequisites();
    if (prerequisitesMissing) {
      console.log(`      │ skipped: ${prerequisitesMissing}`);
      this.skip();
    }
    hostBefore = await hostNetworkState();
  });
  // Without sidecars: the L3/4 layers alone, against the model without a mesh (mesh-dataplane.live.test.ts runs them with sidecars).
  const lab = useLiveLab("ht-live-dp-", { mesh: "off" });
  after(async () => {
    if (!hostBefore) return;
    const differences = hostStateDifferences(hostBefore, await hostNetworkState());
    assert.deepEqual(differences, [], "lab down leaves the host's links, addresses, routes, rules, iptables and nftables as it found them");
  });

  let tools: { kubectl: string; calicoctl: string; coredns: string };
  let check: LiveCheckResult;
  before(async () => {
    const { layout } = await locateTools(REPO);
    tools = { kubectl: `${layout.bin}/kubectl`, calicoctl: `${layout.bin}/calicoctl`, coredns: `${layout.bin}/coredns` };
    const { up } = lab();
    assert.ok("pods" in up.dataplane, `the dataplane ran: ${JSON.stringify(up.dataplane)}`);
    console.log(`      │ lab up with the dataplane: ${lab().upSeconds.toFixed(1)} s; Felix ready in ${(up.dataplane.start.felixReadyMs / 1000).toFixed(1)} s, kube-proxy in ${(up.dataplane.start.kubeProxyReadyMs / 1000).toFixed(1)} s; ${up.dataplane.pods.length} pods`);
    const started = Date.now();
    check = await runDataplaneCheck(lab().io, { spec: up.spec, settings: lab().settings, corednsBinary: tools.coredns, command: "check --backend local" });
    console.log(`      │ full live check: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("runs every pod of the stack, CoreDNS and istiod (or its stand-in) as network namespaces Felix has programmed", () => {
    const pods = podTable(localPaths(lab().settings.labDir));
    const namespaces = new Set(pods.map((p) => p.namespace));
    for (const ns of ["kube-system", "istio-system", "shared-services", ...lab().up.spec.tenants.map((t) => t.namespace)]) assert.ok(namespaces.has(ns), `a pod in ${ns}`);
  });

  it("runs the real istiod as a pod when the mesh tools are built: it serves the mesh and writes its root certificate into every tenant namespace", async function () {
    if (!(await builtMeshBinaries(REPO)).binaries) {
      console.log("      │ skipped: the mesh tools are not built, so the istiod stand-in ran (`npm run tools -- --group mesh`)");
      this.skip();
    }
    const { settings, io } = lab();
    const istiod = await io.run(kubectl(settings, "get", "pods", "-n", lab().up.spec.meshNamespace, "-l", "app=istiod", "-o", "jsonpath={.items[*].metadata.labels}"), { timeoutMs: 60_000 });
    assert.doesNotMatch(istiod.stdout, /stand-in/);
    for (const tenant of lab().up.spec.tenants) {
      const root = await io.run(kubectl(settings, "get", "configmap", "istio-ca-root-cert", "-n", tenant.namespace, "-o", "jsonpath={.data.root-cert\\.pem}"), { timeoutMs: 60_000 });
      assert.match(root.stdout, /BEGIN CERTIFICATE/, `${tenant.namespace}: ${root.stderr}`);
    }
  });

  it("observes every L3/4 probe of the catalogue live, exactly as the model without a mesh predicts", () => {
    const run = check.report.probes.filter((p) => p.status !== "skipped");
    assert.ok(run.length >= 30, `${run.length} probes run`);
    const differing = run.filter((p) => p.observationMatchesPrediction !== true || p.status === "unknown" || p.status === "mismatch");
    assert.deepEqual(differing.map((p) => `${p.id}: ${p.status} (${p.observed.observation})`), []);
    assert.equal(check.report.probes.filter((p) => p.status === "breach").length, 0);
  });

  it("says what it did not run: the probes that need the mesh, each with why", () => {
    assert.ok(check.report.notRun.some((line) => /need the mesh/.test(line)), JSON.stringify(check.report.notRun));
    assert.ok(check.report.probes.filter((p) => p.status === "skipped").length > 0);
  });

  it("removes each L3/4 layer for real and observes the defense in depth per attack that the model predicts", async () => {
    const stillDenied = new Map<string, number>();
    const predictedDepth = new Map<string, number>();
    for (const p of attacks(check)) predictedDepth.set(p.id, L34_LAYERS.filter((l) => p.predicted?.layers[l] === "deny").length);
    for (const layer of L34_LAYERS) {
      const ablated = await localAblate(lab().io, { spec: lab().up.spec, settings: lab().settings, tools }, layer);
      const wrong = ablated.report.probes.filter((p) => p.status !== "skipped" && p.observationMatchesPrediction !== true);
      assert.deepEqual(wrong.map((p) => `${layer} ablated: ${p.id} ${p.observed.observation}`), []);
      // With one of two L3/4 layers gone, an attack still denied is stopped by the other one alone.
      for (const p of attacks(ablated)) if (p.observed.verdict === "deny") stillDenied.set(p.id, (stillDenied.get(p.id) ?? 0) + 1);
    }
    const disagreements = [...predictedDepth].filter(([id, depth]) => (stillDenied.get(id) ?? 0) !== depth).map(([id, depth]) => `${id}: model ${depth}, observed ${stillDenied.get(id) ?? 0}`);
    assert.deepEqual(disagreements, []);
  });

  for (const scenario of ["missing-default-deny", "tenant-allow-all"]) {
    it(`applies the article's L3/4 misconfiguration ${scenario} live and observes exactly what the model predicts for it`, async () => {
      const result = await localScenario(lab().io, { spec: lab().up.spec, settings: lab().settings, tools }, scenario);
      const run = result.report.probes.filter((p) => p.status !== "skipped");
      assert.ok(run.length >= 30);
      assert.deepEqual(run.filter((p) => p.observationMatchesPrediction !== true).map((p) => `${p.id}: ${p.observed.observation} (predicted ${p.predicted?.observation})`), []);
      assert.equal(result.report.scenario, scenario);
    });
  }

  it("calls a probe inconclusive, never blocked, when the server that should answer was killed mid-run", async () => {
    const paths = localPaths(lab().settings.labDir);
    const echo = podTable(paths).find((p) => p.namespace === lab().up.spec.tenants[0].namespace && p.name.startsWith("echo-"))!;
    const pid = readPid(pidFileOf(paths.pids, echo.daemons[0]))!;
    process.kill(pid, "SIGKILL");
    const after = await runDataplaneCheck(lab().io, { spec: lab().up.spec, settings: lab().settings, corednsBinary: tools.coredns, command: "check --backend local" });
    const toVictim = after.report.probes.filter((p) => p.status !== "skipped" && (p.url.includes(`.${echo.namespace}.`) || p.url.includes(`//${echo.ip}:`) || p.from.startsWith(`${echo.namespace}/`)));
    assert.ok(toVictim.length > 0);
    assert.deepEqual(toVictim.filter((p) => p.status !== "unknown").map((p) => p.id), [], "every probe touching the killed pod's namespace is inconclusive");
    assert.notEqual(after.exitCode, 0);
  });
});
