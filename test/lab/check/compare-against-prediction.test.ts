import assert from "node:assert/strict";
import { EXIT_CODES, judgeProbe, judgeRun } from "../../../lab/check/compare";
import type { RawObservation } from "../../../lab/check/script";
import { probeMethod, requestFor, type PlannedProbe } from "../../../lab/check/targets";
import type { CataloguedProbe, ProbeResult } from "../../../lab/probes/types";

const ECHO = JSON.stringify({ server: "hard-tenancy-echo", tenant: "b", workload: "echo", pod: "echo-1" });
const raw = (exitCode: number, httpCode: number, body = ""): RawObservation => ({ index: 0, exitCode, httpCode, writeOutExitCode: exitCode, errorMessage: "", timeSeconds: 0, body, reported: true });
const predicted = (verdict: "allow" | "deny", observation: string): ProbeResult => ({ id: "x", verdict, layers: {}, observation });

function planned(intent: "allow" | "deny", client: CataloguedProbe["client"] = "sidecar"): PlannedProbe {
  const probe: CataloguedProbe = { id: `p-${intent}`, from: "tenant-a/client", to: { service: "tenant-b/echo", port: 80 }, protocol: "HTTP", client, intent, category: intent === "allow" ? "same-tenant" : "cross-tenant", attacker: "a", victim: "b", description: "" };
  return { probe, method: probeMethod(probe), request: requestFor(probe, () => undefined) };
}
const gated = { gate: "prediction" } as const;

describe("lab check against the prediction with the mesh present (the local backend's real sidecars)", () => {
  it("passes an attack held by the layer and with the very symptom the model predicts", () => {
    const o = judgeProbe(planned("deny"), raw(0, 403, "RBAC: access denied"), predicted("deny", "http 403 RBAC: access denied"), gated);
    assert.equal(o.status, "pass");
    assert.deepEqual(o.blockingLayers, ["authorization"]);
  });

  it("calls an attack held by another layer than predicted a mismatch, where the intent-only gate passes it", () => {
    const reset = raw(56, 0);
    const prediction = predicted("deny", "http 403 RBAC: access denied");
    assert.equal(judgeProbe(planned("deny", "bypass"), reset, prediction, gated).status, "mismatch");
    assert.equal(judgeProbe(planned("deny", "bypass"), reset, prediction).status, "pass", "kind's gate is the intent");
    assert.equal(judgeRun([judgeProbe(planned("deny", "bypass"), reset, prediction, gated)], []).exitCode, EXIT_CODES.inconclusive);
  });

  it("calls an attack that gets through a breach even where the model predicted it: the mesh is present, nothing else stops it", () => {
    const o = judgeProbe(planned("deny"), raw(0, 200, ECHO), predicted("allow", "http 200"), gated);
    assert.equal(o.status, "breach");
    assert.equal(judgeRun([o], []).exitCode, EXIT_CODES.fail);
  });

  it("credits a reset to STRICT mTLS when the mesh is present (without a mesh the same reset is unexplained)", () => {
    const o = judgeProbe(planned("deny", "no-sidecar"), raw(56, 0), predicted("deny", "curl exit 56"), gated);
    assert.equal(o.status, "pass");
    assert.deepEqual(o.blockingLayers, ["peerAuthentication"]);
    assert.equal(judgeProbe(planned("deny", "no-sidecar"), raw(56, 0), predicted("deny", "curl exit 56"), { mesh: "absent" }).status, "unknown");
  });

  it("fails a positive control that is blocked, whatever the model says", () => {
    assert.equal(judgeProbe(planned("allow"), raw(0, 403, "RBAC: access denied"), predicted("deny", "http 403 RBAC: access denied"), gated).status, "control-failed");
  });
});
