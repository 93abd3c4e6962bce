// The mesh (root) namespace as the platform creates it: privileged Pod Security because the
// istio-cni node agent runs there, merged with whatever labels the mesh-wide builders give it.
// Pure, so the Pulumi components and the local lab's deploy create the very same object.
import type { K8sObject } from "../k8s/object";
import { managedBy, ROLE_LABEL } from "../spec/labels";
import type { PlatformSpec } from "../spec/types";

export function meshNamespaceObject(spec: Pick<PlatformSpec, "meshNamespace">): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: spec.meshNamespace,
      labels: managedBy({
        [ROLE_LABEL]: "platform",
        "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/warn": "privileged",
      }),
    },
  };
}

/** The mesh namespace: the builders' labels (if they emit one) plus privileged Pod Security for istio-cni. */
export function mergeMeshNamespace(spec: Pick<PlatformSpec, "meshNamespace">, fromBuilders: K8sObject | undefined): K8sObject {
  const ours = meshNamespaceObject(spec);
  if (!fromBuilders) return ours;
  return {
    ...fromBuilders,
    metadata: { ...fromBuilders.metadata, labels: { ...(fromBuilders.metadata.labels ?? {}), ...(ours.metadata.labels ?? {}) } },
  };
}

/** Whether the platform creates the mesh namespace itself (it installs Istio or cert-manager's mesh CA there). */
export function platformCreatesMeshNamespace(spec: Pick<PlatformSpec, "install">): boolean {
  return spec.install.istio || spec.install.certManager;
}
