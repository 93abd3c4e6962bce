// What kubeadm and the Istio install would put on a real cluster's node, for the local dataplane:
// cluster DNS (CoreDNS, built from its Go module, with the kubernetes plugin) behind the kube-dns
// Service, and — only when the mesh tools are not built (else lab/local/mesh/istiod-pod.ts runs the
// real istiod) — an istiod *stand-in*: the project's echo server listening on istiod's ports, with
// istiod's labels, so the platform's istiod allowance (15012, 15017) is still tested for
// reachability on real packets. The stand-in is no control plane: nothing speaks xDS or signs
// certificates. The same objects are given to the model, so the prediction and the live check look
// at one cluster.
import type { K8sObject } from "../../../components/k8s/object";
import type { PlatformSpec } from "../../../components/spec/types";
import { ECHO_SERVER_CONFIGMAP, ECHO_SERVER_ENV, ECHO_SERVER_FILE, ECHO_SERVER_PROGRAM } from "../../workloads/echo-server";
import { firstServiceIp } from "../control-plane";

/** The Secret holding CoreDNS's kubeconfig (a token of its service account, minted at `up`). */
export const COREDNS_KUBECONFIG_SECRET = "coredns-kubeconfig";
/** The istiod ports the platform's NetworkPolicies allow tenants to reach. */
export const ISTIOD_STAND_IN_PORTS = [15012, 15017] as const;
export const ISTIOD_STAND_IN_LABELS = { app: "istiod", istio: "pilot", "sidecar.istio.io/inject": "false", "hard-tenancy.io/stand-in": "istiod" };
export const MANAGED = { "app.kubernetes.io/managed-by": "hard-tenancy-lab" };
/** The UID CoreDNS and the stand-in run as (non-root, as kubeadm's CoreDNS and Istio's images). */
const ADDON_UID = 65532;

/** kube-dns's ClusterIP: the 10th address of the service CIDR, as kubeadm assigns it. */
export function dnsClusterIp(serviceCidr: string): string {
  const first = firstServiceIp(serviceCidr).split(".").map(Number);
  first[3] += 9;
  return first.join(".");
}

export function corefile(clusterDomain = "cluster.local"): string {
  return [
    ".:53 {",
    "    errors",
    "    health 127.0.0.1:8080",
    "    ready 127.0.0.1:8181",
    `    kubernetes ${clusterDomain} in-addr.arpa ip6.arpa {`,
    // CoreDNS expands {$VAR} in the Corefile: the path comes from the container's env, so the local
    // node can map it onto the host directory the Secret volume is materialised in.
    "        kubeconfig {$COREDNS_KUBECONFIG} local",
    "        pods insecure",
    "        fallthrough in-addr.arpa ip6.arpa",
    "        ttl 30",
    "    }",
    // No `forward`: the lab has no upstream resolver; other names fail fast with SERVFAIL/NXDOMAIN.
    "    cache 30",
    "}",
    "",
  ].join("\n");
}

const restricted = { runAsNonRoot: true, runAsUser: ADDON_UID, runAsGroup: ADDON_UID, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, seccompProfile: { type: "RuntimeDefault" } };

function deployment(namespace: string, name: string, labels: Record<string, string>, pod: Record<string, unknown>): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { ...labels, ...MANAGED } },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { automountServiceAccountToken: false, ...pod } } },
  };
}

export function corednsObjects(spec: PlatformSpec, corednsBinary: string): K8sObject[] {
  const namespace = spec.cluster.dns.namespace;
  const labels = { ...spec.cluster.dns.podLabels };
  return [
    ...(namespace === "kube-system" ? [] : [{ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: MANAGED } }]),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "coredns", namespace, labels: MANAGED } },
    // kubeadm's system:coredns ClusterRole: what the kubernetes plugin lists and watches.
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "system:coredns", labels: MANAGED },
      rules: [
        { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "system:coredns", labels: MANAGED },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:coredns" },
      subjects: [{ kind: "ServiceAccount", name: "coredns", namespace }],
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace, labels: MANAGED }, data: { Corefile: corefile() } },
    deployment(namespace, "coredns", labels, {
      serviceAccountName: "coredns",
      volumes: [
        { name: "config", configMap: { name: "coredns" } },
        { name: "kubeconfig", secret: { secretName: COREDNS_KUBECONFIG_SECRET } },
      ],
      containers: [
        {
          name: "coredns",
          image: `coredns (host binary ${corednsBinary})`,
          command: [corednsBinary, "-conf", "/etc/coredns/Corefile"],
          env: [{ name: "COREDNS_KUBECONFIG", value: "/etc/coredns-kubeconfig/kubeconfig" }],
          ports: [
            { name: "dns", containerPort: 53, protocol: "UDP" },
            { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
          ],
          volumeMounts: [
            { name: "config", mountPath: "/etc/coredns" },
            { name: "kubeconfig", mountPath: "/etc/coredns-kubeconfig" },
          ],
          // kubeadm's CoreDNS: non-root with only NET_BIND_SERVICE, for port 53.
          securityContext: { ...restricted, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] } },
        },
      ],
    }),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace, labels: { "k8s-app": "kube-dns", ...MANAGED } },
      spec: {
        selector: labels,
        clusterIP: dnsClusterIp(spec.cluster.serviceCidr),
        ports: [
          { name: "dns", port: 53, targetPort: 53, protocol: "UDP" },
          { name: "dns-tcp", port: 53, targetPort: 53, protocol: "TCP" },
        ],
      },
    },
  ];
}

export function istiodStandInObjects(spec: PlatformSpec): K8sObject[] {
  const namespace = spec.meshNamespace;
  const server = (port: number) => ({
    name: `listen-${port}`,
    image: "node (host binary): the lab's echo server as an istiod stand-in",
    command: ["node", `/app/${ECHO_SERVER_FILE}`],
    ports: [{ containerPort: port, protocol: "TCP" }],
    env: [
      { name: ECHO_SERVER_ENV.port, value: String(port) },
      { name: ECHO_SERVER_ENV.tenant, value: "" },
      { name: ECHO_SERVER_ENV.namespace, valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: ECHO_SERVER_ENV.workload, value: "istiod" },
      { name: ECHO_SERVER_ENV.pod, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    ],
    volumeMounts: [{ name: "program", mountPath: "/app" }],
    securityContext: { ...restricted, capabilities: { drop: ["ALL"] } },
  });
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: ECHO_SERVER_CONFIGMAP, namespace, labels: MANAGED }, data: { [ECHO_SERVER_FILE]: ECHO_SERVER_PROGRAM } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "istiod", namespace, labels: MANAGED }, automountServiceAccountToken: false },
    deployment(namespace, "istiod", { ...ISTIOD_STAND_IN_LABELS }, {
      serviceAccountName: "istiod",
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      volumes: [{ name: "program", configMap: { name: ECHO_SERVER_CONFIGMAP } }],
      containers: ISTIOD_STAND_IN_PORTS.map(server),
    }),
    istiodService(spec),
  ];
}

/**
 * istiod's Service as Istio's chart declares it (istio-discovery templates/service.yaml): plaintext
 * xDS 15010, xDS/CA 15012, the injection webhook as 443 → 15017, monitoring 15014. The same for the
 * real istiod and its stand-in, so the catalogue's probes address one Service.
 */
export function istiodService(spec: Pick<PlatformSpec, "meshNamespace">): K8sObject {
  const selector = { app: "istiod", istio: "pilot" };
  const port = (name: string, number: number, target = number) => ({ name, port: number, targetPort: target, protocol: "TCP" });
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "istiod", namespace: spec.meshNamespace, labels: { ...selector, ...MANAGED } },
    spec: { selector, ports: [port("grpc-xds", 15010), port("https-dns", 15012), port("https-webhook", 443, 15017), port("http-monitoring", 15014)] },
  };
}
