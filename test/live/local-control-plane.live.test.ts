// The live tier (npm run test:live): a real etcd + kube-apiserver + kube-controller-manager built
// from their Go modules, the lab stack applied to it, and the lab's own control-plane check run
// against it. Started once for the suite, torn down at the end even when a test fails.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { EXIT_CODES } from "../../lab/check/compare";
import { localDown, type LocalUpResult } from "../../lab/local/backend";
import { LOCAL_NOT_RUN } from "../../lab/local/commands";
import { DAEMONS } from "../../lab/local/control-plane";
import { diffArgv, objectRef, phaseYaml, planDeploy } from "../../lab/local/deploy";
import { localPaths } from "../../lab/local/paths";
import { isAlive, pidFileOf, readPid } from "../../lab/local/processes";
import type { LabSettings } from "../../lab/plan/settings";
import { kubectl } from "../../lab/plan/steps";
import { runLiveCheck, type LiveCheckResult } from "../../lab/run/check";
import type { LabIO } from "../../lab/run/execute";
import { useLiveLab } from "./local-lab";

describe("local backend: a real control plane, the lab stack applied, the control-plane check", function () {
  this.timeout(30 * 60_000);
  const lab = useLiveLab("ht-live-", { dataplane: "off" });
  let settings: LabSettings;
  let io: LabIO;
  let up: LocalUpResult;
  let pidsAtStart: number[] = [];

  before(() => {
    ({ settings, io, up } = lab());
    console.log(`      │ lab up --backend local: ${lab().upSeconds.toFixed(1)} s (control plane ${(up.controlPlane.startMs / 1000).toFixed(1)} s), ${up.applied} objects`);
    pidsAtStart = DAEMONS.map((name) => readPid(pidFileOf(localPaths(settings.labDir).pids, name)) ?? -1);
  });

  const get = async (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => io.run(kubectl(settings, ...args), { timeoutMs: 60_000 });

  it("runs etcd, kube-apiserver and kube-controller-manager as processes that report the pinned versions", async () => {
    assert.ok(pidsAtStart.every((pid) => pid > 0 && isAlive(pid)), `pids ${pidsAtStart.join(", ")}`);
    const version = JSON.parse((await get("version", "-o", "json")).stdout) as { serverVersion: { gitVersion: string }; clientVersion: { gitVersion: string } };
    assert.equal(version.serverVersion.gitVersion, "v1.36.4");
    assert.equal(version.clientVersion.gitVersion, "v1.36.4");
  });

  it("accepts every rendered object of the lab stack except the Calico v3 ones, each skipped with its reason", async () => {
    const plan = planDeploy(up.spec);
    assert.equal(up.applied, plan.phases.reduce((n, p) => n + p.objects.length, 0));
    assert.ok(up.skipped.every((s) => s.object.startsWith("Tier/") || s.object.startsWith("GlobalNetworkPolicy/")), JSON.stringify(up.skipped));
    // kubectl resolves `<kind>.<group>` (lowercase kind = singular resource name) through discovery.
    const kinds = [...new Set(plan.phases.flatMap((p) => p.objects.map((o) => [o.kind.toLowerCase(), ...(o.apiVersion.includes("/") ? [o.apiVersion.split("/")[0]] : [])].join("."))))];
    const listed = await get("get", kinds.join(","), "-A", "-l", "app.kubernetes.io/managed-by=hard-tenancy", "-o", "json");
    assert.equal(listed.code, 0, listed.stderr);
    const live = new Set(((JSON.parse(listed.stdout) as { items: { kind: string; metadata: { name: string; namespace?: string } }[] }).items).map((o) => objectRef({ apiVersion: "", ...o })));
    const missing = plan.phases.flatMap((p) => p.objects.map(objectRef)).filter((ref) => !live.has(ref));
    assert.deepEqual(missing, [], "every applied object exists with the managed-by label");
  });

  it("type-checks every admission guardrail policy's CEL against its kinds' schemas without a warning", () => {
    assert.deepEqual(up.policiesUnchecked, [], "the API server type-checked every policy (status.observedGeneration)");
    assert.deepEqual(up.policyWarnings, []);
  });

  it("admits the pods of every Deployment (restricted Pod Security, quotas, LimitRange and guardrails all pass)", () => {
    const refused = up.admission.filter((a) => a.refusal !== undefined || a.created < a.wanted);
    assert.deepEqual(refused, []);
    assert.ok(up.admission.length >= 13);
  });

  it("changes nothing on a second apply (server-side diff of every phase is empty)", async () => {
    for (const phase of planDeploy(up.spec).phases) {
      const diff = await io.run(diffArgv(settings.context), { stdin: phaseYaml(phase), timeoutMs: 60_000 });
      assert.equal(diff.code, 0, `${phase.name}: ${diff.stdout.slice(0, 400)}${diff.stderr}`);
    }
  });

  describe("the lab's control-plane check, through the same code as on kind", () => {
    let check: LiveCheckResult;
    before(async () => {
      check = await runLiveCheck(io, { spec: up.spec, settings, predictions: [], command: "check --backend local", notRun: LOCAL_NOT_RUN });
    });

    it("refuses every tenant-admin attack by the mechanism the platform relies on (RBAC, Pod Security, guardrail rule, ResourceQuota)", () => {
      const attempts = check.report.controlPlane.filter((c) => c.kind === "attempt" && c.expected !== "admitted");
      assert.ok(attempts.length >= 15 * up.spec.tenants.length);
      const wrong = attempts.filter((c) => c.status !== "pass" && c.status !== "skipped").map((c) => `${c.id}: expected ${c.expected}, observed ${c.observed}`);
      assert.deepEqual(wrong, []);
    });

    it("admits the positive controls: a compliant pod, Deployment and Service by each tenant admin", () => {
      const controls = check.report.controlPlane.filter((c) => c.kind === "attempt" && c.expected === "admitted");
      assert.equal(controls.length, 3 * up.spec.tenants.length);
      assert.deepEqual(controls.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.observed}`), []);
    });

    it("answers every can-i question, dry run and token check as intended", () => {
      const others = check.report.controlPlane.filter((c) => c.kind !== "attempt");
      assert.deepEqual(others.filter((c) => c.status !== "pass").map((c) => `${c.id}: expected ${c.expected}, observed ${c.observed}`), []);
    });

    it("passes, and says in the report what it did not run (no dataplane) and what it skipped", () => {
      assert.equal(check.exitCode, EXIT_CODES.pass, check.report.reasons.join("; "));
      assert.deepEqual(check.report.notRun, LOCAL_NOT_RUN);
      assert.ok(check.report.reasons.some((r) => r.startsWith("not run: data-plane probes")));
      for (const skipped of check.report.controlPlane.filter((c) => c.status === "skipped")) assert.match(skipped.observed, /no matches for kind|doesn't have a resource type/);
    });

    it("leaves nothing behind: every object an attempt created was deleted", async () => {
      const listed = await get("get", "pods,deployments,services", "-A", "-o", "name");
      assert.doesNotMatch(listed.stdout, /ht-attempt-/);
    });
  });

  // Mocha runs a suite's own tests before its nested suites: teardown is a suite of its own, last.
  describe("teardown", () => {
    it("lab down stops exactly the processes it started and removes .lab/local; a second down is a no-op", async () => {
      assert.equal(await localDown(io, settings), EXIT_CODES.pass);
      assert.ok(pidsAtStart.every((pid) => !isAlive(pid)));
      assert.ok(!existsSync(localPaths(settings.labDir).root));
      assert.equal(await localDown(io, settings), EXIT_CODES.pass);
    });
  });
});
