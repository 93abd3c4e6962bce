// Mesh-wide objects in the Istio root namespace: they apply to every workload in the mesh.
import type { K8sObject } from "../k8s/object";
import type { PlatformSpec } from "../spec/types";
import { API, makeObject } from "./common";

function meshObject(spec: PlatformSpec, apiVersion: string, kind: string, name: string, body: Record<string, unknown>): K8sObject {
  return makeObject(apiVersion, kind, name, { namespace: spec.meshNamespace }, body);
}

/**
 * The mesh-wide allow-nothing also applies to the ingress gateway's Envoy; without an ALLOW there
 * it would refuse every request. The tenants' own policies still decide what reaches them.
 */
function ingressGatewayAllowPolicy(spec: PlatformSpec): K8sObject {
  return makeObject(API.istioSecurity, "AuthorizationPolicy", "allow-ingress-gateway", { namespace: spec.ingressGateway.namespace }, {
    spec: { selector: { matchLabels: { ...spec.ingressGateway.podLabels } }, action: "ALLOW", rules: [{}] },
  });
}

export function buildMeshWideObjects(spec: PlatformSpec): K8sObject[] {
  const objects: K8sObject[] = [];
  if (spec.layers.peerAuthentication) {
    // Root-namespace PeerAuthentication = mesh default; namespace and workload policies override it.
    objects.push(meshObject(spec, API.istioSecurity, "PeerAuthentication", "default", { spec: { mtls: { mode: "STRICT" } } }));
  }
  if (spec.layers.authorization) {
    // `spec: {}` in the root namespace: an ALLOW policy matching nothing, applied to every workload.
    objects.push(meshObject(spec, API.istioSecurity, "AuthorizationPolicy", "allow-nothing", { spec: {} }));
    // No "shared-service principals from outside the shared namespace" DENY: Istio derives a source's
    // namespace from its principal (`namespaces` matches `.*/ns/<ns>/.*` of the same SPIFFE ID), so a
    // principal under ns/shared-services always is in namespace shared-services and such a rule can
    // never match (DESIGN §4.8). STRICT mTLS is what keeps a tenant from presenting that identity.
    if (spec.install.ingressGateway) objects.push(ingressGatewayAllowPolicy(spec));
  }
  if (spec.layers.accessLogging) {
    // Telemetry API, not a patch of the `istio` ConfigMap (article bug 6); logs come from the proxies.
    objects.push(meshObject(spec, API.istioTelemetry, "Telemetry", "mesh-default", { spec: { accessLogging: [{ providers: [{ name: "envoy" }] }] } }));
  }
  return objects;
}
