// A plain Kubernetes object as builders emit it: JSON-serialisable, no Pulumi types.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** `kind/namespace/name` (cluster-scoped: `kind//name`): unique per object, stable across runs. */
export function objectKey(o: Pick<K8sObject, "kind" | "metadata">): string {
  return `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}
