import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { EXIT_CODES } from "../../../lab/check/compare";
import { groupBySource } from "../../../lab/check/targets";
import { meshProbesNotRun, netnsExecArgv, runLocalCheck, type SandboxLookup } from "../../../lab/local/check";
import { platformObjects, predictL34Catalogue } from "../../../lab/model/platform";
import { labSettings } from "../../../lab/plan/settings";
import type { CheckReport } from "../../../lab/report/report";
import type { LabIO } from "../../../lab/run/execute";
import type { CommandRunner } from "../../../lab/run/runner";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";
import { syntheticConfig } from "../../fixtures/platform";
import { fakeCluster, type Answer } from "../run/fake-cluster";

const ECHO = (tenant: string): Answer => ({ rc: 0, http: 200, body: JSON.stringify({ server: "hard-tenancy-echo", tenant, workload: "echo", pod: "echo-0" }) });
/** What a client sees when the cluster does what the model without a mesh predicts. */
function asPredicted(observation: string, victim: string): Answer {
  if (observation === "curl exit 28") return { rc: 28, http: 0, body: "", error: "Connection timed out after 5001 milliseconds" };
  if (observation === "http 200") return ECHO(victim);
  if (observation === "connected") return { rc: 52, http: 0, body: "", error: "Empty reply from server" };
  if (observation === "dns ok") return { rc: 7, http: 0, body: "", error: "Failed to connect" };
  throw new Error(`no scripted answer for ${observation}`);
}

describe("lab check --backend local: the L3/4 catalogue through ip netns exec, against the model without a mesh", () => {
  const spec = validatePlatformConfig(syntheticConfig(3));
  const { predictions, notRun } = predictL34Catalogue(spec, { endpoints: labProbeEndpoints });
  const batches = groupBySource(predictions.map((p) => p.probe), () => undefined);
  const netnsName = (namespace: string, workload: string): string => `ht-${namespace}-${workload}`;
  const sandboxOf: SandboxLookup = (namespace, workload) => ({ netns: netnsName(namespace, workload) });
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), "ht-local-check-"))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function check(options: { overrides?: Record<string, Answer>; sandboxOf?: SandboxLookup } = {}): Promise<{ exitCode: number; report: CheckReport; calls: string[][]; dir: string }> {
    const cluster = fakeCluster(spec, [], {});
    const calls: string[][] = [];
    const run: CommandRunner = async (argv, runOptions) => {
      if (argv[0] === "sh") {
        // The failing command a source without a network namespace gets: run for real.
        const ran = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
        return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr };
      }
      if (argv[0] !== "ip") return cluster.run(argv, runOptions);
      calls.push([...argv]);
      const batch = batches.find((b) => netnsName(b.namespace, b.workload) === argv[3]);
      assert.ok(batch, `no source runs in ${argv[3]}`);
      const nonce = /@@ht-probe (\w+) \$i BEGIN@@/.exec(argv[6])?.[1] ?? "";
      const out = batch.probes.map(({ probe }, i) => {
        const a = options.overrides?.[probe.id] ?? asPredicted(predictions.find((p) => p.probe.id === probe.id)!.result.observation, probe.victim);
        return `@@ht-probe ${nonce} ${i} BEGIN@@\nrc=${a.rc}\nht-w http=${String(a.http).padStart(3, "0")} exit=${a.rc} time=0.01 error=${a.error ?? ""}\n@@ht-probe ${nonce} ${i} BODY@@\n${a.body}\n@@ht-probe ${nonce} ${i} END@@\n`;
      });
      return { code: 0, stdout: out.join(""), stderr: "" };
    };
    const io: LabIO = { run, automation: async () => assert.fail("no Pulumi in a check"), log: () => undefined, sleep: async () => undefined, now: () => new Date("2026-12-01T10:00:00Z") };
    const result = await runLocalCheck(io, { spec, settings: labSettings(root, { backend: "local", context: "hard-tenancy-local", contextExplicit: true }), sandboxOf: options.sandboxOf ?? sandboxOf });
    return { exitCode: result.exitCode, report: result.report, calls: [...calls, ...cluster.calls], dir: result.reportDir };
  }

  it("runs one ip netns exec per source pod, no kubectl exec, and passes when every probe is observed as predicted", async () => {
    const { exitCode, report, calls } = await check();
    const execs = calls.filter((c) => c[0] === "ip");
    assert.deepEqual(execs.map((c) => c.slice(0, 6)), spec.tenants.map((t) => ["ip", "netns", "exec", `ht-${t.namespace}-debug`, "sh", "-c"]));
    assert.equal(calls.filter((c) => c.includes("exec") && c[0] === "kubectl").length, 0);
    assert.equal(exitCode, EXIT_CODES.pass, report.reasons.join("; "));
    assert.deepEqual(report.meshAbsent, { reason: "no mesh on this backend", layers: ["peerAuthentication", "authorization"] });
    assert.equal(report.summary.probes, predictions.length + notRun.length);
    assert.equal(report.summary.skipped, notRun.length);
    assert.ok(report.notRun.includes(meshProbesNotRun(notRun.length)));
    assert.deepEqual(report.probes.filter((p) => p.status === "mesh-only").map((p) => p.id), ["t0002->t0001/pod-direct/no-sidecar"]);
  });

  it("sends the pod-IP probes to the IP the pod list gives", async () => {
    const { calls } = await check();
    const scripts = calls.filter((c) => c[0] === "ip").map((c) => c[6]).join("\n");
    assert.match(scripts, /http:\/\/10\.244\.1\.10:8080\//);
    assert.doesNotMatch(scripts, /<pod-ip:/);
  });

  it("writes report.json, junit.xml and report.html, each saying the mesh was absent", async () => {
    const { dir } = await check();
    assert.match(readFileSync(join(dir, "junit.xml"), "utf8"), /\(mesh absent: no mesh on this backend\)/);
    assert.match(readFileSync(join(dir, "report.html"), "utf8"), /id="mesh-absent">MESH ABSENT/);
    assert.equal((JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as CheckReport).meshAbsent?.reason, "no mesh on this backend");
  });

  it("fails (exit 1) when an attack the network layers should stop reaches the victim's echo server", async () => {
    const { exitCode, report } = await check({ overrides: { "t0001->t0003/by-name/no-sidecar": ECHO("t0003") } });
    assert.equal(exitCode, EXIT_CODES.fail);
    assert.equal(report.probes.find((p) => p.id === "t0001->t0003/by-name/no-sidecar")?.status, "breach");
  });

  it("is inconclusive, never blocked, when a source has no network namespace or a server refuses instead of being dropped", async () => {
    const missing = await check({ sandboxOf: (ns, w) => (ns === "tenant-t0002" ? undefined : sandboxOf(ns, w)) });
    assert.equal(missing.exitCode, EXIT_CODES.inconclusive);
    const lost = missing.report.probes.filter((p) => p.from === "tenant-t0002/debug");
    assert.ok(lost.length > 0 && lost.every((p) => p.status === "unknown" || p.status === "skipped"));
    assert.match(lost.find((p) => p.status === "unknown")!.observed.reason, /exec in tenant-t0002\/debug failed: no network namespace for tenant-t0002\/debug/);
    const refused = await check({ overrides: { "t0001->t0003/pod-direct/no-sidecar": { rc: 7, http: 0, body: "", error: "Connection refused" } } });
    assert.equal(refused.exitCode, EXIT_CODES.inconclusive);
    assert.equal(refused.report.probes.find((p) => p.id === "t0001->t0003/pod-direct/no-sidecar")?.status, "mismatch");
  });

  it("predicts the objects the backend says the cluster holds, when it gives them", async () => {
    const objects = platformObjects(spec, labProbeEndpoints).filter((o) => !(o.kind === "NetworkPolicy" && o.metadata.namespace === "tenant-t0003"));
    const cluster = fakeCluster(spec, [], {});
    const io: LabIO = { run: async (argv, o) => (argv[0] === "ip" ? { code: 1, stdout: "", stderr: "not probed in this test" } : cluster.run(argv, o)), automation: async () => assert.fail("no Pulumi"), log: () => undefined, sleep: async () => undefined, now: () => new Date("2026-12-01T10:00:00Z") };
    const result = await runLocalCheck(io, { spec, settings: labSettings(root, { backend: "local", context: "hard-tenancy-local", contextExplicit: true }), sandboxOf, objects, scenario: "missing-default-deny" });
    const predicted = result.report.probes.find((p) => p.id === "t0003->t0001/by-name/no-sidecar")?.predicted;
    assert.deepEqual([predicted?.layers.networkPolicy, predicted?.layers.calico], ["deny", "deny"], "t0001's own ingress policy still denies");
    const id = "t0003->kube-apiserver/debug";
    assert.equal(predictions.find((p) => p.probe.id === id)?.result.layers.networkPolicy, "deny", "by default t0003's default-deny egress stops its pods reaching the API server");
    assert.equal(result.report.probes.find((p) => p.id === id)?.predicted?.layers.networkPolicy, "not-applicable", "in the given objects t0003 has no NetworkPolicy left");
    assert.equal(result.report.scenario, "missing-default-deny");
  });

  it("runs each source's script as the user of the container kubectl exec would enter (UID 1337 for the bypass client)", () => {
    const users = { curl: { uid: 1337, gid: 1337 } };
    const batch = { ...batches[0], container: "curl" };
    const argv = netnsExecArgv((ns, w) => ({ netns: netnsName(ns, w), users }))(batch, "echo hi");
    assert.deepEqual(argv, ["ip", "netns", "exec", netnsName(batch.namespace, batch.workload), "setpriv", "--reuid=1337", "--regid=1337", "--clear-groups", "--", "sh", "-c", "echo hi"]);
    const unknownContainer = netnsExecArgv((ns, w) => ({ netns: netnsName(ns, w), users }))({ ...batch, container: "other" }, "echo hi");
    assert.deepEqual(unknownContainer.slice(4), ["sh", "-c", "echo hi"], "a container whose user the node did not record runs as root");
  });

  it("makes a source without a network namespace fail with why instead of running anywhere else", () => {
    const argv = netnsExecArgv(() => undefined)(batches[0], "echo hi");
    assert.equal(argv[0], "sh");
    assert.match(argv[2], /no network namespace for tenant-t0001\/debug: is its pod running\?/);
    assert.match(argv[2], /exit 1$/);
  });
});
