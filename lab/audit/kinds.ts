// The kinds the audit reads from a live cluster: exactly what the isolation model reads
// (lab/model/cluster.ts, workload-extract.ts, layers/*), each tied to the enforcement layers it
// feeds, so that a kind the auditor cannot read marks those layers as not seen.
// Core kinds (the "" group) are read through the typed client (`typed`: API class, list method,
// model type); every grouped kind — apps, batch and networking.k8s.io as well as CRD-backed kinds —
// as plain JSON through the custom-objects API (a GET on /apis/<group>/<version>/<plural>), in the
// first version the model understands: deserialising into typed models and serialising back costs
// more CPU than the rest of the read on big clusters, and gives nothing the model reads.
import type { LayerId } from "../probes/types";

/** What a kind feeds: enforcement layers, or the model's inputs (namespaces, workloads, services). */
export type KindRole = "namespaces" | "workloads" | "services" | "layer";

export type TypedApi = "CoreV1Api";

export interface AuditKind {
  kind: string;
  group: string;
  /** Versions the model reads, preferred first; the first one the cluster serves is listed. */
  versions: string[];
  plural: string;
  namespaced: boolean;
  role: KindRole;
  /** Layers whose verdict depends on this kind (role "layer"). */
  layers: LayerId[];
  typed?: { api: TypedApi; method: string; model: string };
}

const MESH_LAYERS: LayerId[] = ["peerAuthentication", "authorization"];

function core(kind: string, plural: string, role: KindRole, method: string, namespaced = true): AuditKind {
  return { kind, group: "", versions: ["v1"], plural, namespaced, role, layers: [], typed: { api: "CoreV1Api", method, model: `V1${kind}` } };
}

/** A built-in kind of an API group, read as plain JSON. */
function grouped(kind: string, group: string, plural: string, role: KindRole, layers: LayerId[] = []): AuditKind {
  return { kind, group, versions: ["v1"], plural, namespaced: true, role, layers };
}

function custom(kind: string, group: string, versions: string[], plural: string, namespaced: boolean, layers: LayerId[]): AuditKind {
  return { kind, group, versions, plural, namespaced, role: "layer", layers };
}

export const AUDIT_KINDS: readonly AuditKind[] = [
  core("Namespace", "namespaces", "namespaces", "listNamespace", false),
  core("Pod", "pods", "workloads", "listPodForAllNamespaces"),
  core("Service", "services", "services", "listServiceForAllNamespaces"),
  // Pods' owners: a Pod joins the workload of its top controller (workload-extract.ts).
  grouped("Deployment", "apps", "deployments", "workloads"),
  grouped("ReplicaSet", "apps", "replicasets", "workloads"),
  grouped("StatefulSet", "apps", "statefulsets", "workloads"),
  grouped("DaemonSet", "apps", "daemonsets", "workloads"),
  grouped("Job", "batch", "jobs", "workloads"),
  grouped("CronJob", "batch", "cronjobs", "workloads"),
  grouped("NetworkPolicy", "networking.k8s.io", "networkpolicies", "layer", ["networkPolicy"]),
  // policy.networking.k8s.io: the model reads CNP in v1alpha2 and ANP/BANP in v1alpha1.
  custom("ClusterNetworkPolicy", "policy.networking.k8s.io", ["v1alpha2"], "clusternetworkpolicies", false, ["clusterNetworkPolicy"]),
  custom("AdminNetworkPolicy", "policy.networking.k8s.io", ["v1alpha1"], "adminnetworkpolicies", false, ["clusterNetworkPolicy"]),
  custom("BaselineAdminNetworkPolicy", "policy.networking.k8s.io", ["v1alpha1"], "baselineadminnetworkpolicies", false, ["clusterNetworkPolicy"]),
  // Calico through its API server only (projectcalico.org/v3): the crd.projectcalico.org/v1
  // backing store is Calico's internal representation and not a supported API.
  custom("Tier", "projectcalico.org", ["v3"], "tiers", false, ["calico"]),
  custom("GlobalNetworkPolicy", "projectcalico.org", ["v3"], "globalnetworkpolicies", false, ["calico"]),
  custom("NetworkPolicy", "projectcalico.org", ["v3"], "networkpolicies", true, ["calico"]),
  custom("GlobalNetworkSet", "projectcalico.org", ["v3"], "globalnetworksets", false, ["calico"]),
  custom("NetworkSet", "projectcalico.org", ["v3"], "networksets", true, ["calico"]),
  custom("PeerAuthentication", "security.istio.io", ["v1", "v1beta1"], "peerauthentications", true, ["peerAuthentication"]),
  custom("AuthorizationPolicy", "security.istio.io", ["v1", "v1beta1"], "authorizationpolicies", true, ["authorization"]),
  // A Sidecar narrows what a meshed client's Envoy can reach: it feeds both mesh layers.
  custom("Sidecar", "networking.istio.io", ["v1", "v1beta1", "v1alpha3"], "sidecars", true, MESH_LAYERS),
];

/** The Istio mesh config (ConfigMap `istio`, key `mesh`) feeds the mesh layers (root namespace, trust domain). */
export const MESH_CONFIG_LAYERS = MESH_LAYERS;

export function kindId(k: Pick<AuditKind, "kind" | "group">): string {
  return k.group === "" ? k.kind : `${k.kind}.${k.group}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}
