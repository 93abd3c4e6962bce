// The tenant Namespace (labels drive injection, Pod Security and shared-service access) and its
// default ServiceAccount, which never automounts an API token.
import type { K8sObject } from "../../k8s/object";
import { ROLE_LABEL, TENANT_LABEL, TENANT_ROLE } from "../../spec/labels";
import type { PlatformSpec, TenantSpec } from "../../spec/types";
import { API, SHARED_ACCESS_LABEL_VALUE, makeObject, sharedAccessLabel, tenantSharedServices } from "../common";

/** Pod Security Admission level for platform namespaces (with istio-cni, sidecars fit `restricted`). */
export const POD_SECURITY_LEVEL = "restricted";
export const POD_SECURITY_VERSION = "latest";

export function podSecurityLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ["enforce", "warn", "audit"]) {
    labels[`pod-security.kubernetes.io/${mode}`] = POD_SECURITY_LEVEL;
    labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
  }
  return labels;
}

/** Labels every platform namespace gets: injection when this stack installs Istio, PSA when on. */
export function platformNamespaceLabels(spec: PlatformSpec, role: string): Record<string, string> {
  return {
    [ROLE_LABEL]: role,
    ...(spec.install.istio ? { "istio-injection": "enabled" } : {}),
    ...(spec.layers.podSecurity ? podSecurityLabels() : {}),
  };
}

export function tenantNamespace(spec: PlatformSpec, tenant: TenantSpec): K8sObject {
  const access: Record<string, string> = {};
  for (const service of tenantSharedServices(spec, tenant)) access[sharedAccessLabel(service.name)] = SHARED_ACCESS_LABEL_VALUE;
  // The tenant's extra labels go first so they can never override the platform's own.
  const labels = { ...tenant.labels, ...access, ...platformNamespaceLabels(spec, TENANT_ROLE), [TENANT_LABEL]: tenant.name };
  return makeObject(API.core, "Namespace", tenant.namespace, { tenant: tenant.name, labels }, {});
}

/** The namespace's `default` ServiceAccount, re-declared so pods that use it get no API token. */
export function defaultServiceAccount(namespace: string, tenant?: string): K8sObject {
  return makeObject(API.core, "ServiceAccount", "default", { namespace, tenant }, { automountServiceAccountToken: false });
}
