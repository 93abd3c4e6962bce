// Upstream ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), Admin tier: evaluated before
// every namespaced NetworkPolicy, so a tenant cannot override it. Field names from the upstream
// API (kubernetes-sigs/network-policy-api apis/v1alpha2): tier Admin|Baseline, priority 0–1000
// (lower = first), subject {namespaces|pods}, ingress[].from / egress[].to peers {namespaces|pods},
// protocols [{tcp: {destinationPort: {number}}}], actions Accept|Deny|Pass, at most 25 rules.
import type { K8sObject } from "../../k8s/object";
import { NAMESPACE_NAME_LABEL, TENANT_LABEL } from "../../spec/labels";
import type { GrantSpec, PlatformSpec, TenantSpec } from "../../spec/types";
import { API, appSelector, makeObject, namespaceByName, tenantByName } from "../common";

/** Grant exceptions come first (lower number = higher precedence) … */
export const CNP_GRANT_PRIORITY = 10;
/** … then each tenant's cross-tenant deny. */
export const CNP_TENANT_PRIORITY = 50;

function otherTenantsNamespaces(tenant: string) {
  return {
    matchExpressions: [
      { key: TENANT_LABEL, operator: "Exists" },
      { key: TENANT_LABEL, operator: "NotIn", values: [tenant] },
    ],
  };
}

export function tenantClusterNetworkPolicy(tenant: TenantSpec): K8sObject {
  const others = otherTenantsNamespaces(tenant.name);
  return makeObject(API.clusterNetworkPolicy, "ClusterNetworkPolicy", `hard-tenancy-isolate-${tenant.name}`, { tenant: tenant.name }, {
    spec: {
      tier: "Admin",
      priority: CNP_TENANT_PRIORITY,
      subject: { namespaces: { matchLabels: { [NAMESPACE_NAME_LABEL]: tenant.namespace } } },
      ingress: [{ name: "deny-from-other-tenants", action: "Deny", from: [{ namespaces: others }] }],
      egress: [{ name: "deny-to-other-tenants", action: "Deny", to: [{ namespaces: others }] }],
    },
  });
}

/**
 * A grant as two Admin-tier policies at higher precedence than the tenant denies: egress from the
 * source namespace to the workload, and ingress to the workload from the source namespace. The
 * action is Pass (skip the remaining Admin-tier rules, let NetworkPolicy decide) rather than
 * Accept, which would end evaluation and bypass the tenants' NetworkPolicies for this traffic.
 */
export function grantClusterNetworkPolicies(spec: PlatformSpec, grant: GrantSpec): K8sObject[] {
  const from = tenantByName(spec, grant.from);
  const to = tenantByName(spec, grant.to);
  const protocols = [{ tcp: { destinationPort: { number: grant.port } } }];
  const workloadPods = { namespaceSelector: namespaceByName(to.namespace), podSelector: appSelector(grant.workload) };
  return [
    makeObject(API.clusterNetworkPolicy, "ClusterNetworkPolicy", `hard-tenancy-grant-${grant.id}-egress`, { tenant: from.name }, {
      spec: {
        tier: "Admin",
        priority: CNP_GRANT_PRIORITY,
        subject: { namespaces: namespaceByName(from.namespace) },
        egress: [{ name: `grant-${grant.id}`.slice(0, 100), action: "Pass", to: [{ pods: workloadPods }], protocols }],
      },
    }),
    makeObject(API.clusterNetworkPolicy, "ClusterNetworkPolicy", `hard-tenancy-grant-${grant.id}-ingress`, { tenant: to.name }, {
      spec: {
        tier: "Admin",
        priority: CNP_GRANT_PRIORITY,
        subject: { pods: workloadPods },
        ingress: [{ name: `grant-${grant.id}`.slice(0, 100), action: "Pass", from: [{ namespaces: namespaceByName(from.namespace) }], protocols }],
      },
    }),
  ];
}

export function buildClusterNetworkPolicyObjects(spec: PlatformSpec): K8sObject[] {
  if (!spec.layers.clusterNetworkPolicy) return [];
  return [...spec.tenants.map(tenantClusterNetworkPolicy), ...spec.grants.flatMap((g) => grantClusterNetworkPolicies(spec, g))];
}
