// Labels and names the platform owns. Builders, the model and the lab all read them from here.

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "hard-tenancy";
/** On tenant namespaces (and their pods via the namespace): the tenant's name. */
export const TENANT_LABEL = "hard-tenancy.io/tenant";
/** On namespaces the platform creates: "tenant" | "shared-services" | "platform". */
export const ROLE_LABEL = "hard-tenancy.io/role";
/** ROLE_LABEL value of tenant namespaces (the admission guardrails select namespaces by it). */
export const TENANT_ROLE = "tenant";
/** Kubernetes sets this on every namespace (immutable); NetworkPolicy namespaceSelectors use it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** Calico's name label for namespaces in selectors (namespaceSelector: projectcalico.org/name == 'x'). */
export const CALICO_NAMESPACE_NAME_LABEL = "projectcalico.org/name";
/** Istio's proxy runs as this UID; traffic from it is not redirected to the sidecar. */
export const ISTIO_PROXY_UID = 1337;
/** The `app` label that names a workload for policies and grants. */
export const APP_LABEL = "app";

export function managedBy(extra: Record<string, string> = {}): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...extra };
}
