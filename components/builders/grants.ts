// Cross-tenant grants: an explicit, audited exception opens exactly one path (from-tenant → the
// to-tenant's workload, port, methods, paths) in every layer, and nothing else. This file holds the
// grant-specific objects that live in tenant namespaces; the cluster-scoped grant rules are in
// cluster-policy/.
import type { K8sObject } from "../k8s/object";
import { APP_LABEL } from "../spec/labels";
import type { GrantSpec, PlatformSpec, TenantSpec } from "../spec/types";
import { API, appSelector, makeObject, namespaceByName, tenantByName, uniqueSorted } from "./common";

// Asked once per tenant: indexed, so big platforms render in linear time.
const grantIndexes = new WeakMap<readonly GrantSpec[], { count: number; from: Map<string, GrantSpec[]>; to: Map<string, GrantSpec[]> }>();

function grantIndex(spec: PlatformSpec): { from: Map<string, GrantSpec[]>; to: Map<string, GrantSpec[]> } {
  let index = grantIndexes.get(spec.grants);
  if (!index || index.count !== spec.grants.length) {
    const from = new Map<string, GrantSpec[]>();
    const to = new Map<string, GrantSpec[]>();
    const file = (map: Map<string, GrantSpec[]>, key: string, g: GrantSpec): void => {
      const list = map.get(key);
      if (list) list.push(g);
      else map.set(key, [g]);
    };
    for (const g of spec.grants) {
      file(from, g.from, g);
      file(to, g.to, g);
    }
    grantIndexes.set(spec.grants, (index = { count: spec.grants.length, from, to }));
  }
  return index;
}

export function grantsFrom(spec: PlatformSpec, tenant: TenantSpec): GrantSpec[] {
  return [...(grantIndex(spec).from.get(tenant.name) ?? [])];
}

export function grantsTo(spec: PlatformSpec, tenant: TenantSpec): GrantSpec[] {
  return [...(grantIndex(spec).to.get(tenant.name) ?? [])];
}

/** Namespaces of the tenants that hold a grant into `tenant`. */
export function grantSourceNamespaces(spec: PlatformSpec, tenant: TenantSpec): string[] {
  return uniqueSorted(grantsTo(spec, tenant).map((g) => tenantByName(spec, g.from).namespace));
}

/** Namespaces `tenant` holds a grant into. */
export function grantTargetNamespaces(spec: PlatformSpec, tenant: TenantSpec): string[] {
  return uniqueSorted(grantsFrom(spec, tenant).map((g) => tenantByName(spec, g.to).namespace));
}

/** NetworkPolicy in the source namespace: egress to exactly the granted workload and port. */
export function grantEgressPolicy(spec: PlatformSpec, grant: GrantSpec): K8sObject {
  const from = tenantByName(spec, grant.from);
  const to = tenantByName(spec, grant.to);
  return makeObject(API.networking, "NetworkPolicy", `grant-${grant.id}-egress`, { namespace: from.namespace, tenant: from.name }, {
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: namespaceByName(to.namespace), podSelector: appSelector(grant.workload) }],
          ports: [{ protocol: "TCP", port: grant.port }],
        },
      ],
    },
  });
}

/** NetworkPolicy in the destination namespace: ingress to the granted workload from the source namespace. */
export function grantIngressPolicy(spec: PlatformSpec, grant: GrantSpec): K8sObject {
  const from = tenantByName(spec, grant.from);
  const to = tenantByName(spec, grant.to);
  return makeObject(API.networking, "NetworkPolicy", `grant-${grant.id}-ingress`, { namespace: to.namespace, tenant: to.name }, {
    spec: {
      podSelector: appSelector(grant.workload),
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: namespaceByName(from.namespace) }], ports: [{ protocol: "TCP", port: grant.port }] }],
    },
  });
}

/** AuthorizationPolicy ALLOW on the granted workload: the source namespace, with exactly these methods, paths and port. */
export function grantAllowPolicy(spec: PlatformSpec, grant: GrantSpec): K8sObject {
  const from = tenantByName(spec, grant.from);
  const to = tenantByName(spec, grant.to);
  const operation: Record<string, unknown> = { ports: [String(grant.port)] };
  if (grant.methods.length > 0) operation.methods = [...grant.methods];
  if (grant.paths.length > 0) operation.paths = [...grant.paths];
  return makeObject(API.istioSecurity, "AuthorizationPolicy", `allow-grant-${grant.id}`, { namespace: to.namespace, tenant: to.name }, {
    spec: {
      selector: { matchLabels: { [APP_LABEL]: grant.workload } },
      action: "ALLOW",
      // `namespaces` needs mTLS: a plaintext caller has no namespace and never matches this ALLOW.
      rules: [{ from: [{ source: { namespaces: [from.namespace] } }], to: [{ operation }] }],
    },
  });
}

/**
 * One DENY per (source tenant, workload) that keeps a grant source inside the union of its grants'
 * ports, methods and paths on that workload. The tenant-wide cross-tenant DENY has to leave grant
 * sources out of its `notNamespaces`, so without this an ALLOW elsewhere could widen a grant.
 * The `to` entries are OR-ed: outside the ports, OR outside the methods, OR outside the paths.
 * HTTP-only fields (methods, paths) on TCP traffic are ignored by Istio in a DENY rule, which turns
 * their entries into "deny everything from this source" on non-HTTP ports: stricter, never looser
 * (Istio AuthorizationPolicy reference, "HTTP-only fields on TCP traffic"; DESIGN §3).
 */
export function grantScopeDenyPolicies(spec: PlatformSpec, tenant: TenantSpec): K8sObject[] {
  const groups = new Map<string, GrantSpec[]>();
  for (const grant of grantsTo(spec, tenant)) {
    const key = `${grant.from}\u0000${grant.workload}`;
    groups.set(key, [...(groups.get(key) ?? []), grant]);
  }
  const keys = [...groups.keys()].sort();
  return keys.map((key) => {
    const grants = groups.get(key) as GrantSpec[];
    const first = grants[0];
    const from = tenantByName(spec, first.from);
    const outside: Record<string, unknown>[] = [{ operation: { notPorts: uniqueSorted(grants.map((g) => g.port)).map(String) } }];
    if (grants.every((g) => g.methods.length > 0)) outside.push({ operation: { notMethods: uniqueSorted(grants.flatMap((g) => g.methods)) } });
    if (grants.every((g) => g.paths.length > 0)) outside.push({ operation: { notPaths: uniqueSorted(grants.flatMap((g) => g.paths)) } });
    return makeObject(
      API.istioSecurity,
      "AuthorizationPolicy",
      `deny-beyond-grants-${first.from}-${first.workload}`,
      { namespace: tenant.namespace, tenant: tenant.name },
      {
        spec: {
          selector: { matchLabels: { [APP_LABEL]: first.workload } },
          action: "DENY",
          rules: [{ from: [{ source: { namespaces: [from.namespace] } }], to: outside }],
        },
      },
    );
  });
}
