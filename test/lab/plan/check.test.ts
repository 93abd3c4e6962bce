import assert from "node:assert/strict";
import { parse } from "yaml";
import { validatePlatformConfig } from "../../../components/spec/validate";
import type { PlatformSpec } from "../../../components/spec/types";
import { kubectlExecArgv, planCheck, probeRequestId, EXEC_OVERHEAD_SECONDS } from "../../../lab/plan/check";
import { labSettings } from "../../../lab/plan/settings";
import { buildProbeCatalogue } from "../../../lab/probes/catalogue";
import { PROBE_SOURCES } from "../../../lab/workloads/names";
import { syntheticConfig } from "../../fixtures/platform";

const NONCE = "plannonce01";
const settings = labSettings("/repo");

function specWith(tenants: number): PlatformSpec {
  return validatePlatformConfig(syntheticConfig(tenants));
}

/** The argv list with each exec's script replaced by a marker naming its probe count (scripts are asserted separately). */
function argvList(plan: ReturnType<typeof planCheck>): string[][] {
  return plan.steps.map((step) => step.argv.map((arg) => (arg.includes("\n") ? `<script:${(arg.match(/^p \d+ /gm) ?? []).length}>` : arg)));
}

describe("lab check plan", () => {
  for (const [tenants, boundSeconds] of [[3, 60], [20, 300]] as const) {
    describe(`with ${tenants} tenants`, () => {
      const spec = specWith(tenants);
      const catalogue = buildProbeCatalogue(spec);
      const plan = planCheck({ spec, settings, catalogue, nonce: NONCE });

      it("makes one kubectl exec per source pod: tenants × probe sources, never one per probe", () => {
        const execs = plan.steps.filter((s) => s.argv.includes("exec"));
        assert.equal(execs.length, tenants * PROBE_SOURCES.length);
        assert.ok(catalogue.length > execs.length);
      });

      it("lists the exact argv of every exec: context, namespace, deployment, container, sh -c script", () => {
        const expected = spec.tenants.flatMap((t) => PROBE_SOURCES.map((s) => ({ ns: t.namespace, w: s.workload })));
        const execs = argvList(plan).filter((argv) => argv.includes("exec"));
        const count = (from: string): number => catalogue.filter((p) => p.from === from).length;
        const want = expected.map(({ ns, w }) => ["kubectl", "--context", "kind-hard-tenancy-lab", "exec", "-n", ns, `deploy/${w}`, "-c", w, "--", "sh", "-c", `<script:${count(`${ns}/${w}`)}>`]);
        assert.deepEqual([...execs].sort(), [...want].sort());
      });

      it("starts with the context guard and the pod listing, then probes, then control-plane checks", () => {
        const argv = argvList(plan);
        assert.deepEqual(argv[0], ["kubectl", "config", "current-context"]);
        assert.deepEqual(argv[1], ["kubectl", "--context", "kind-hard-tenancy-lab", "get", "pods", "-A", "-o", "json"]);
        const firstCanI = argv.findIndex((a) => a.includes("can-i"));
        const lastExec = argv.map((a) => a.includes("exec")).lastIndexOf(true);
        assert.ok(lastExec < firstCanI);
        const isAttempt = (a: string[]): boolean => a.includes("--as") && !a.includes("can-i");
        assert.equal(argv.filter((a) => a.includes("--dry-run=server") && !isAttempt(a)).length, 2 * tenants);
        const lastCanI = argv.map((a) => a.includes("can-i")).lastIndexOf(true);
        assert.ok(argv.findIndex(isAttempt) > lastCanI, "the tenant-admin attempts come after the can-i checks");
      });

      it("dry-runs a privileged pod and then a Service with externalIPs in every tenant namespace, server-side, from stdin", () => {
        const dryRun = (ns: string): string[] => ["kubectl", "--context", "kind-hard-tenancy-lab", "apply", "--dry-run=server", "-n", ns, "-f", "-"];
        const dryRuns = plan.steps.filter((s) => s.argv.includes("--dry-run=server") && !s.argv.includes("--as"));
        assert.deepEqual(
          dryRuns.map((s) => s.argv),
          [...spec.tenants.map((t) => dryRun(t.namespace)), ...spec.tenants.map((t) => dryRun(t.namespace))],
        );
        assert.deepEqual(plan.guardrails.map((g) => g.namespace), spec.tenants.map((t) => t.namespace));
        const service = parse(plan.guardrails[0].step.stdin ?? "") as { kind: string; metadata: { namespace: string }; spec: { type: string; externalIPs: string[] } };
        assert.deepEqual([service.kind, service.metadata.namespace, service.spec.type, service.spec.externalIPs], ["Service", spec.tenants[0].namespace, "ClusterIP", ["203.0.113.10"]]);
        assert.match(plan.podSecurity[0].step.stdin ?? "", /kind: Pod/);
      });

      it("puts every catalogue probe into exactly one source script, as one curl line each", () => {
        const lines = plan.execs.reduce((n, e) => n + (e.step.argv[12].match(/^p \d+ -q -s /gm) ?? []).length, 0);
        assert.equal(lines, catalogue.length);
        assert.equal(plan.execs.reduce((n, e) => n + e.batch.probes.length, 0), catalogue.length);
      });

      it(`bounds the probe phase: --max-time × batches per exec, ${settings.parallelExecs} execs at a time, within ${boundSeconds} s`, () => {
        const maxBatches = Math.max(...plan.execs.map((e) => Math.ceil(e.batch.probes.length / settings.batchSize)));
        assert.equal(plan.boundSeconds, Math.ceil(plan.execs.length / settings.parallelExecs) * maxBatches * settings.maxTimeSeconds);
        assert.ok(plan.boundSeconds <= boundSeconds, `${plan.boundSeconds} s > ${boundSeconds} s`);
        for (const exec of plan.execs) {
          assert.equal(exec.step.timeoutSeconds, exec.batches * settings.maxTimeSeconds + EXEC_OVERHEAD_SECONDS);
          assert.equal((exec.step.argv[12].match(/^wait$/gm) ?? []).length, exec.batches);
        }
      });
    });
  }

  it("targets a pod IP when the cluster told us one, and shows a placeholder in a dry run", () => {
    const spec = specWith(2);
    const catalogue = buildProbeCatalogue(spec).filter((p) => p.id.endsWith("/pod-direct/sidecar"));
    const dry = planCheck({ spec, settings, catalogue, nonce: NONCE });
    assert.match(dry.execs[0].step.argv[12], /'http:\/\/<pod-ip:tenant-t000\d\/echo>:8080\/'/);
    const live = planCheck({ spec, settings, catalogue, nonce: NONCE, lookupIp: (w) => (w.endsWith("/echo") ? "10.244.1.7" : undefined) });
    assert.match(live.execs[0].step.argv[12], / http:\/\/10\.244\.1\.7:8080\/ &$/m);
  });

  it("plans no externalIPs dry run when the admission guardrails are switched off", () => {
    const spec = validatePlatformConfig(syntheticConfig(2, { layers: { admissionGuardrails: false } }));
    const plan = planCheck({ spec, settings, catalogue: buildProbeCatalogue(spec), nonce: NONCE });
    assert.deepEqual(plan.guardrails, []);
    assert.equal(plan.steps.filter((s) => s.argv.includes("--dry-run=server") && !s.argv.includes("--as")).length, 2);
    assert.ok(plan.attempts.every((a) => a.attempt.expect.outcome === "admitted" || a.attempt.expect.by !== "guardrail"), "no attempt expects a guardrail that is switched off");
  });

  it("runs each source's very script through the backend's exec hook, and by default through kubectl exec exactly as before", () => {
    const spec = specWith(2);
    const catalogue = buildProbeCatalogue(spec);
    const byDefault = planCheck({ spec, settings, catalogue, nonce: NONCE });
    const viaKubectl = planCheck({ spec, settings, catalogue, nonce: NONCE, execArgvFor: kubectlExecArgv(settings) });
    assert.deepEqual(viaKubectl.steps, byDefault.steps);
    const seen: string[] = [];
    const netns = planCheck({ spec, settings, catalogue, nonce: NONCE, execArgvFor: (batch, script) => (seen.push(batch.source), ["ip", "netns", "exec", `ht-${batch.namespace}-${batch.workload}`, "sh", "-c", script]) });
    assert.deepEqual(seen, byDefault.execs.map((e) => e.batch.source));
    netns.execs.forEach((exec, i) => {
      assert.deepEqual(exec.step.argv.slice(0, 6), ["ip", "netns", "exec", `ht-${exec.batch.namespace}-${exec.batch.workload}`, "sh", "-c"]);
      assert.equal(exec.step.argv[6], byDefault.execs[i].step.argv.at(-1), "the same script");
      assert.equal(exec.step.timeoutSeconds, byDefault.execs[i].step.timeoutSeconds);
    });
    assert.deepEqual(netns.steps.filter((s) => !s.argv.includes("netns")), byDefault.steps.filter((s) => !s.argv.includes("exec")));
  });

  it("gives every request its own x-request-id, so each Envoy's access-log entry for it can be found", () => {
    const plan = planCheck({ spec: specWith(2), settings, catalogue: buildProbeCatalogue(specWith(2)), nonce: NONCE });
    const ids = plan.execs.flatMap((e) => e.batch.probes.map((p) => p.request.headers["x-request-id"]));
    assert.equal(new Set(ids).size, ids.length, "unique");
    assert.equal(plan.execs[0].batch.probes[1].request.headers["x-request-id"], probeRequestId(NONCE, plan.execs[0].batch, 1));
    assert.match(probeRequestId(NONCE, { namespace: "tenant-a", workload: "client" }, 7), /^ht-plannonce01-tenant-a\.client-7$/);
    assert.ok(plan.execs[0].step.argv.at(-1)!.includes(`'x-request-id: ${ids[0]}'`), "sent by curl");
  });

  it("passes an explicit --context to every kubectl call and skips the current-context guard", () => {
    const spec = specWith(2);
    const plan = planCheck({ spec, settings: labSettings("/repo", { context: "staging", contextExplicit: true }), catalogue: buildProbeCatalogue(spec), nonce: NONCE });
    assert.ok(plan.steps.every((s) => s.argv[0] === "kubectl" && s.argv[1] === "--context" && s.argv[2] === "staging"));
  });
});
