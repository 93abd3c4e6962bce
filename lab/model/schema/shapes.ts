// Field trees of the kinds the model reads that no model package covers: Calico's
// projectcalico.org/v3 (and crd.projectcalico.org/v1) NetworkPolicy, GlobalNetworkPolicy and Tier,
// and the network-policy-api kinds (ClusterNetworkPolicy v1alpha2; AdminNetworkPolicy and
// BaselineAdminNetworkPolicy v1alpha1). Field names from the upstream definitions: Calico's
// resource reference (docs.tigera.io, NetworkPolicy / GlobalNetworkPolicy / Tier) and
// kubernetes-sigs/network-policy-api apis/v1alpha1 and v1alpha2 *_types.go. Only names are
// checked here (unknown-fields.ts); values are the layers' business.

/** "any": a leaf or a map whose keys are data; a record: a struct with these fields; [shape]: a list. */
export type Shape = "any" | { readonly [field: string]: Shape } | readonly [Shape];

const OBJECT_META: Shape = {
  name: "any", generateName: "any", namespace: "any", selfLink: "any", uid: "any", resourceVersion: "any", generation: "any",
  creationTimestamp: "any", deletionTimestamp: "any", deletionGracePeriodSeconds: "any", labels: "any", annotations: "any",
  ownerReferences: "any", finalizers: "any", managedFields: "any",
};

function kind(spec: Shape): Shape {
  return { apiVersion: "any", kind: "any", metadata: OBJECT_META, spec, status: "any" };
}

const CALICO_ENTITY: Shape = {
  nets: "any", notNets: "any", selector: "any", notSelector: "any", namespaceSelector: "any", ports: "any", notPorts: "any",
  serviceAccounts: { names: "any", selector: "any" }, services: { name: "any", namespace: "any" },
};
const CALICO_RULE: Shape = {
  action: "any", protocol: "any", notProtocol: "any", icmp: { type: "any", code: "any" }, notICMP: { type: "any", code: "any" }, ipVersion: "any",
  source: CALICO_ENTITY, destination: CALICO_ENTITY, http: { methods: "any", paths: [{ exact: "any", prefix: "any" }] }, metadata: { annotations: "any" },
};
const CALICO_POLICY_SPEC = {
  tier: "any", order: "any", selector: "any", serviceAccountSelector: "any", types: "any", ingress: [CALICO_RULE], egress: [CALICO_RULE], performanceHints: "any",
} as const;
const CALICO_GLOBAL_POLICY_SPEC: Shape = { ...CALICO_POLICY_SPEC, namespaceSelector: "any", doNotTrack: "any", preDNAT: "any", applyOnForward: "any" };

const LABEL_SELECTOR: Shape = { matchLabels: "any", matchExpressions: [{ key: "any", operator: "any", values: "any" }] };
const POLICY_PEER_PODS: Shape = { namespaceSelector: LABEL_SELECTOR, podSelector: LABEL_SELECTOR };
const SUBJECT: Shape = { namespaces: LABEL_SELECTOR, pods: POLICY_PEER_PODS };
const ALPHA1_PORTS: Shape = [{ portNumber: { protocol: "any", port: "any" }, namedPort: "any", portRange: { protocol: "any", start: "any", end: "any" } }];
const alpha1Rule = (peers: "from" | "to"): Shape => ({
  name: "any", action: "any", ports: ALPHA1_PORTS,
  [peers]: [{ namespaces: LABEL_SELECTOR, pods: POLICY_PEER_PODS, ...(peers === "to" ? { nodes: LABEL_SELECTOR, networks: "any", domainNames: "any" } : {}) }],
});
const DESTINATION_PORT: Shape = { destinationPort: { number: "any", range: { start: "any", end: "any" } } };
const alpha2Rule = (peers: "from" | "to"): Shape => ({
  name: "any", action: "any", protocols: [{ tcp: DESTINATION_PORT, udp: DESTINATION_PORT, sctp: DESTINATION_PORT, destinationNamedPort: "any" }],
  [peers]: [{ namespaces: LABEL_SELECTOR, pods: POLICY_PEER_PODS, ...(peers === "to" ? { nodes: LABEL_SELECTOR, networks: "any", domainNames: "any" } : {}) }],
});

/** Shapes by "apiVersion kind". */
export const SHAPES: ReadonlyMap<string, Shape> = new Map<string, Shape>([
  ...["projectcalico.org/v3", "crd.projectcalico.org/v1"].flatMap((v): [string, Shape][] => [
    [`${v} NetworkPolicy`, kind(CALICO_POLICY_SPEC)],
    [`${v} GlobalNetworkPolicy`, kind(CALICO_GLOBAL_POLICY_SPEC)],
    [`${v} Tier`, kind({ order: "any", defaultAction: "any" })],
  ]),
  ["policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy", kind({ tier: "any", priority: "any", subject: SUBJECT, ingress: [alpha2Rule("from")], egress: [alpha2Rule("to")] })],
  ["policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy", kind({ priority: "any", subject: SUBJECT, ingress: [alpha1Rule("from")], egress: [alpha1Rule("to")] })],
  ["policy.networking.k8s.io/v1alpha1 BaselineAdminNetworkPolicy", kind({ subject: SUBJECT, ingress: [alpha1Rule("from")], egress: [alpha1Rule("to")] })],
]);
