import assert from "node:assert/strict";
import { allObjects, buildPlatformObjects } from "../../../components/builders";
import { find, labSpec, ofKind, spec } from "./helpers";

describe("mesh-wide objects", () => {
  const mesh = buildPlatformObjects(labSpec()).meshWide;

  it("the root namespace makes mutual TLS STRICT for the whole mesh (UNSET would mean PERMISSIVE)", () => {
    assert.deepEqual(spec(find(mesh, "PeerAuthentication", "default", "istio-system")), { mtls: { mode: "STRICT" } });
  });

  it("an allow-nothing policy (spec: {}) in the root namespace denies whatever no ALLOW matches, mesh-wide", () => {
    const allowNothing = find(mesh, "AuthorizationPolicy", "allow-nothing", "istio-system");
    assert.deepEqual(spec(allowNothing), {});
  });

  it("access logs come from the Telemetry API with the envoy provider, not a patched istio ConfigMap", () => {
    const telemetry = find(mesh, "Telemetry", "mesh-default", "istio-system");
    assert.equal(telemetry.apiVersion, "telemetry.istio.io/v1");
    assert.deepEqual(spec(telemetry), { accessLogging: [{ providers: [{ name: "envoy" }] }] });
    assert.equal(mesh.some((o) => o.kind === "ConfigMap"), false);
    assert.doesNotMatch(JSON.stringify(mesh), /"AUDIT"/);
  });

  it("ships no policy that cannot match: no shared-service impersonation DENY (a principal under ns/shared-services is always in shared-services)", () => {
    assert.equal(allObjects(buildPlatformObjects(labSpec())).some((o) => o.metadata.name === "deny-shared-service-impersonation"), false);
    assert.deepEqual(ofKind(mesh, "AuthorizationPolicy").map((o) => o.metadata.name), ["allow-nothing"]);
  });

  it("the ingress gateway gets its own ALLOW only when the stack installs it", () => {
    assert.equal(mesh.some((o) => o.metadata.namespace === "istio-ingress"), false);
    const withGateway = buildPlatformObjects(labSpec({ install: { ingressGateway: true } })).meshWide;
    const allow = spec(find(withGateway, "AuthorizationPolicy", "allow-ingress-gateway", "istio-ingress"));
    assert.deepEqual(allow.selector, { matchLabels: { istio: "ingressgateway" } });
  });

  it("switching off peer authentication, authorization or access logging removes exactly their mesh objects", () => {
    const none = buildPlatformObjects(labSpec({ layers: { peerAuthentication: false, authorization: false, accessLogging: false } })).meshWide;
    assert.deepEqual(none, []);
    const onlyLogs = buildPlatformObjects(labSpec({ layers: { peerAuthentication: false, authorization: false } })).meshWide;
    assert.deepEqual(onlyLogs.map((o) => o.kind), ["Telemetry"]);
    assert.equal(ofKind(buildPlatformObjects(labSpec({ layers: { authorization: false } })).meshWide, "AuthorizationPolicy").length, 0);
  });
});
