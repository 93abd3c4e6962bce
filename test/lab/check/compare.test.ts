import assert from "node:assert/strict";
import { EXIT_CODES, judgeProbe, judgeRun, type ControlPlaneOutcome } from "../../../lab/check/compare";
import type { RawObservation } from "../../../lab/check/script";
import type { PlannedProbe } from "../../../lab/check/targets";
import type { CataloguedProbe, ProbeResult } from "../../../lab/probes/types";

const ECHO = JSON.stringify({ server: "hard-tenancy-echo", tenant: "b", workload: "echo", pod: "echo-1" });
function planned(intent: "allow" | "deny", id = `p-${intent}`): PlannedProbe {
  const probe: CataloguedProbe = { id, from: "tenant-a/client", to: { service: "tenant-b/echo", port: 80 }, protocol: "HTTP", client: "sidecar", intent, category: intent === "allow" ? "same-tenant" : "cross-tenant", attacker: "a", victim: "b", description: "" };
  return { probe, method: "http", request: { url: "http://echo.tenant-b.svc.cluster.local:80/", method: "GET", headers: {} } };
}
const raw = (exitCode: number, httpCode: number, body = ""): RawObservation => ({ index: 0, exitCode, httpCode, writeOutExitCode: exitCode, errorMessage: "", timeSeconds: 0, body, reported: true });
const predicted = (verdict: "allow" | "deny", observation: string, layers: ProbeResult["layers"] = {}): ProbeResult => ({ id: "x", verdict, layers, observation });

describe("lab check comparison with intent and model", () => {
  it("passes a blocked attack and names the layers from the model when the symptom is ambiguous", () => {
    const o = judgeProbe(planned("deny"), raw(0, 503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure"), predicted("deny", "http 503 upstream connect error", { calico: "deny", networkPolicy: "deny", authorization: "deny" }));
    assert.equal(o.status, "pass");
    assert.deepEqual(o.blockingLayers, ["networkPolicy", "calico"]);
    assert.equal(o.observationMatchesPrediction, true);
  });

  it("reports when the cluster stops an attack at another layer than the model said, without failing it", () => {
    const o = judgeProbe(planned("deny"), raw(0, 403, "RBAC: access denied"), predicted("deny", "curl exit 28", { calico: "deny" }));
    assert.equal(o.status, "pass");
    assert.equal(o.observationMatchesPrediction, false);
  });

  it("calls an attack that got an echo answer a breach, and a failed control a failed control", () => {
    assert.equal(judgeProbe(planned("deny"), raw(0, 200, ECHO), undefined).status, "breach");
    assert.equal(judgeProbe(planned("allow"), raw(28, 0), undefined).status, "control-failed");
    assert.equal(judgeProbe(planned("deny"), raw(6, 0), undefined).status, "unknown");
  });

  it("makes the run inconclusive when a positive control fails, even with no breach, with its own exit code", () => {
    const ok = judgeProbe(planned("deny", "attack"), raw(28, 0), undefined);
    const broken = judgeProbe(planned("allow", "control"), raw(0, 403, "RBAC: access denied"), undefined);
    const verdict = judgeRun([ok, broken], []);
    assert.equal(verdict.outcome, "inconclusive");
    assert.equal(verdict.exitCode, EXIT_CODES.inconclusive);
    assert.notEqual(EXIT_CODES.inconclusive, EXIT_CODES.fail);
    assert.notEqual(EXIT_CODES.inconclusive, EXIT_CODES.pass);
    assert.match(verdict.reasons[0], /1 positive control\(s\) failed: control/);
  });

  it("fails the run on a breach, passes only when everything matched, and counts control-plane checks", () => {
    const blocked = judgeProbe(planned("deny", "attack"), raw(28, 0), undefined);
    const control = judgeProbe(planned("allow", "control"), raw(0, 200, ECHO), undefined);
    assert.equal(judgeRun([blocked, control], []).exitCode, EXIT_CODES.pass);
    const breached = judgeProbe(planned("deny", "attack2"), raw(0, 200, ECHO), undefined);
    assert.equal(judgeRun([blocked, control, breached], []).exitCode, EXIT_CODES.fail);
    const canI: ControlPlaneOutcome = { id: "admin reads secrets", kind: "can-i", description: "", expected: "no", observed: "yes", status: "breach" };
    assert.equal(judgeRun([blocked, control], [canI]).outcome, "fail");
    assert.equal(judgeRun([blocked, control], [{ ...canI, status: "unknown" }]).outcome, "inconclusive");
  });
});
