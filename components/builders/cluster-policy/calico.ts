// Calico cross-tenant deny: one concrete GlobalNetworkPolicy per tenant (Calico has no templating;
// article bug 1) in a dedicated Tier, first in the order: before the tigera-operator's own
// `calico-system` tier (order 100: its policies select Calico's pods and kube-dns, and end in Pass
// for everything else; tigera/operator pkg/render/tiers), Kubernetes' `kube-admin` tier (order
// 1000) and the `default` tier (1,000,000) that holds every namespaced NetworkPolicy. A tenant can
// only write namespaced NetworkPolicies, so nothing it writes is evaluated before this tier (Calico
// docs, "Get started with policy tiers": tiers are processed by ascending order, ties by name;
// Allow/Deny end evaluation, Pass jumps to the next tier). The order must not tie with
// calico-system's 100: a tie is broken by name, which would make the platform's place depend on
// spelling.
//
// Ingress: Deny from other tenants, Pass the rest. Egress is a second, full layer under the tenant's
// NetworkPolicies: Pass exactly the platform's allowances (own namespace, cluster DNS, istiod's xDS
// port, the API server's real endpoints for tenants with apiServerAccess, the tenant's shared
// services, its grants) and Deny
// everything else, so kube-system, cert-manager's webhook, the Calico API server and istiod's other
// ports stay closed even where a NetworkPolicy allowed them. Calico matches after kube-proxy's DNAT
// (article bug 3), so the rules name pods and endpoint addresses, never Service VIPs.
import type { K8sObject } from "../../k8s/object";
import { APP_LABEL, CALICO_NAMESPACE_NAME_LABEL, TENANT_LABEL } from "../../spec/labels";
import type { GrantSpec, PlatformSpec, TenantSpec } from "../../spec/types";
import { API, DNS_PORT, ISTIOD_APP, ISTIOD_XDS_PORT, makeObject, tenantByName, tenantSharedServices } from "../common";
import { grantsFrom, grantsTo } from "../grants";

export const CALICO_TIER = "hard-tenancy";
/** Before calico-system (100), kube-admin (1,000) and default (1,000,000). */
export const CALICO_TIER_ORDER = 50;
export const CALICO_POLICY_ORDER = 100;

/**
 * Policies in a non-default tier carry the `<tier>.` prefix: Calico 3.29–3.31 require it, and
 * 3.32 (which dropped the requirement, projectcalico/calico#11232) still accepts it.
 */
export function calicoPolicyName(tenant: string): string {
  return `${CALICO_TIER}.isolate-${tenant}`;
}

export function calicoTier(): K8sObject {
  // defaultAction Deny is the end-of-tier behaviour for endpoints a policy here selects; every
  // policy below ends each direction with an explicit rule (ingress Pass, egress Deny), so only
  // the explicit rules ever decide.
  return makeObject(API.calico, "Tier", CALICO_TIER, {}, { spec: { order: CALICO_TIER_ORDER, defaultAction: "Deny" } });
}

function quote(value: string): string {
  return `'${value}'`;
}

export function namespaceNameSelector(namespace: string): string {
  return `${CALICO_NAMESPACE_NAME_LABEL} == ${quote(namespace)}`;
}

/** Every tenant namespace except this tenant's: stays one line whatever the number of tenants. */
export function otherTenantsSelector(tenant: string): string {
  return `has(${TENANT_LABEL}) && ${TENANT_LABEL} != ${quote(tenant)}`;
}

/**
 * Grant rules use Pass, not Allow: an Allow here would end evaluation and skip the tenants'
 * NetworkPolicies; Pass only exempts the grant from this tier's Deny and lets the next tiers judge.
 */
function grantIngressRule(spec: PlatformSpec, grant: GrantSpec): Record<string, unknown> {
  return {
    action: "Pass",
    protocol: "TCP",
    source: { namespaceSelector: namespaceNameSelector(tenantByName(spec, grant.from).namespace) },
    destination: { selector: `${APP_LABEL} == ${quote(grant.workload)}`, ports: [grant.port] },
  };
}

function grantEgressRule(spec: PlatformSpec, grant: GrantSpec): Record<string, unknown> {
  return {
    action: "Pass",
    protocol: "TCP",
    destination: {
      namespaceSelector: namespaceNameSelector(tenantByName(spec, grant.to).namespace),
      selector: `${APP_LABEL} == ${quote(grant.workload)}`,
      ports: [grant.port],
    },
  };
}

/** A Calico selector for pods carrying every one of these labels (sorted: stable output). */
export function podLabelsSelector(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key} == ${quote(labels[key])}`)
    .join(" && ");
}

function passTo(protocol: "TCP" | "UDP", destination: Record<string, unknown>): Record<string, unknown> {
  return { action: "Pass", protocol, destination };
}

/**
 * The egress the platform itself allows a tenant (the same allowances as its NetworkPolicies, so
 * nothing that works today breaks): Pass each, for the next tiers to judge. Size depends on the
 * spec's API endpoints and shared services, never on the number of tenants.
 */
export function platformEgressAllowances(spec: PlatformSpec, tenant: TenantSpec): Record<string, unknown>[] {
  const dns = {
    namespaceSelector: namespaceNameSelector(spec.cluster.dns.namespace),
    selector: podLabelsSelector(spec.cluster.dns.podLabels),
    ports: [DNS_PORT],
  };
  const rules: Record<string, unknown>[] = [
    { action: "Pass", destination: { namespaceSelector: namespaceNameSelector(tenant.namespace) } },
    passTo("UDP", dns),
    passTo("TCP", { ...dns }),
  ];
  if (spec.install.istio) {
    rules.push(passTo("TCP", { namespaceSelector: namespaceNameSelector(spec.meshNamespace), selector: `${APP_LABEL} == ${quote(ISTIOD_APP)}`, ports: [ISTIOD_XDS_PORT] }));
  }
  // The API server only for tenants with apiServerAccess: without it the final Deny stops the path here too.
  if (tenant.apiServerAccess) for (const endpoint of spec.cluster.apiServerEndpoints) rules.push(passTo("TCP", { nets: [endpoint.cidr], ports: [endpoint.port] }));
  for (const service of tenantSharedServices(spec, tenant)) {
    rules.push(passTo("TCP", { namespaceSelector: namespaceNameSelector(spec.sharedServices.namespace), selector: `${APP_LABEL} == ${quote(service.name)}`, ports: [service.port] }));
  }
  return rules;
}

export function calicoTenantPolicy(spec: PlatformSpec, tenant: TenantSpec): K8sObject {
  const others = otherTenantsSelector(tenant.name);
  return makeObject(API.calico, "GlobalNetworkPolicy", calicoPolicyName(tenant.name), { tenant: tenant.name }, {
    spec: {
      tier: CALICO_TIER,
      order: CALICO_POLICY_ORDER,
      namespaceSelector: namespaceNameSelector(tenant.namespace),
      types: ["Ingress", "Egress"],
      ingress: [
        ...grantsTo(spec, tenant).map((g) => grantIngressRule(spec, g)),
        { action: "Deny", source: { namespaceSelector: others } },
        { action: "Pass" },
      ],
      egress: [
        ...grantsFrom(spec, tenant).map((g) => grantEgressRule(spec, g)),
        { action: "Deny", destination: { namespaceSelector: others } },
        ...platformEgressAllowances(spec, tenant),
        { action: "Deny" },
      ],
    },
  });
}

export function buildCalicoObjects(spec: PlatformSpec): K8sObject[] {
  if (!spec.layers.calico) return [];
  return [calicoTier(), ...spec.tenants.map((t) => calicoTenantPolicy(spec, t))];
}
