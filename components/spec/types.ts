// The platform's single source of truth.
//
// `PlatformConfig` is what a user writes (stack config keys `hard-tenancy:<key>`, or TypeScript
// args): every field optional except `tenants`. `validatePlatformConfig` turns it into a
// `PlatformSpec`: plain, fully defaulted, cross-checked. Builders, Pulumi components, the YAML
// renderer, the isolation model and the probe catalogue all read the spec, never the raw config.

/** Enforcement layers the isolation model evaluates and `--ablate` / `lab ablate` can remove. */
export const ENFORCEMENT_LAYERS = [
  "networkPolicy", // Kubernetes NetworkPolicy per tenant namespace (L3/4)
  "calico", // Calico GlobalNetworkPolicy cross-tenant deny, one per tenant (L3/4, cluster-scoped)
  "clusterNetworkPolicy", // upstream ClusterNetworkPolicy, Admin tier, one per tenant (L3/4, cluster-scoped)
  "peerAuthentication", // Istio PeerAuthentication STRICT (identity)
  "authorization", // Istio AuthorizationPolicy (L7)
] as const;
export type EnforcementLayer = (typeof ENFORCEMENT_LAYERS)[number];

/** Every switch in `layers`. All default to true except `clusterNetworkPolicy`. */
export interface LayerSwitches {
  networkPolicy: boolean;
  calico: boolean;
  clusterNetworkPolicy: boolean;
  peerAuthentication: boolean;
  authorization: boolean;
  /** Istio `Sidecar` egress scoping (config size, not a firewall). */
  sidecarScoping: boolean;
  /** ResourceQuota + LimitRange per tenant. */
  quotas: boolean;
  /** tenant-admin Role/RoleBinding; the default ServiceAccount never automounts a token regardless. */
  tenantRbac: boolean;
  /** Pod Security Admission `restricted` labels on tenant namespaces. */
  podSecurity: boolean;
  /**
   * One cluster-wide ValidatingAdmissionPolicy + binding for every tenant namespace: no Service
   * externalIPs (CVE-2020-8554) or non-ClusterIP type, no legacy service-account-token Secrets, no
   * Pods that bypass the scheduler with spec.nodeName.
   */
  admissionGuardrails: boolean;
  /** Access logs through the Telemetry API (written by the proxies). */
  accessLogging: boolean;
}

/** Which platform components this stack installs (a real cluster may bring its own). */
export interface InstallSwitches {
  calico: boolean;
  certManager: boolean;
  istio: boolean;
  /** Istio ingress gateway (needed for tenants with `ingress.fromGateway`). */
  ingressGateway: boolean;
}

export interface ChartPin {
  /** Helm repository URL. */
  repo: string;
  /** Chart name in that repository. */
  chart: string;
  /** Exact chart version (no ranges). */
  version: string;
}

export interface VersionPins {
  /** Calico release, e.g. "v3.32.0": used for the tigera-operator and CRD charts. */
  calico: string;
  /** cert-manager release, e.g. "v1.21.0". */
  certManager: string;
  /** Istio release, e.g. "1.30.2": used for base, cni, istiod and gateway charts. */
  istio: string;
  /** Helm repository URLs (override for mirrors / air-gapped registries). */
  repos: { calico: string; certManager: string; istio: string };
  /** Optional image registry override for Istio (`global.hub`). Empty = chart default. */
  istioHub: string;
}

export interface ClusterSpec {
  /** Human name, used in labels and summaries. */
  name: string;
  /** Pod CIDR; on kind it must equal `networking.podSubnet`, and it becomes the Calico IP pool. */
  podCidr: string;
  /** Service CIDR (kind default 10.96.0.0/16). */
  serviceCidr: string;
  /**
   * Where the Kubernetes API really is *after* DNAT (Calico and NetworkPolicy see the endpoint,
   * not the 10.96.0.1 VIP): e.g. the kind control-plane node IP on 6443.
   */
  apiServerEndpoints: { cidr: string; port: number }[];
  /** Istio trust domain (SPIFFE principals are `<trustDomain>/ns/<ns>/sa/<sa>`). */
  trustDomain: string;
  /** Namespace and pod labels of cluster DNS. */
  dns: { namespace: string; podLabels: Record<string, string> };
  /** kubeconfig context for the explicit k8s.Provider; empty = current context. */
  kubeContext: string;
}

export interface QuotaSpec {
  requestsCpu: string;
  requestsMemory: string;
  limitsCpu: string;
  limitsMemory: string;
  requestsStorage: string;
  pods: number;
  services: number;
  servicesNodePorts: number;
  servicesLoadBalancers: number;
  persistentVolumeClaims: number;
  configMaps: number;
  secrets: number;
  /** Object counts (`count/<resource>.<group>`): API and etcd pressure, not compute. */
  deployments: number;
  /** Each Deployment keeps up to revisionHistoryLimit (default 10) old ReplicaSets besides the live one. */
  replicaSets: number;
  statefulSets: number;
  /** CronJobs keep their finished Jobs (default history: 3 successful + 1 failed). */
  jobs: number;
  cronJobs: number;
  serviceAccounts: number;
}

export interface LimitRangeSpec {
  defaultCpu: string;
  defaultMemory: string;
  defaultRequestCpu: string;
  defaultRequestMemory: string;
  maxCpu: string;
  maxMemory: string;
}

export interface TenantSpec {
  /** DNS-1123 label, unique. */
  name: string;
  /**
   * May the tenant's pods reach the Kubernetes API server (its post-DNAT endpoints)? Off by default:
   * tenants get no API token and cannot bind roles, so most never need it; when off, no layer opens
   * the path (NetworkPolicy, Calico) and the catalogue's API probe must be blocked.
   */
  apiServerAccess: boolean;
  /** Namespace; default `tenant-<name>`. */
  namespace: string;
  /** Groups bound to the tenant-admin Role. */
  adminGroups: string[];
  /** Names of shared services this tenant may call (default: all). */
  sharedServices: string[];
  /** Ingress from the Istio ingress gateway to these ports (empty = none). */
  ingress: { fromGateway: boolean; ports: number[] };
  quota: QuotaSpec;
  limits: LimitRangeSpec;
  /** Extra namespace labels (cannot override the platform's own labels). */
  labels: Record<string, string>;
}

export interface SharedServiceSpec {
  /** Workload name: the `app` label of its pods and the name of its Service. */
  name: string;
  /** ServiceAccount the service runs as (its SPIFFE identity). */
  serviceAccount: string;
  /** Container/service port (HTTP). */
  port: number;
  /** Tenants reach `<pathPrefix>/<tenant>/…` only, e.g. "/logs/ingest". */
  pathPrefix: string;
  /** Allowed HTTP methods, e.g. ["POST"]. */
  methods: string[];
}

export interface SharedServicesSpec {
  enabled: boolean;
  namespace: string;
  /** How the service learns the caller's tenant: the sidecar's XFCC header, or a Lua filter that replaces `x-tenant-identity`. */
  identityPropagation: "xfcc" | "lua";
  services: SharedServiceSpec[];
}

/** Kubernetes Service types the ingress gateway may use. */
export const GATEWAY_SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type GatewayServiceType = (typeof GATEWAY_SERVICE_TYPES)[number];

export interface IngressGatewaySpec {
  namespace: string;
  /** ServiceAccount of the gateway pods (its principal is allowed into tenants with ingress). */
  serviceAccount: string;
  /** Pod labels of the gateway (NetworkPolicy peer). */
  podLabels: Record<string, string>;
  /** Type of the gateway's Service: LoadBalancer (default) to be reachable from outside the cluster. */
  serviceType: GatewayServiceType;
}

/** An explicit, audited cross-tenant exception: opens exactly this path in every layer. */
export interface GrantSpec {
  /** Stable id, `<from>-to-<to>-<workload>-<index>`; used in object names. */
  id: string;
  from: string; // tenant name
  to: string; // tenant name
  /** Destination workload (`app` label value), e.g. "api-gateway". */
  workload: string;
  port: number;
  methods: string[];
  paths: string[];
  /** Why this exists (required: grants are audited). */
  reason: string;
}

/** Requests and limits of every injected `istio-proxy` (and the `istio-validation` init container). */
export interface ProxyResourcesSpec {
  requestsCpu: string;
  requestsMemory: string;
  limitsCpu: string;
  limitsMemory: string;
}

/** Mesh-wide settings the platform passes to istiod. */
export interface MeshSettingsSpec {
  /** Istio chart value `global.proxy.resources`: what every sidecar costs a tenant's quota. */
  proxyResources: ProxyResourcesSpec;
}

/** Settings of the tenant admission guardrails (layers.admissionGuardrails). */
export interface GuardrailsSpec {
  /**
   * Toleration keys tenant pods may carry. Default: the keys Kubernetes itself adds (the
   * DefaultTolerationSeconds admission plugin and the DaemonSet controller); add the taint keys of
   * tenant node pools here. A toleration without a key (tolerate everything) is never allowed.
   */
  allowedTolerationKeys: string[];
}

export interface PlatformSpec {
  cluster: ClusterSpec;
  layers: LayerSwitches;
  install: InstallSwitches;
  versions: VersionPins;
  /** Istio root namespace (mesh-wide policies live here). */
  meshNamespace: string;
  mesh: MeshSettingsSpec;
  guardrails: GuardrailsSpec;
  ingressGateway: IngressGatewaySpec;
  sharedServices: SharedServicesSpec;
  tenants: TenantSpec[];
  grants: GrantSpec[];
  /** Deploy the lab's demo workloads (echo server, clients) into every tenant. */
  demoWorkloads: boolean;
}

/** Deep-partial input shape: the stack config keys and the TypeScript args. */
export interface PlatformConfig {
  cluster?: Partial<Omit<ClusterSpec, "dns">> & { dns?: Partial<ClusterSpec["dns"]> };
  layers?: Partial<LayerSwitches>;
  install?: Partial<InstallSwitches>;
  versions?: Partial<Omit<VersionPins, "repos">> & { repos?: Partial<VersionPins["repos"]> };
  meshNamespace?: string;
  mesh?: { proxyResources?: Partial<ProxyResourcesSpec> };
  guardrails?: Partial<GuardrailsSpec>;
  ingressGateway?: Partial<IngressGatewaySpec>;
  sharedServices?: Partial<Omit<SharedServicesSpec, "services">> & { services?: Partial<SharedServiceSpec>[] };
  tenants: TenantConfig[];
  grants?: GrantConfig[];
  demoWorkloads?: boolean;
}

export interface TenantConfig {
  name: string;
  apiServerAccess?: boolean;
  namespace?: string;
  adminGroups?: string[];
  sharedServices?: string[];
  ingress?: Partial<TenantSpec["ingress"]>;
  quota?: Partial<QuotaSpec>;
  limits?: Partial<LimitRangeSpec>;
  labels?: Record<string, string>;
}

export type GrantConfig = Omit<GrantSpec, "id">;
