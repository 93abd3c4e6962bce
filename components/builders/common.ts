// Small helpers every builder shares: object metadata, selectors, SPIFFE principals, names.
// Pure functions, no Pulumi.
import type { K8sObject } from "../k8s/object";
import { APP_LABEL, NAMESPACE_NAME_LABEL, TENANT_LABEL, managedBy } from "../spec/labels";
import type { PlatformSpec, TenantSpec } from "../spec/types";

export const API = {
  core: "v1",
  rbac: "rbac.authorization.k8s.io/v1",
  admission: "admissionregistration.k8s.io/v1",
  networking: "networking.k8s.io/v1",
  istioSecurity: "security.istio.io/v1",
  istioNetworking: "networking.istio.io/v1",
  /** EnvoyFilter has no v1: it is served only as v1alpha3. */
  istioEnvoyFilter: "networking.istio.io/v1alpha3",
  istioTelemetry: "telemetry.istio.io/v1",
  calico: "projectcalico.org/v3",
  clusterNetworkPolicy: "policy.networking.k8s.io/v1alpha2",
} as const;

/** Port of istiod's xDS + CA endpoint every sidecar dials (DESIGN §3). */
export const ISTIOD_XDS_PORT = 15012;
export const ISTIOD_APP = "istiod";
export const DNS_PORT = 53;

export interface MetaOptions {
  namespace?: string;
  tenant?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A plain object with the managed-by label (and the tenant label for tenant objects). */
export function makeObject(
  apiVersion: string,
  kind: string,
  name: string,
  options: MetaOptions,
  body: Record<string, unknown>,
): K8sObject {
  const labels = managedBy({ ...(options.tenant ? { [TENANT_LABEL]: options.tenant } : {}), ...(options.labels ?? {}) });
  const metadata: K8sObject["metadata"] = { name };
  if (options.namespace !== undefined) metadata.namespace = options.namespace;
  metadata.labels = labels;
  if (options.annotations) metadata.annotations = options.annotations;
  return { apiVersion, kind, metadata, ...body };
}

/** A Kubernetes label selector that picks one namespace by its immutable name label. */
export function namespaceByName(namespace: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } };
}

export function appSelector(app: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { [APP_LABEL]: app } };
}

/** SPIFFE principal as Istio writes it (no `spiffe://`): `<trustDomain>/ns/<ns>/sa/<sa>`. */
export function principal(spec: PlatformSpec, namespace: string, serviceAccount: string): string {
  return `${spec.cluster.trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Every principal of a namespace: Istio string match `prefix*` (a trailing `*` is a prefix match). */
export function namespacePrincipals(spec: PlatformSpec, namespace: string): string {
  return `${spec.cluster.trustDomain}/ns/${namespace}/sa/*`;
}

// Looked up once per grant and per tenant: indexed, so big platforms render in linear time.
const tenantIndexes = new WeakMap<readonly TenantSpec[], { count: number; byName: Map<string, TenantSpec> }>();

export function tenantByName(spec: PlatformSpec, name: string): TenantSpec {
  let index = tenantIndexes.get(spec.tenants);
  if (!index || index.count !== spec.tenants.length) {
    const byName = new Map<string, TenantSpec>();
    for (const t of spec.tenants) if (!byName.has(t.name)) byName.set(t.name, t);
    tenantIndexes.set(spec.tenants, (index = { count: spec.tenants.length, byName }));
  }
  const found = index.byName.get(name);
  if (!found) {
    throw new Error(`grants: tenant "${name}" is not defined — add it to tenants or fix the grant (validatePlatformConfig reports this)`);
  }
  return found;
}

/** Sorted, de-duplicated copy. */
export function uniqueSorted<T extends string | number>(values: Iterable<T>): T[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Namespace label that marks a tenant namespace as a permitted caller of one shared service. */
export const SHARED_ACCESS_LABEL_PREFIX = "shared.hard-tenancy.io/";
export function sharedAccessLabel(service: string): string {
  return `${SHARED_ACCESS_LABEL_PREFIX}${service}`;
}
export const SHARED_ACCESS_LABEL_VALUE = "allowed";

/** The shared services a tenant may call (none when shared services are off). */
export function tenantSharedServices(spec: PlatformSpec, tenant: TenantSpec) {
  if (!spec.sharedServices.enabled) return [];
  const wanted = new Set(tenant.sharedServices);
  return spec.sharedServices.services.filter((s) => wanted.has(s.name));
}
