// What a kind cluster has that our manifests do not: kube-system, CoreDNS and its kube-dns
// Service, (when Istio is installed) istiod, and (when Calico is installed) the tigera-operator's
// `calico-system` tier with the policy of it that selects kube-dns. The model needs them so that DNS
// and istiod probes, and the policies that allow them, resolve to real workloads, and so that the
// tier order it evaluates is the cluster's.
import type { K8sObject } from "../../components/k8s/object";
import type { PlatformSpec } from "../../components/spec/types";
import { cidrContains, parseCidr } from "../../components/spec/cidr";

/** kind's kube-dns ClusterIP (the 10th address of the default service CIDR 10.96.0.0/16). */
export const KIND_DNS_CLUSTER_IP = "10.96.0.10";

function deployment(namespace: string, name: string, labels: Record<string, string>, serviceAccount: string, ports: object[]): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { serviceAccountName: serviceAccount, containers: [{ name, image: name, ports }] },
      },
    },
  };
}

/** The tigera-operator's tier for Calico's own components (tigera/operator pkg/render/tiers: order 100). */
export const OPERATOR_TIER = { name: "calico-system", order: 100 } as const;

/**
 * The operator's tier and its `calico-system.cluster-dns` policy in kube-system (as a Goldmane flow
 * log of a 3.32 cluster shows it: rule 0 Allows Calico's namespaces, rule 1 Passes the rest). Every
 * other calico-system policy selects pods in Calico's own namespaces only, which the probes never
 * reach, so they are left out.
 */
export function operatorTierObjects(): K8sObject[] {
  const calicoNamespaces = ["calico-system", "calico-apiserver", "tigera-operator"].map((n) => `'${n}'`).join(", ");
  return [
    { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: OPERATOR_TIER.name }, spec: { order: OPERATOR_TIER.order, defaultAction: "Deny" } },
    {
      apiVersion: "projectcalico.org/v3",
      kind: "NetworkPolicy",
      metadata: { name: `${OPERATOR_TIER.name}.cluster-dns`, namespace: "kube-system" },
      spec: {
        tier: OPERATOR_TIER.name,
        order: 1,
        selector: "k8s-app == 'kube-dns'",
        types: ["Ingress", "Egress"],
        ingress: [{ action: "Allow", source: { namespaceSelector: "all()", selector: `projectcalico.org/namespace in {${calicoNamespaces}}` } }, { action: "Pass" }],
        egress: [{ action: "Allow" }],
      },
    },
  ];
}

export function kindBuiltins(spec: PlatformSpec): K8sObject[] {
  const dnsNamespace = spec.cluster.dns.namespace;
  const dnsLabels = { ...spec.cluster.dns.podLabels };
  const objects: K8sObject[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } },
    deployment(dnsNamespace, "coredns", dnsLabels, "coredns", [
      { name: "dns", containerPort: 53, protocol: "UDP" },
      { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
      { name: "metrics", containerPort: 9153, protocol: "TCP" },
    ]),
  ];
  if (dnsNamespace !== "kube-system") objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: dnsNamespace } });
  const serviceCidr = parseCidr(spec.cluster.serviceCidr);
  const inServiceCidr = serviceCidr !== undefined && cidrContains(serviceCidr, KIND_DNS_CLUSTER_IP);
  objects.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", namespace: dnsNamespace, labels: { "k8s-app": "kube-dns" } },
    spec: {
      selector: dnsLabels,
      ...(inServiceCidr ? { clusterIP: KIND_DNS_CLUSTER_IP } : {}),
      ports: [
        { name: "dns", port: 53, targetPort: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, targetPort: 53, protocol: "TCP" },
        { name: "metrics", port: 9153, targetPort: 9153, protocol: "TCP" },
      ],
    },
  });
  if (spec.install.calico) objects.push(...operatorTierObjects());
  if (spec.install.istio) {
    const labels = { app: "istiod", istio: "pilot" };
    const istiod = deployment(spec.meshNamespace, "istiod", labels, "istiod", [
      { name: "grpc-xds", containerPort: 15010, protocol: "TCP" },
      { name: "https-dns", containerPort: 15012, protocol: "TCP" },
      { name: "http-monitoring", containerPort: 15014, protocol: "TCP" },
      { name: "https-webhooks", containerPort: 15017, protocol: "TCP" },
    ]);
    // istiod itself never gets a sidecar.
    const template = (istiod.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
    template.metadata.labels = { ...labels, "sidecar.istio.io/inject": "false" };
    objects.push(istiod, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "istiod", namespace: spec.meshNamespace, labels },
      spec: {
        selector: labels,
        ports: [
          { name: "grpc-xds", port: 15010, targetPort: 15010, protocol: "TCP" },
          { name: "https-dns", port: 15012, targetPort: 15012, protocol: "TCP" },
          { name: "https-webhook", port: 443, targetPort: 15017, protocol: "TCP" },
          { name: "http-monitoring", port: 15014, targetPort: 15014, protocol: "TCP" },
        ],
      },
    });
  }
  return objects;
}
