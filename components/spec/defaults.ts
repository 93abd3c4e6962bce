// Defaults for every optional field of PlatformConfig. Versions are pinned exactly; each is
// overridable in config (`versions.*`). See DESIGN.md §3 for why these versions go together.
import type { IngressGatewaySpec, InstallSwitches, LayerSwitches, LimitRangeSpec, ProxyResourcesSpec, QuotaSpec, SharedServiceSpec } from "./types";

export const DEFAULT_LAYERS: LayerSwitches = {
  networkPolicy: true,
  calico: true,
  clusterNetworkPolicy: false,
  peerAuthentication: true,
  authorization: true,
  sidecarScoping: true,
  quotas: true,
  tenantRbac: true,
  podSecurity: true,
  admissionGuardrails: true,
  accessLogging: true,
};

export const DEFAULT_INSTALL: InstallSwitches = {
  calico: true,
  certManager: true,
  istio: true,
  ingressGateway: false,
};

// Each pin checked upstream (late 2026):
// - Calico v3.32.2: both `crd.projectcalico.org.v1` (CRDs, split out of the operator chart in 3.32)
//   and `tigera-operator` are published at v3.32.2 in https://docs.tigera.io/calico/charts.
// - cert-manager v1.21.1: fixes 1.21.0 regressions (dropped Secret informer events, a controller
//   panic); the release notes say "All users should upgrade".
// - Istio 1.30.5: latest 1.30 patch (1.30.3 fixed certificate reload after repeated Secret
//   rotations); charts base/cni/istiod/gateway are published per patch release. Istio 1.30 supports
//   Kubernetes 1.32–1.36: the kind lab pins a 1.36 node image (lab/workloads/images.ts).
export const DEFAULT_VERSIONS = {
  calico: "v3.32.2",
  certManager: "v1.21.1",
  istio: "1.30.5",
  repos: {
    calico: "https://docs.tigera.io/calico/charts",
    certManager: "https://charts.jetstack.io",
    istio: "https://istio-release.storage.googleapis.com/charts",
  },
  istioHub: "",
};

/**
 * Oldest releases the platform accepts (validation refuses older pins, naming the reason):
 * - Calico v3.32.1: 3.32.0's API server answers a server-side-apply create of a tiered
 *   (Global)NetworkPolicy with NotFound (projectcalico/calico#12841, fixed by #12905/#12906 on
 *   release-v3.32), and the Pulumi provider applies server-side: the cross-tenant policies could
 *   never be created.
 * - cert-manager v1.21.1: `Certificate.spec.renewal.policy: Disabled`, which keeps the mesh root from
 *   re-issuing itself, was introduced in v1.21.0 (cert-manager#8258), and 1.21.0's controller panics
 *   on it (cert-manager#9031, fixed in v1.21.1 by #9038).
 */
export const MINIMUM_VERSIONS = { calico: "v3.32.1", certManager: "v1.21.1" } as const;

/**
 * `global.proxy.resources` of every injected sidecar. Istio's istiod chart default is requests
 * 100m/128Mi and limits 2000m/1024Mi (manifests/charts/istio-control/istio-discovery/values.yaml);
 * the injection template gives the `istio-validation` init container the same resources. With those,
 * the default tenant quota (limits.cpu 8) fits about three meshed pods and a rolling update's surge
 * pod is refused. These are an order of magnitude below Istio's for CPU and requests; the memory
 * limit is a quarter of Istio's because the container holds pilot-agent as well as Envoy.
 */
export const DEFAULT_PROXY_RESOURCES: ProxyResourcesSpec = {
  requestsCpu: "10m",
  requestsMemory: "64Mi",
  limitsCpu: "200m",
  limitsMemory: "256Mi",
};

/**
 * The toleration keys Kubernetes itself puts on pods, the only ones tenant pods may carry by
 * default: the DefaultTolerationSeconds admission plugin adds not-ready and unreachable (NoExecute,
 * 300 s) to every pod, and the DaemonSet controller adds those two plus memory-, disk- and
 * pid-pressure and unschedulable (NoSchedule), and network-unavailable for hostNetwork pods
 * (kubernetes pkg/controller/daemon/util AddOrUpdateDaemonPodTolerations).
 */
export const KUBERNETES_TOLERATION_KEYS: readonly string[] = [
  "node.kubernetes.io/not-ready",
  "node.kubernetes.io/unreachable",
  "node.kubernetes.io/memory-pressure",
  "node.kubernetes.io/disk-pressure",
  "node.kubernetes.io/pid-pressure",
  "node.kubernetes.io/unschedulable",
  "node.kubernetes.io/network-unavailable",
];

/** Node labels (and taint keys) that mark control-plane nodes; `master` is the pre-1.24 name kubeadm still taints with on old clusters. */
export const CONTROL_PLANE_NODE_LABELS: readonly string[] = ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

export const DEFAULT_CLUSTER = {
  name: "hard-tenancy",
  podCidr: "10.244.0.0/16",
  serviceCidr: "10.96.0.0/16",
  trustDomain: "cluster.local",
  dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
  kubeContext: "",
};

export const DEFAULT_MESH_NAMESPACE = "istio-system";

/**
 * The mesh's `meshConfig.pathNormalization.normalization`. Istio's default, BASE, resolves `.`/`..`
 * but neither decodes `%2F`/`%5C` nor merges slashes, so `/logs/ingest/acme/..%2Fglobex/x` passes
 * acme's path-prefix ALLOW while an app that decodes `%2F` serves globex's path. Istio's security
 * best practices recommend DECODE_AND_MERGE_SLASHES when policies match on paths
 * (https://istio.io/latest/docs/ops/best-practices/security/#customize-your-system-on-path-normalization).
 * IstioMesh installs it; the isolation model predicts with it (lab/model/platform.ts).
 */
export const MESH_PATH_NORMALIZATION = "DECODE_AND_MERGE_SLASHES" as const;

export const DEFAULT_INGRESS_GATEWAY: IngressGatewaySpec = {
  namespace: "istio-ingress",
  serviceAccount: "istio-ingressgateway",
  podLabels: { istio: "ingressgateway" },
  serviceType: "LoadBalancer",
};

export const DEFAULT_QUOTA: QuotaSpec = {
  requestsCpu: "4",
  requestsMemory: "8Gi",
  limitsCpu: "8",
  limitsMemory: "16Gi",
  requestsStorage: "50Gi",
  pods: 50,
  services: 20,
  servicesNodePorts: 0,
  servicesLoadBalancers: 0,
  persistentVolumeClaims: 10,
  configMaps: 50,
  secrets: 50,
  deployments: 50,
  // 50 Deployments × (1 live + 10 kept by the default revisionHistoryLimit) = 550: rollouts never stall.
  replicaSets: 600,
  statefulSets: 20,
  // 20 CronJobs × 4 finished Jobs kept by default (3 successful + 1 failed) = 80, plus ad-hoc Jobs.
  jobs: 100,
  cronJobs: 20,
  serviceAccounts: 50,
};

export const DEFAULT_LIMITS: LimitRangeSpec = {
  defaultCpu: "500m",
  defaultMemory: "512Mi",
  defaultRequestCpu: "100m",
  defaultRequestMemory: "128Mi",
  maxCpu: "2",
  maxMemory: "4Gi",
};

export const DEFAULT_SHARED_NAMESPACE = "shared-services";

/** The article's shared log collector: tenants may only POST to /logs/ingest/<their name>/… */
export const DEFAULT_SHARED_SERVICES: SharedServiceSpec[] = [
  { name: "log-collector", serviceAccount: "log-collector", port: 8080, pathPrefix: "/logs/ingest", methods: ["POST"] },
];

/** Namespaces a tenant may never take. */
export const RESERVED_NAMESPACES = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "calico-system",
  "calico-apiserver",
  "tigera-operator",
  "cert-manager",
  "istio-system",
  "local-path-storage",
];
