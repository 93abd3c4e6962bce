// Istio identity (PeerAuthentication) and L7 authorization (AuthorizationPolicy) of a tenant
// namespace. Evaluation order in Istio: CUSTOM → DENY → ALLOW; once any ALLOW applies to a
// workload a request must match one, and the mesh-wide `allow-nothing` makes that true everywhere.
import type { K8sObject } from "../../k8s/object";
import type { PlatformSpec, TenantSpec } from "../../spec/types";
import { API, makeObject, principal, uniqueSorted } from "../common";
import { grantAllowPolicy, grantScopeDenyPolicies, grantSourceNamespaces, grantsTo } from "../grants";

/** Namespace-wide STRICT mTLS: plaintext to any workload here is rejected (curl exit 56). */
export function strictPeerAuthentication(namespace: string, tenant?: string): K8sObject {
  return makeObject(API.istioSecurity, "PeerAuthentication", "default", { namespace, tenant }, { spec: { mtls: { mode: "STRICT" } } });
}

/**
 * Namespaces whose callers the tenant's explicit DENY leaves to the ALLOW policies to judge. The
 * shared-services namespace is not among them: shared services never call into tenants (no ALLOW
 * admits them), so exempting it would only remove a layer.
 */
export function trustedCallerNamespaces(spec: PlatformSpec, tenant: TenantSpec): string[] {
  const trusted = [tenant.namespace, ...grantSourceNamespaces(spec, tenant)];
  if (tenant.ingress.fromGateway && tenant.ingress.ports.length > 0) trusted.push(spec.ingressGateway.namespace);
  return uniqueSorted(trusted);
}

/**
 * Explicit cross-tenant DENY: every caller whose namespace is not trusted. `notNamespaces` is an
 * mTLS-only field; for plaintext it is compared to an empty namespace, which is "not in" the list,
 * so a DENY with `notNamespaces` also denies every plaintext caller (Istio security bulletin
 * ISTIO-SECURITY-2021-004: mTLS-only fields match an empty value on plaintext traffic).
 */
export function crossTenantDenyPolicy(spec: PlatformSpec, tenant: TenantSpec): K8sObject {
  return makeObject(API.istioSecurity, "AuthorizationPolicy", "deny-cross-tenant", { namespace: tenant.namespace, tenant: tenant.name }, {
    spec: { action: "DENY", rules: [{ from: [{ source: { notNamespaces: trustedCallerNamespaces(spec, tenant) } }] }] },
  });
}

function allowSameNamespacePolicy(tenant: TenantSpec): K8sObject {
  return makeObject(API.istioSecurity, "AuthorizationPolicy", "allow-same-namespace", { namespace: tenant.namespace, tenant: tenant.name }, {
    spec: { action: "ALLOW", rules: [{ from: [{ source: { namespaces: [tenant.namespace] } }] }] },
  });
}

function allowIngressGatewayPolicy(spec: PlatformSpec, tenant: TenantSpec): K8sObject | undefined {
  if (!tenant.ingress.fromGateway || tenant.ingress.ports.length === 0) return undefined;
  const gateway = principal(spec, spec.ingressGateway.namespace, spec.ingressGateway.serviceAccount);
  return makeObject(API.istioSecurity, "AuthorizationPolicy", "allow-ingress-gateway", { namespace: tenant.namespace, tenant: tenant.name }, {
    spec: {
      action: "ALLOW",
      rules: [{ from: [{ source: { principals: [gateway] } }], to: [{ operation: { ports: tenant.ingress.ports.map(String) } }] }],
    },
  });
}

/** The tenant's ALLOW policies (same namespace, gateway, grants) and the DENY that scopes grants. */
export function tenantAuthorizationPolicies(spec: PlatformSpec, tenant: TenantSpec): K8sObject[] {
  const policies: (K8sObject | undefined)[] = [
    allowSameNamespacePolicy(tenant),
    allowIngressGatewayPolicy(spec, tenant),
    ...grantsTo(spec, tenant).map((g) => grantAllowPolicy(spec, g)),
    ...grantScopeDenyPolicies(spec, tenant),
  ];
  return policies.filter((p): p is K8sObject => p !== undefined);
}
