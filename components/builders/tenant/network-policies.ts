// Kubernetes NetworkPolicies of a tenant namespace (L3/4). Default-deny both directions, then one
// small allow per need. NetworkPolicies are additive: a connection is allowed if any policy that
// selects the pod allows it, in the source's egress AND the destination's ingress.
import type { K8sObject } from "../../k8s/object";
import type { PlatformSpec, TenantSpec } from "../../spec/types";
import { API, DNS_PORT, ISTIOD_APP, ISTIOD_XDS_PORT, appSelector, makeObject, namespaceByName, tenantSharedServices } from "../common";

function networkPolicy(tenant: TenantSpec, name: string, spec: Record<string, unknown>): K8sObject {
  return makeObject(API.networking, "NetworkPolicy", name, { namespace: tenant.namespace, tenant: tenant.name }, { spec });
}

/** Selects every pod and allows nothing: whatever no other policy allows is dropped. */
export function defaultDenyPolicy(namespace: string, tenant?: string): K8sObject {
  return makeObject(API.networking, "NetworkPolicy", "default-deny", { namespace, tenant }, {
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  });
}

/** Egress to cluster DNS pods, UDP and TCP 53 (large answers fall back to TCP). */
export function dnsEgressPolicy(spec: PlatformSpec, namespace: string, tenant?: string): K8sObject {
  return makeObject(API.networking, "NetworkPolicy", "allow-dns", { namespace, tenant }, {
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: namespaceByName(spec.cluster.dns.namespace), podSelector: { matchLabels: { ...spec.cluster.dns.podLabels } } }],
          ports: [
            { protocol: "UDP", port: DNS_PORT },
            { protocol: "TCP", port: DNS_PORT },
          ],
        },
      ],
    },
  });
}

/** Egress to istiod's xDS/CA port: without it every sidecar under default-deny fails (article bug 2). */
export function istiodEgressPolicy(spec: PlatformSpec, namespace: string, tenant?: string): K8sObject {
  return makeObject(API.networking, "NetworkPolicy", "allow-istiod", { namespace, tenant }, {
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: namespaceByName(spec.meshNamespace), podSelector: appSelector(ISTIOD_APP) }],
          ports: [{ protocol: "TCP", port: ISTIOD_XDS_PORT }],
        },
      ],
    },
  });
}

/**
 * Egress to the API server's real endpoints, only for tenants with `apiServerAccess` (off by default:
 * tenant pods get no API token and tenants cannot bind roles, so most never need the API). CNIs
 * enforce after kube-proxy's DNAT, so the VIP (10.96.0.1:443) never matches; the endpoint (e.g. the
 * control-plane node on 6443) does (article bug 3).
 */
function apiServerEgressPolicy(spec: PlatformSpec, tenant: TenantSpec): K8sObject | undefined {
  const endpoints = spec.cluster.apiServerEndpoints;
  if (!tenant.apiServerAccess || endpoints.length === 0) return undefined;
  return networkPolicy(tenant, "allow-kube-apiserver", {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: endpoints.map((e) => ({ to: [{ ipBlock: { cidr: e.cidr } }], ports: [{ protocol: "TCP", port: e.port }] })),
  });
}

function sameNamespacePolicy(tenant: TenantSpec): K8sObject {
  return networkPolicy(tenant, "allow-same-namespace", {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ from: [{ podSelector: {} }] }],
    egress: [{ to: [{ podSelector: {} }] }],
  });
}

function ingressGatewayPolicy(spec: PlatformSpec, tenant: TenantSpec): K8sObject | undefined {
  if (!tenant.ingress.fromGateway || tenant.ingress.ports.length === 0) return undefined;
  const gateway = spec.ingressGateway;
  return networkPolicy(tenant, "allow-from-ingress-gateway", {
    podSelector: {},
    policyTypes: ["Ingress"],
    ingress: [
      {
        from: [{ namespaceSelector: namespaceByName(gateway.namespace), podSelector: { matchLabels: { ...gateway.podLabels } } }],
        ports: tenant.ingress.ports.map((port) => ({ protocol: "TCP", port })),
      },
    ],
  });
}

function sharedServicesEgressPolicy(spec: PlatformSpec, tenant: TenantSpec): K8sObject | undefined {
  const services = tenantSharedServices(spec, tenant);
  if (services.length === 0) return undefined;
  return networkPolicy(tenant, "allow-shared-services", {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: services.map((s) => ({
      to: [{ namespaceSelector: namespaceByName(spec.sharedServices.namespace), podSelector: appSelector(s.name) }],
      ports: [{ protocol: "TCP", port: s.port }],
    })),
  });
}

/** Every allow of a tenant namespace except grants (see grants.ts), in a stable order. */
export function tenantAllowPolicies(spec: PlatformSpec, tenant: TenantSpec): K8sObject[] {
  const policies: (K8sObject | undefined)[] = [
    dnsEgressPolicy(spec, tenant.namespace, tenant.name),
    apiServerEgressPolicy(spec, tenant),
    spec.install.istio ? istiodEgressPolicy(spec, tenant.namespace, tenant.name) : undefined,
    sameNamespacePolicy(tenant),
    ingressGatewayPolicy(spec, tenant),
    sharedServicesEgressPolicy(spec, tenant),
  ];
  return policies.filter((p): p is K8sObject => p !== undefined);
}
