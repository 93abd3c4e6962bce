// Instantiate plain builder output (`K8sObject`) as Pulumi resources.
//
// One Pulumi resource per object, typed by its group/version/kind exactly as the Kubernetes provider
// names its own resources (`kubernetes:core/v1:Namespace`, `kubernetes:networking.k8s.io/v1:NetworkPolicy`,
// `kubernetes:security.istio.io/v1:AuthorizationPolicy`, …). `k8s.apiextensions.CustomResource` would
// name core kinds `kubernetes:v1:Namespace`, which is not the provider's token for them, so we register
// the resource with the right token ourselves; the provider handles any token of this shape as a
// generic object (that is all CustomResource does). The provider applies every object with
// server-side apply (its default since @pulumi/kubernetes v4).
import * as pulumi from "@pulumi/pulumi";
import type { K8sObject } from "../k8s/object";
import { objectKey } from "../k8s/object";

/** Pulumi type token of a Kubernetes object: `kubernetes:<group>/<version>:<Kind>` (core group → `core/v1`). */
export function kubernetesTypeToken(object: Pick<K8sObject, "apiVersion" | "kind">): string {
  if (!object.apiVersion || !object.kind) {
    throw new Error(`a Kubernetes object needs apiVersion and kind (got apiVersion="${object.apiVersion}", kind="${object.kind}")`);
  }
  const groupVersion = object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`;
  return `kubernetes:${groupVersion}:${object.kind}`;
}

/**
 * Stable, unique Pulumi resource name of an object: `<namespace>/<name>` or `<name>` when
 * cluster-scoped. The type token already carries the kind, and a URN is unique per type + name, so
 * this never collides for objects that are distinct in the cluster.
 */
export function kubernetesResourceName(object: Pick<K8sObject, "metadata">): string {
  const { name, namespace } = object.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** The group of an apiVersion ("" for the core group). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

/** Istio kinds need the Istio CRDs (base chart) and istiod's validating webhook. */
export function isIstioKind(object: Pick<K8sObject, "apiVersion">): boolean {
  return apiGroup(object.apiVersion).endsWith(".istio.io");
}

/** `projectcalico.org/v3` kinds are served by the Calico API server, not by CRDs. */
export function isCalicoApiKind(object: Pick<K8sObject, "apiVersion">): boolean {
  return apiGroup(object.apiVersion) === "projectcalico.org";
}

/** A Calico Tier (projectcalico.org/v3). */
export function isCalicoTier(object: Pick<K8sObject, "apiVersion" | "kind">): boolean {
  return isCalicoApiKind(object) && object.kind === "Tier";
}

/** The tier a Calico (Global)NetworkPolicy names in `spec.tier`, if any. */
export function calicoPolicyTier(object: K8sObject): string | undefined {
  if (!isCalicoApiKind(object) || isCalicoTier(object)) return undefined;
  const tier = (object as { spec?: { tier?: unknown } }).spec?.tier;
  return typeof tier === "string" && tier !== "" ? tier : undefined;
}

/** Kinds that run pods (or expose them): they wait for istiod's injection webhook. */
const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);

export function isWorkloadKind(object: Pick<K8sObject, "kind">): boolean {
  return WORKLOAD_KINDS.has(object.kind);
}

/** A plain Kubernetes object registered with the Kubernetes provider. */
export class KubernetesObject extends pulumi.CustomResource {
  /** `kind/namespace/name` of the object this resource manages. */
  readonly objectKey: string;

  constructor(object: K8sObject, opts: pulumi.CustomResourceOptions) {
    super(kubernetesTypeToken(object), kubernetesResourceName(object), { ...object }, opts);
    this.objectKey = objectKey(object);
  }
}

/** Registers each object, in order, with the same options. */
export function instantiateObjects(objects: readonly K8sObject[], opts: pulumi.CustomResourceOptions): KubernetesObject[] {
  return objects.map((o) => new KubernetesObject(o, opts));
}

/**
 * Objects that GIVE principals capabilities (RBAC: Role, RoleBinding, ClusterRole, ClusterRoleBinding),
 * as opposed to policies that remove access. They go in last: a tenant admin must not be able to act
 * in a namespace before every isolation layer of it exists.
 */
export function isAccessGrantKind(object: Pick<K8sObject, "apiVersion">): boolean {
  return apiGroup(object.apiVersion) === "rbac.authorization.k8s.io";
}

/** ValidatingAdmissionPolicy / …Binding (and the webhook configurations): served by the API server itself. */
export function isAdmissionKind(object: Pick<K8sObject, "apiVersion">): boolean {
  return apiGroup(object.apiVersion) === "admissionregistration.k8s.io";
}

/** Resources an object must wait for because of its kind (what serves or validates it). */
export interface Readiness {
  /** Istio CRDs and istiod (its validating webhook): for `*.istio.io` kinds. */
  istio?: pulumi.Resource[];
  /** The Calico API server: for `projectcalico.org/v3` kinds. */
  calico?: pulumi.Resource[];
  /** istiod's injection webhook, which fails closed: for pod-creating kinds in injected namespaces. */
  injection?: pulumi.Resource[];
}

export function kindDependencies(object: Pick<K8sObject, "apiVersion" | "kind">, readiness: Readiness): pulumi.Resource[] {
  if (isIstioKind(object)) return readiness.istio ?? [];
  if (isCalicoApiKind(object)) return readiness.calico ?? [];
  if (isWorkloadKind(object)) return readiness.injection ?? [];
  return [];
}
