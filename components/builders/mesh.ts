// Mesh-wide objects in the Istio root namespace: they apply to every workload in the mesh.
import type { K8sObject } from "../k8s/object";
import type { PlatformSpec } from "../spec/types";
import { API, makeObject, namespacePrincipals } from "./common";

function meshObject(spec: PlatformSpec, apiVersion: string, kind: string, name: string, body: Record<string, unknown>): K8sObject {
  return makeObject(apiVersion, kind, name, { namespace: spec.meshNamespace }, body);
}

/**
 * Shared-service principals presented from outside the shared namespace. A genuine certificate
 * cannot carry another namespace's identity, so this can only match if the CA is compromised;
 * kept as defense in depth (DESIGN §4.8). STRICT mTLS is what really stops a forger.
 */
function impersonationDenyPolicy(spec: PlatformSpec): K8sObject {
  const shared = spec.sharedServices.namespace;
  return meshObject(spec, API.istioSecurity, "AuthorizationPolicy", "deny-shared-service-impersonation", {
    spec: {
      action: "DENY",
      rules: [{ from: [{ source: { notNamespaces: [shared], principals: [namespacePrincipals(spec, shared)] } }] }],
    },
  });
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
    if (spec.sharedServices.enabled) objects.push(impersonationDenyPolicy(spec));
    if (spec.install.ingressGateway) objects.push(ingressGatewayAllowPolicy(spec));
  }
  if (spec.layers.accessLogging) {
    // Telemetry API, not a patch of the `istio` ConfigMap (article bug 6); logs come from the proxies.
    objects.push(meshObject(spec, API.istioTelemetry, "Telemetry", "mesh-default", { spec: { accessLogging: [{ providers: [{ name: "envoy" }] }] } }));
  }
  return objects;
}
