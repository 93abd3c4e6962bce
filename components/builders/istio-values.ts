// Helm values of the Istio charts, built from the spec (pure: no Pulumi). IstioMesh passes them to
// the charts; the local lab's istiod reads the same meshConfig (lab/local/mesh), so the mesh it runs
// is the mesh the platform installs. Each chart gets only the values it reads (istio/istio
// manifests/charts/*: values.yaml and templates, 1.30) — see components/pulumi/IstioMesh.ts.
import { MESH_PATH_NORMALIZATION } from "../spec/defaults";
import type { PlatformSpec } from "../spec/types";

export type MeshSpec = Pick<PlatformSpec, "cluster" | "versions" | "meshNamespace" | "mesh" | "install" | "ingressGateway">;

/** `global.hub`, only when the user overrides the chart's pinned default. */
function hubValue(spec: MeshSpec): Record<string, unknown> {
  return spec.versions.istioHub ? { hub: spec.versions.istioHub } : {};
}

/** base chart values: it reads `global.istioNamespace` only. */
export function baseValues(spec: MeshSpec): Record<string, unknown> {
  return { global: { istioNamespace: spec.meshNamespace } };
}

/** cni chart values: it reads `global.hub` (its own image), never `global.istioNamespace`. */
export function cniValues(spec: MeshSpec): Record<string, unknown> {
  const hub = hubValue(spec);
  return Object.keys(hub).length > 0 ? { global: hub } : {};
}

/**
 * How every sidecar's inbound listener treats `x-forwarded-client-cert`. Istio's default is
 * APPEND_FORWARD (pilot `GetProxyHeadersFromProxyConfig`): a client that speaks mTLS straight to a pod
 * with its own genuine certificate, bypassing its own outbound sidecar, can send forged XFCC
 * elements and the server's sidecar only appends the true one after them. SANITIZE_SET (Envoy HCM:
 * on an mTLS connection, reset the header to the client certificate's details; without a client
 * certificate, remove it) leaves exactly one element, built from the verified peer. Pilot reads it
 * from ProxyConfig `proxyHeaders.forwardedClientCert` for the sidecar inbound HCM
 * (`buildSidecarInboundHTTPOpts`) and keeps its default `setCurrentClientCertDetails` (URI, DNS,
 * Subject). ProxyConfig is fixed at injection: existing pods keep the old behaviour until restarted.
 */
export const SIDECAR_FORWARDED_CLIENT_CERT = "SANITIZE_SET" as const;

/** istiod values: proxy resources, trust domain, root namespace, XFCC, istio-cni; access logs come from the Telemetry API. */
export function istiodValues(spec: MeshSpec): Record<string, unknown> {
  const r = spec.mesh.proxyResources;
  return {
    global: {
      istioNamespace: spec.meshNamespace,
      ...hubValue(spec),
      // Every injected istio-proxy and istio-validation container (injection template "resources").
      proxy: { resources: { requests: { cpu: r.requestsCpu, memory: r.requestsMemory }, limits: { cpu: r.limitsCpu, memory: r.limitsMemory } } },
    },
    // No `accessLogFile`: access logging is a Telemetry resource (builders), not mesh config.
    meshConfig: {
      trustDomain: spec.cluster.trustDomain,
      rootNamespace: spec.meshNamespace,
      // AuthorizationPolicy `paths` match the path after this normalization (and the app gets the
      // same path). Istio's default BASE leaves `%2F`/`%5C` encoded, so `<prefix>/acme/..%2Fglobex/x`
      // matches acme's `<prefix>/acme/*` ALLOW yet reaches globex's data in an app that decodes.
      // DECODE_AND_MERGE_SLASHES (Envoy: path_with_escaped_slashes_action UNESCAPE_AND_FORWARD,
      // normalize_path, merge_slashes) is what istio.io "Security Best Practices" recommends for
      // path-based policies; https://istio.io/latest/docs/reference/config/security/normalization/.
      pathNormalization: { normalization: MESH_PATH_NORMALIZATION },
      defaultConfig: { proxyHeaders: { forwardedClientCert: SIDECAR_FORWARDED_CLIENT_CERT } },
    },
    // Sidecars get their redirection from the CNI agent: no privileged istio-init container.
    pilot: { cni: { enabled: true } },
  };
}

/** Gateway chart values: service account, pod labels and Service type, all from `spec.ingressGateway`. */
export function gatewayValues(spec: MeshSpec): Record<string, unknown> {
  return {
    labels: spec.ingressGateway.podLabels,
    serviceAccount: { create: true, name: spec.ingressGateway.serviceAccount },
    service: { type: spec.ingressGateway.serviceType },
  };
}
