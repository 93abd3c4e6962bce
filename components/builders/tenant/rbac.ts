// tenant-admin: runs the tenant's own workloads, and can only READ what keeps it isolated.
// Kubernetes RBAC is purely additive (no deny rules), so the Role simply never grants a write verb
// on the platform's objects, and never `escalate`, `bind` or `impersonate`.
import type { K8sObject } from "../../k8s/object";
import type { TenantSpec } from "../../spec/types";
import { API, makeObject } from "../common";

export const TENANT_ADMIN_ROLE = "tenant-admin";
export const READ_VERBS = ["get", "list", "watch"];
export const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** What a tenant admin may create, change and delete in its own namespace. */
export const TENANT_EDITABLE: PolicyRule[] = [
  {
    apiGroups: [""],
    resources: ["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"],
    verbs: [...READ_VERBS, ...WRITE_VERBS],
  },
  // Exec/attach/port-forward into the tenant's own pods (they stay inside the namespace's policies).
  { apiGroups: [""], resources: ["pods/exec", "pods/attach", "pods/portforward"], verbs: ["get", "create"] },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets", "daemonsets"], verbs: [...READ_VERBS, ...WRITE_VERBS] },
  { apiGroups: ["apps"], resources: ["deployments/scale", "statefulsets/scale", "replicasets/scale"], verbs: ["get", "update", "patch"] },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: [...READ_VERBS, ...WRITE_VERBS] },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: [...READ_VERBS, ...WRITE_VERBS] },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: [...READ_VERBS, ...WRITE_VERBS] },
];

/**
 * What a tenant admin may only read: the isolation itself. Istio routing objects are read-only too:
 * a tenant VirtualService or Gateway bound to a shared ingress gateway could claim another tenant's host.
 * No Calico objects: the platform's Calico policies are cluster-scoped GlobalNetworkPolicies, and the
 * Calico API server checks tier rights too (`get` on the tier plus `tier.networkpolicies`, Calico
 * "Configure RBAC for tiered policies"), so a bare `projectcalico.org networkpolicies` read rule would
 * grant nothing; the tenant's own NetworkPolicies are readable through networking.k8s.io.
 */
export const TENANT_READ_ONLY: PolicyRule[] = [
  { apiGroups: [""], resources: ["pods/log", "endpoints", "events", "resourcequotas", "limitranges"], verbs: READ_VERBS },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ_VERBS },
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies", "ingresses"], verbs: READ_VERBS },
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: READ_VERBS },
  {
    apiGroups: ["security.istio.io"],
    resources: ["peerauthentications", "authorizationpolicies", "requestauthentications"],
    verbs: READ_VERBS,
  },
  {
    apiGroups: ["networking.istio.io"],
    resources: ["sidecars", "envoyfilters", "virtualservices", "destinationrules", "gateways", "serviceentries"],
    verbs: READ_VERBS,
  },
  { apiGroups: ["telemetry.istio.io"], resources: ["telemetries"], verbs: READ_VERBS },
];

export function tenantAdminRole(tenant: TenantSpec): K8sObject {
  const rules = [...TENANT_EDITABLE, ...TENANT_READ_ONLY].map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] }));
  return makeObject(API.rbac, "Role", TENANT_ADMIN_ROLE, { namespace: tenant.namespace, tenant: tenant.name }, { rules });
}

export function tenantAdminRoleBinding(tenant: TenantSpec): K8sObject {
  return makeObject(API.rbac, "RoleBinding", TENANT_ADMIN_ROLE, { namespace: tenant.namespace, tenant: tenant.name }, {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: TENANT_ADMIN_ROLE },
    subjects: tenant.adminGroups.map((group) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group })),
  });
}

/** Role + RoleBinding, or nothing when no group administers the tenant. */
export function tenantRbacObjects(tenant: TenantSpec): K8sObject[] {
  if (tenant.adminGroups.length === 0) return [];
  return [tenantAdminRole(tenant), tenantAdminRoleBinding(tenant)];
}
