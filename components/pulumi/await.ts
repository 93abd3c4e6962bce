// Readiness waits of the Kubernetes provider, switched off where nothing could ever satisfy them.
//
// After creating an object the provider waits until it is "ready": a Deployment/StatefulSet/
// DaemonSet until its pods are available, a Job until it completes, a Service until its endpoints
// have ready pods, a PersistentVolumeClaim until it is bound, and any object annotated
// `pulumi.com/waitFor` (our cert-manager Issuers/Certificates: condition=Ready) until that holds
// (pulumi-kubernetes provider pkg/await/awaiters.go and pkg/metadata/overrides.go ReadyCondition).
// On a cluster without a kubelet, a container runtime or a cert-manager controller (the local lab
// backend) none of that ever happens and each wait runs into its 10-minute timeout. The annotation
// `pulumi.com/skipAwait: "true"` makes the provider take the object as ready once the API server
// has stored it (ReadyCondition checks it before `waitFor`). Only the lab uses this, through
// `lab:awaitReadiness: false`; a real deployment keeps every wait.
import type * as pulumi from "@pulumi/pulumi";
import type { K8sObject } from "../k8s/object";

export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";
export const WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";

/** Kinds whose readiness needs running pods or a binding controller (the provider's awaiters). */
const POD_READINESS_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "Pod", "Service", "PersistentVolumeClaim"]);

/** Whether the provider would wait for something only running pods or a controller can bring. */
export function waitsForRuntime(object: Pick<K8sObject, "kind" | "metadata">): boolean {
  return POD_READINESS_KINDS.has(object.kind) || object.metadata?.annotations?.[WAIT_FOR_ANNOTATION] !== undefined;
}

/** The object with `pulumi.com/skipAwait: "true"` when the provider would wait on the runtime; else unchanged. */
export function withoutRuntimeWait<T extends Pick<K8sObject, "kind" | "metadata">>(object: T): T {
  if (!waitsForRuntime(object)) return object;
  return { ...object, metadata: { ...object.metadata, annotations: { ...(object.metadata.annotations ?? {}), [SKIP_AWAIT_ANNOTATION]: "true" } } };
}

/**
 * A resource transform (ResourceOptions.transforms) for a Platform: every Kubernetes object whose
 * readiness needs running pods or a controller gets `pulumi.com/skipAwait`. Providers, components
 * and Helm releases pass unchanged.
 */
export const skipRuntimeWaits: pulumi.ResourceTransform = (args) => {
  if (!args.custom || !args.type.startsWith("kubernetes:") || args.type.startsWith("kubernetes:helm.sh/")) return undefined;
  const props = args.props as Partial<K8sObject>;
  if (typeof props.kind !== "string" || typeof props.metadata !== "object" || props.metadata === null) return undefined;
  const changed = withoutRuntimeWait(props as K8sObject);
  return changed === props ? undefined : { props: changed as unknown as pulumi.Inputs, opts: args.opts };
};
