import assert from "node:assert/strict";
import { attributeLayers, classifyDnsObservation, classifyObservation, looksLikeEchoBody, observationFamily } from "../../../lab/check/classify";
import type { RawObservation } from "../../../lab/check/script";

const ECHO_BODY = JSON.stringify({ server: "hard-tenancy-echo", tenant: "acme", namespace: "tenant-acme", workload: "echo", pod: "echo-5d9c", method: "GET", path: "/" });
function raw(exitCode: number | null, httpCode: number, body = "", errorMessage = ""): RawObservation {
  return { index: 0, exitCode, httpCode, writeOutExitCode: exitCode, errorMessage, timeSeconds: 0.01, body, reported: exitCode !== null };
}

describe("lab check classification rules", () => {
  it("does not count a 200 from something other than the echo server as allowed", () => {
    assert.equal(looksLikeEchoBody(ECHO_BODY), true);
    const c = classifyObservation(raw(0, 200, "<html>welcome</html>"), "sidecar");
    assert.deepEqual([c.verdict, c.layer], ["unknown", "unknown"]);
  });

  it("treats a 403 without Envoy's RBAC body as a deny whose layer is unknown", () => {
    const c = classifyObservation(raw(0, 403, "Forbidden"), "sidecar");
    assert.deepEqual([c.verdict, c.layer], ["deny", "unknown"]);
  });

  it("classifies curl exit 52 (empty reply) with resets, as peerAuthentication", () => {
    assert.equal(classifyObservation(raw(52, 0), "bypass").layer, "peerAuthentication");
  });

  it("reads the API server's answer to plain HTTP on its TLS port as reached, and any other 400 as unexplained", () => {
    const reached = classifyObservation(raw(0, 400, "Client sent an HTTP request to an HTTPS server.\n"), "no-sidecar");
    assert.deepEqual([reached.verdict, reached.family], ["allow", "allow"]);
    assert.equal(observationFamily(reached.observation), "allow");
    assert.equal(classifyObservation(raw(0, 400, "Bad Request"), "no-sidecar").verdict, "unknown");
  });

  it("never turns a missing result into a verdict", () => {
    assert.equal(classifyObservation(raw(null, 0), "sidecar").verdict, "unknown");
    assert.equal(classifyDnsObservation(raw(null, 0)).verdict, "unknown");
  });

  it("judges the DNS control by resolution only: any exit but 6 means the name resolved", () => {
    assert.equal(classifyDnsObservation(raw(52, 0)).verdict, "allow");
    assert.equal(classifyDnsObservation(raw(6, 0, "", "Could not resolve host: kube-dns.kube-system.svc.cluster.local")).verdict, "deny");
  });

  it("puts the model's observation strings into the same families as live ones", () => {
    assert.deepEqual(
      ["http 200", "dns ok", "dns resolved", "http 403 RBAC: access denied", "http 503 upstream connect error", "curl exit 28", "curl exit 7", "curl exit 56", "dns failure", "something else"].map(observationFamily),
      ["allow", "allow", "allow", "authorization", "network", "network", "network", "reset", "dns", "unknown"],
    );
  });

  it("names no layer for a network symptom the model did not predict", () => {
    const c = classifyObservation(raw(28, 0), "no-sidecar");
    assert.deepEqual(attributeLayers(c, { id: "x", verdict: "allow", layers: { networkPolicy: "allow", calico: "allow" }, observation: "http 200" }), []);
    assert.deepEqual(attributeLayers(c, { id: "x", verdict: "deny", layers: { networkPolicy: "deny", calico: "deny" }, observation: "curl exit 28" }), ["networkPolicy", "calico"]);
  });
});
