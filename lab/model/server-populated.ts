// Server-populated fields: what the API server and its controllers write into an object beyond the
// manifest it was made from. One definition for everything that compares live objects with
// rendered ones or with each other: drift does not report them (lab/audit/diff.ts), conformance
// does not see them (conformance.ts), and grouping tenants without a spec does not tell tenants
// apart by them (tenant-classes.ts on normaliseServerPopulated objects).
//
// - metadata beyond name, namespace, labels and annotations (uid, resourceVersion, generation,
//   creationTimestamp, managedFields, ownerReferences with their uids, generateName, finalizers…);
// - status, always;
// - values controllers assign per object: the pod-template-hash label a Deployment puts on its
//   ReplicaSets and Pods (and into their names), controller-revision-hash (StatefulSet/DaemonSet),
//   the Job controller's uid labels, generated Pod names, the kube-api-access-xxxxx token volume;
// - values the API server allocates: a Service's clusterIP/clusterIPs and node ports, a Pod's
//   nodeName;
// - server defaults the stack may leave out: a NetworkPolicy without policyTypes gets Ingress, plus
//   Egress when it has egress rules (networking.k8s.io/v1 NetworkPolicySpec.policyTypes).
import type { K8sObject } from "../../components/k8s/object";

type Json = Record<string, unknown>;

/** metadata fields the API server or controllers write; never the stack's, never compared. */
export const SERVER_METADATA_FIELDS = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "ownerReferences",
  "generateName",
  "finalizers",
] as const;

/** metadata fields a manifest sets that are compared (only the keys the manifest sets: others add their own). */
export const COMPARED_METADATA_FIELDS = ["labels", "annotations"] as const;

/** Top-level fields that are not what the object asks for. */
export const NOT_SPEC_FIELDS = ["apiVersion", "kind", "metadata", "status"] as const;

/** Labels controllers set to a value of their own per object (a hash or a uid). */
export const GENERATED_LABELS = ["pod-template-hash", "controller-revision-hash", "controller-uid", "batch.kubernetes.io/controller-uid", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index"] as const;

/** Annotations the API server, controllers or kubectl write. */
const SERVER_ANNOTATIONS = ["deployment.kubernetes.io/revision", "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas", "kubectl.kubernetes.io/last-applied-configuration"];

/** Allocated by the API server, per kind: `spec.<field>`. */
const ALLOCATED_SPEC_FIELDS: Record<string, string[]> = {
  Service: ["clusterIP", "clusterIPs", "healthCheckNodePort"],
  Pod: ["nodeName"],
};

const PLACEHOLDER = "<server-assigned>";

export function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Absent, "", {} and [] mean the same to the API server (Go omitempty): a manifest's empty value is stored as absent. */
export function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === "" || (isRecord(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
}

function groupOf(apiVersion: unknown): string {
  const v = String(apiVersion);
  return v.includes("/") ? v.slice(0, v.lastIndexOf("/")) : "";
}

/** The object as the API server stores it when the manifest leaves a defaulted field out. */
export function withServerDefaults<T extends Json>(o: T): T {
  if (o.kind === "NetworkPolicy" && groupOf(o.apiVersion) === "networking.k8s.io" && isRecord(o.spec) && o.spec.policyTypes === undefined) {
    const egress = o.spec.egress;
    const policyTypes = Array.isArray(egress) && egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
    return { ...o, spec: { ...o.spec, policyTypes } };
  }
  return o;
}

/** The values of the generated labels an object carries (hashes and uids that also appear in its name and its owners' names). */
function generatedValues(o: K8sObject): string[] {
  const labels = o.metadata.labels ?? {};
  return GENERATED_LABELS.map((l) => labels[l]).filter((v): v is string => typeof v === "string" && v.length >= 4);
}

/**
 * The object without what the server populated (see the header): two objects made from the same
 * manifest compare equal, whichever cluster or replica they came from. Not for the model: the model
 * reads pod IPs from status, so grouping adds them apart (conformance.ts `ipSignatures`).
 */
export function normaliseServerPopulated(o: K8sObject): K8sObject {
  const meta = o.metadata as unknown as Json;
  const metadata: Json = {};
  for (const [key, value] of Object.entries(meta)) {
    if ((SERVER_METADATA_FIELDS as readonly string[]).includes(key)) continue;
    metadata[key] = value;
  }
  // A generated name (a Pod of a ReplicaSet, a Job's Pod) is its generateName plus random characters.
  if (typeof meta.generateName === "string" && typeof meta.name === "string" && meta.name.startsWith(meta.generateName)) metadata.name = `${meta.generateName}${PLACEHOLDER}`;
  if (isRecord(meta.labels)) metadata.labels = Object.fromEntries(Object.entries(meta.labels).map(([k, v]) => [k, (GENERATED_LABELS as readonly string[]).includes(k) ? PLACEHOLDER : v]));
  if (isRecord(meta.annotations)) {
    const kept = Object.entries(meta.annotations).filter(([k]) => !SERVER_ANNOTATIONS.includes(k));
    if (kept.length > 0) metadata.annotations = Object.fromEntries(kept);
    else delete metadata.annotations;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(o)) {
    if (key === "status") continue;
    out[key] = key === "metadata" ? metadata : value;
  }
  const spec = out.spec;
  if (isRecord(spec)) {
    const allocated = ALLOCATED_SPEC_FIELDS[o.kind] ?? [];
    const kept: Json = Object.fromEntries(Object.entries(spec).filter(([k]) => !allocated.includes(k)));
    if (o.kind === "Service" && Array.isArray(kept.ports)) kept.ports = (kept.ports as unknown[]).map((p) => (isRecord(p) ? Object.fromEntries(Object.entries(p).filter(([k]) => k !== "nodePort")) : p));
    if (o.kind === "Pod" && Array.isArray(kept.volumes)) kept.volumes = (kept.volumes as unknown[]).map((v) => (isRecord(v) && typeof v.name === "string" && /^kube-api-access-[a-z0-9]{5}$/.test(v.name) ? { ...v, name: `kube-api-access-${PLACEHOLDER}` } : v));
    out.spec = kept;
  }
  // The hash of a pod-template-hash label also names the ReplicaSet and prefixes its Pods' names.
  const values = generatedValues(o);
  if (values.length === 0) return out as K8sObject;
  let text = JSON.stringify(out);
  for (const value of values) text = text.split(value).join(PLACEHOLDER);
  return JSON.parse(text) as K8sObject;
}

/**
 * A policy object as the layers read it: its kind, name and namespace, and every field but metadata
 * and status, with server defaults applied and empty values dropped. Two policies with equal
 * normal forms are evaluated alike; a live policy equal to its rendered one is not drift.
 */
export function policyNormalForm(o: K8sObject): string {
  const withDefaults = withServerDefaults(o as unknown as Json);
  const body: Json = {};
  for (const [key, value] of Object.entries(withDefaults)) {
    if (!(NOT_SPEC_FIELDS as readonly string[]).includes(key)) body[key] = value;
  }
  return JSON.stringify({ group: groupOf(o.apiVersion), kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name, body: withoutEmpty(body) });
}

/** Drops empty values at any depth (see isEmptyValue) and sorts keys, so equal content serialises equally. */
function withoutEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutEmpty);
  if (!isRecord(v)) return v;
  const out: Json = {};
  for (const key of Object.keys(v).sort()) {
    const child = withoutEmpty(v[key]);
    if (!isEmptyValue(child)) out[key] = child;
  }
  return out;
}
