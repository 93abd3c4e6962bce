import assert from "node:assert/strict";
import { classifyConnectObservation, classifyObservationWithoutMesh, observationFamily } from "../../../lab/check/classify";
import { EXIT_CODES, judgeProbe, judgeRun, skippedProbe } from "../../../lab/check/compare";
import type { RawObservation } from "../../../lab/check/script";
import { probeMethod, requestFor, type PlannedProbe } from "../../../lab/check/targets";
import type { CataloguedProbe, ProbeResult } from "../../../lab/probes/types";

const ECHO = JSON.stringify({ server: "hard-tenancy-echo", tenant: "b", workload: "echo", pod: "echo-1" });
const raw = (exitCode: number, httpCode: number, body = "", errorMessage = ""): RawObservation => ({ index: 0, exitCode, httpCode, writeOutExitCode: exitCode, errorMessage, timeSeconds: 0, body, reported: true });
const predicted = (verdict: "allow" | "deny", observation: string): ProbeResult => ({ id: "x", verdict, layers: { networkPolicy: verdict }, observation, absentLayers: { peerAuthentication: "no mesh on this backend", authorization: "no mesh on this backend" } });

function planned(intent: "allow" | "deny", extra: Partial<CataloguedProbe> = {}): PlannedProbe {
  const probe: CataloguedProbe = { id: `p-${intent}`, from: "tenant-a/debug", to: { service: "tenant-b/echo", port: 80 }, protocol: "HTTP", client: "no-sidecar", intent, category: intent === "allow" ? "same-tenant" : "cross-tenant", attacker: "a", victim: "b", description: "", ...extra };
  return { probe, method: probeMethod(probe), request: requestFor(probe, () => undefined) };
}
const absent = { mesh: "absent" } as const;

describe("lab check without a mesh: observed = predicted (the model with the mesh absent)", () => {
  it("passes an attack the network layers stop, as predicted", () => {
    const o = judgeProbe(planned("deny"), raw(28, 0), predicted("deny", "curl exit 28"), absent);
    assert.equal(o.status, "pass");
    assert.equal(o.observationMatchesPrediction, true);
  });

  it("calls an attack that gets through where only the mesh would stop it mesh-only: neither a pass nor a breach", () => {
    const o = judgeProbe(planned("deny"), raw(0, 200, ECHO), predicted("allow", "http 200"), absent);
    assert.equal(o.status, "mesh-only");
    const verdict = judgeRun([o], []);
    assert.equal(verdict.outcome, "pass");
    assert.match(verdict.reasons[0], /all 0 checks run matched their intent \(and 1 stopped only by the mesh \(absent here\), observed as predicted\)/);
    assert.ok(verdict.reasons.some((r) => /1 attack\(s\) got through, stopped only by the mesh \(absent here\), as predicted: p-deny/.test(r)));
  });

  it("calls an attack that gets through where the network layers should stop it a breach", () => {
    const o = judgeProbe(planned("deny"), raw(0, 200, ECHO), predicted("deny", "curl exit 28"), absent);
    assert.equal(o.status, "breach");
    assert.equal(judgeRun([o], []).exitCode, EXIT_CODES.fail);
  });

  it("makes the run inconclusive when an attack is stopped that the model lets through: observed ≠ predicted", () => {
    const o = judgeProbe(planned("deny"), raw(28, 0), predicted("allow", "http 200"), absent);
    assert.equal(o.status, "mismatch");
    const verdict = judgeRun([o], []);
    assert.equal(verdict.exitCode, EXIT_CODES.inconclusive);
    assert.match(verdict.reasons[0], /1 probe\(s\) observed ≠ predicted \(the model\): p-deny/);
  });

  it("never counts a refusal as a block where the model predicts a drop: a server that is not listening, not a policy", () => {
    const o = judgeProbe(planned("deny"), raw(7, 0, "", "Failed to connect to 10.244.1.10 port 8080: Connection refused"), predicted("deny", "curl exit 28"), absent);
    assert.equal(o.status, "mismatch");
    assert.equal(o.observationMatchesPrediction, false);
    assert.equal(judgeProbe(planned("deny"), raw(7, 0), predicted("deny", "curl exit 7"), absent).status, "pass", "a Service without endpoints is refused by kube-proxy, as predicted");
  });

  it("still fails a positive control that is blocked, whatever the model says", () => {
    assert.equal(judgeProbe(planned("allow"), raw(28, 0), predicted("allow", "http 200"), absent).status, "control-failed");
    assert.equal(judgeProbe(planned("allow"), raw(0, 200, ECHO), predicted("allow", "http 200"), absent).status, "pass");
  });

  it("never credits a reset or an Envoy-looking answer to a mesh that is not there: inconclusive", () => {
    for (const [exit, http, body] of [[56, 0, ""], [52, 0, ""], [0, 403, "RBAC: access denied"], [0, 503, "upstream connect error or disconnect/reset before headers"]] as const) {
      const c = classifyObservationWithoutMesh(raw(exit, http, body));
      assert.equal(c.verdict, "unknown", `${exit} ${http}`);
      assert.equal(judgeProbe(planned("deny"), raw(exit, http, body), predicted("deny", "curl exit 28"), absent).status, "unknown");
    }
  });

  it("judges a TCP probe by its connection: any answer, an empty reply or a reset after connecting is connected; a timeout or a refusal is blocked", () => {
    for (const r of [raw(0, 200, ECHO), raw(0, 400, "x"), raw(52, 0), raw(56, 0), raw(8, 0), raw(1, 0, "", "Received HTTP/0.9 when not allowed")]) {
      const c = classifyConnectObservation(r);
      assert.deepEqual([c.verdict, c.observation, observationFamily(c.observation)], ["allow", "connected", "allow"], `exit ${r.exitCode}`);
    }
    assert.deepEqual([classifyConnectObservation(raw(28, 0)).verdict, classifyConnectObservation(raw(7, 0)).verdict], ["deny", "deny"]);
    assert.equal(classifyConnectObservation(raw(6, 0)).verdict, "unknown");
    assert.equal(classifyConnectObservation(raw(1, 0, "", "Unsupported protocol")).verdict, "unknown");
    const tcp = planned("allow", { protocol: "TCP", category: "dns", to: { service: "kube-system/kube-dns", port: 53 } });
    assert.equal(tcp.method, "tcp");
    assert.equal(judgeProbe(tcp, raw(52, 0), predicted("allow", "connected"), absent).status, "pass");
  });

  it("judges a TCP probe from a sidecar client by HTTP, never by the connection its own Envoy accepts", () => {
    const tcp = planned("deny", { protocol: "TCP", client: "sidecar", from: "tenant-a/client" });
    assert.equal(judgeProbe(tcp, raw(56, 0), undefined).classification.layer, "peerAuthentication");
  });

  it("reports a probe that needs the mesh as skipped, with why, never as passed", () => {
    const o = skippedProbe(planned("deny"), "needs the mesh (not on this backend): …");
    assert.equal(o.status, "skipped");
    assert.equal(o.classification.reason, "needs the mesh (not on this backend): …");
    const verdict = judgeRun([o, judgeProbe(planned("deny"), raw(28, 0), predicted("deny", "curl exit 28"), absent)], []);
    assert.equal(verdict.outcome, "pass");
    assert.match(verdict.reasons[0], /all 1 checks run/);
    assert.ok(verdict.reasons.some((r) => /1 check\(s\) skipped: p-deny/.test(r)));
  });
});
