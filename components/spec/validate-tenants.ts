// `tenants[*]`: names, namespaces, quotas, limits, labels, shared services, gateway ingress.
import { DEFAULT_LIMITS, DEFAULT_QUOTA, RESERVED_NAMESPACES } from "./defaults";
import { CALICO_NAMESPACE_NAME_LABEL, MANAGED_BY_LABEL, NAMESPACE_NAME_LABEL, ROLE_LABEL, TENANT_LABEL } from "./labels";
import { child, item } from "./problems";
import { compareQuantities, parseQuantity } from "./quantity";
import { describeValue, type ConfigReader, type RawMap } from "./reader";
import { checkLabels } from "./validate-cluster";
import { checkDnsLabel, reportDuplicates } from "./validate-platform";
import type { LimitRangeSpec, QuotaSpec, TenantSpec } from "./types";

const TENANT_KEYS = ["name", "apiServerAccess", "namespace", "adminGroups", "sharedServices", "ingress", "quota", "limits", "labels"] as const;
/** resource.Quantity holds an int64: "Numbers larger or more precise will be capped or rounded up" (apimachinery resource.Quantity). */
const MAX_QUANTITY = 2 ** 63 - 1;
const QUANTITY_FIX = 'use a number with an optional suffix (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei) or exponent, e.g. "500m", "8Gi" or "1e3"';

/** Labels the platform sets on tenant namespaces; a tenant label may never override them. */
export const PLATFORM_LABEL_KEYS: readonly string[] = [MANAGED_BY_LABEL, TENANT_LABEL, ROLE_LABEL, NAMESPACE_NAME_LABEL, CALICO_NAMESPACE_NAME_LABEL, "istio-injection"];
/** Label prefixes owned by the platform, Pod Security Admission, Istio or Kubernetes itself. */
export const PLATFORM_LABEL_PREFIXES: readonly string[] = ["hard-tenancy.io/", "pod-security.kubernetes.io/", "istio.io/", "kubernetes.io/", "k8s.io/", "projectcalico.org/"];

export interface PlatformNamespaces {
  mesh: string;
  shared: string;
  ingressGateway: string;
}

export interface TenantContext {
  namespaces: PlatformNamespaces;
  sharedServicesEnabled: boolean;
  sharedServiceNames: string[];
  ingressGatewayInstalled: boolean;
}

/** A quantity field: string (or number) that parses and is not negative. */
export function readQuantity(r: ConfigReader, raw: RawMap, key: string, field: string, fallback: string): string {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== "string" && typeof value !== "number") {
    r.add(field, `must be a Kubernetes quantity, got ${describeValue(value)}`, QUANTITY_FIX);
    return fallback;
  }
  const text = String(value);
  const parsed = parseQuantity(text);
  if (parsed === undefined || !Number.isFinite(parsed)) {
    r.add(field, `${JSON.stringify(text)} is not a Kubernetes quantity`, QUANTITY_FIX);
    return fallback;
  }
  if (parsed < 0) {
    r.add(field, `${JSON.stringify(text)} is negative`, "use a quantity ≥ 0");
    return fallback;
  }
  if (parsed > MAX_QUANTITY) {
    r.add(field, `${JSON.stringify(text)} is beyond 2^63−1, the largest quantity Kubernetes represents (larger ones are capped, so the cluster would hold another value)`, "use a realistic quantity, e.g. \"64\" or \"256Gi\"");
    return fallback;
  }
  return text;
}

function readQuota(r: ConfigReader, tenant: RawMap, field: string): QuotaSpec {
  const keys = Object.keys(DEFAULT_QUOTA) as (keyof QuotaSpec)[];
  const raw = r.optionalMap(tenant, "quota", field, keys);
  const out = { ...DEFAULT_QUOTA };
  for (const key of keys) {
    const fallback = DEFAULT_QUOTA[key];
    if (typeof fallback === "number") (out as Record<string, number | string>)[key] = r.count(raw, key, child(field, key), fallback);
    else (out as Record<string, number | string>)[key] = readQuantity(r, raw, key, child(field, key), fallback);
  }
  checkControllerCounts(r, out, field);
  return out;
}

/**
 * Object counts whose owners need children: a Deployment runs through a ReplicaSet and a CronJob
 * through Jobs, so a child count below the owner's would stall rollouts or every scheduled run.
 */
function checkControllerCounts(r: ConfigReader, quota: QuotaSpec, field: string): void {
  if (quota.replicaSets < quota.deployments) {
    r.add(child(field, "replicaSets"), `${quota.replicaSets} is less than deployments ${quota.deployments}: every Deployment needs at least one ReplicaSet (and keeps old ones for rollbacks)`, `raise replicaSets to at least ${quota.deployments} (about 11 per Deployment with the default revisionHistoryLimit), or lower deployments`);
  }
  if (quota.cronJobs > 0 && quota.jobs === 0) {
    r.add(child(field, "jobs"), `is 0 but cronJobs is ${quota.cronJobs}: every scheduled run creates a Job`, "raise jobs (about 4 per CronJob with the default history limits), or set cronJobs: 0");
  }
}

function readLimits(r: ConfigReader, tenant: RawMap, field: string): LimitRangeSpec {
  const keys = Object.keys(DEFAULT_LIMITS) as (keyof LimitRangeSpec)[];
  const raw = r.optionalMap(tenant, "limits", field, keys);
  const out = { ...DEFAULT_LIMITS };
  let valid = true;
  for (const key of keys) {
    const before = r.problems.size;
    out[key] = readQuantity(r, raw, key, child(field, key), DEFAULT_LIMITS[key]);
    if (r.problems.size !== before) valid = false;
  }
  if (!valid) return out;
  // The LimitRange admission requires defaultRequest ≤ default ≤ max for each resource.
  for (const resource of ["Cpu", "Memory"] as const) {
    const request = out[`defaultRequest${resource}`];
    const limit = out[`default${resource}`];
    const max = out[`max${resource}`];
    if (compareQuantities(request, limit) > 0) {
      r.add(child(field, `defaultRequest${resource}`), `${request} is more than default${resource} ${limit}`, `make defaultRequest${resource} ≤ default${resource} ≤ max${resource}`);
    }
    if (compareQuantities(limit, max) > 0) {
      r.add(child(field, `default${resource}`), `${limit} is more than max${resource} ${max}`, `make defaultRequest${resource} ≤ default${resource} ≤ max${resource}`);
    }
  }
  return out;
}

function readTenantLabels(r: ConfigReader, tenant: RawMap, field: string): Record<string, string> {
  const labels = r.stringMap(tenant, "labels", field, {});
  checkLabels(r, labels, field);
  for (const key of Object.keys(labels)) {
    const owned = PLATFORM_LABEL_KEYS.includes(key) || PLATFORM_LABEL_PREFIXES.some((prefix) => key.startsWith(prefix) || key.includes(`.${prefix}`));
    if (owned) r.add(child(field, key), `label ${JSON.stringify(key)} is set by the platform (or Kubernetes/Istio) and may not be overridden`, "remove it, or use a label key of your own, e.g. \"example.com/team\"");
  }
  return labels;
}

function namespaceCollision(namespace: string, ctx: TenantContext): string | undefined {
  if (RESERVED_NAMESPACES.includes(namespace)) return "is a reserved system namespace";
  if (namespace.startsWith("kube-")) return 'uses the "kube-" prefix Kubernetes reserves for system namespaces';
  if (namespace === ctx.namespaces.shared) return "is the shared-services namespace";
  if (namespace === ctx.namespaces.mesh) return "is the mesh (Istio root) namespace";
  if (namespace === ctx.namespaces.ingressGateway) return "is the ingress-gateway namespace";
  return undefined;
}

function readTenant(r: ConfigReader, value: unknown, field: string, ctx: TenantContext): TenantSpec | undefined {
  const raw = r.map(value, field, TENANT_KEYS);
  if (!raw) return undefined;
  const name = r.requiredString(raw, "name", child(field, "name"), 'name the tenant, e.g. "acme"');
  const nameValid = name !== undefined && checkDnsLabel(r, name, child(field, "name"), "acme");
  let namespace = r.string(raw, "namespace", child(field, "namespace"), name === undefined ? "" : `tenant-${name}`, 'leave namespace out for "tenant-<name>", or name one');
  if (raw.namespace === undefined && nameValid && namespace.length > 63) {
    r.add(child(field, "name"), `the default namespace "${namespace}" would be longer than 63 characters`, `shorten the name to at most 56 characters, or set ${child(field, "namespace")}`);
    namespace = "";
  } else if (raw.namespace !== undefined && namespace !== "" && !checkDnsLabel(r, namespace, child(field, "namespace"), `tenant-${name ?? "acme"}`)) {
    namespace = "";
  }
  if (namespace !== "") {
    const collision = namespaceCollision(namespace, ctx);
    const at = raw.namespace !== undefined ? child(field, "namespace") : child(field, "name");
    if (collision !== undefined) r.add(at, `namespace ${JSON.stringify(namespace)} ${collision}`, "give the tenant a namespace of its own, e.g. \"tenant-<name>\"");
  }

  const adminGroups = r.list(raw, "adminGroups", child(field, "adminGroups"), [], (v, at) => r.stringItem(v, at, 'name a group from your identity provider, e.g. "acme-admins"'));
  reportDuplicates(r, adminGroups, child(field, "adminGroups"));

  const sharedField = child(field, "sharedServices");
  const sharedFallback = ctx.sharedServicesEnabled ? [...ctx.sharedServiceNames] : [];
  const sharedServices = r.list(raw, "sharedServices", sharedField, sharedFallback, (v, at) => {
    const service = r.stringItem(v, at, "name a configured shared service");
    if (service === undefined) return undefined;
    if (!ctx.sharedServicesEnabled) {
      r.add(at, `shared services are disabled (sharedServices.enabled is false), so ${JSON.stringify(service)} cannot be used`, "remove it, or set sharedServices.enabled: true");
      return undefined;
    }
    if (!ctx.sharedServiceNames.includes(service)) {
      r.add(at, `${JSON.stringify(service)} is not a configured shared service`, `use one of: ${ctx.sharedServiceNames.join(", ") || "(none configured)"}`);
      return undefined;
    }
    return service;
  });
  reportDuplicates(r, sharedServices, sharedField);

  const ingressField = child(field, "ingress");
  const ingressRaw = r.optionalMap(raw, "ingress", ingressField, ["fromGateway", "ports"]);
  const fromGateway = r.boolean(ingressRaw, "fromGateway", child(ingressField, "fromGateway"), false);
  const ports = r.list(ingressRaw, "ports", child(ingressField, "ports"), [], (v, at) => r.portValue(v, at));
  if (fromGateway && !ctx.ingressGatewayInstalled) {
    r.add(child(ingressField, "fromGateway"), "needs the Istio ingress gateway, but install.ingressGateway is false", "set install.ingressGateway: true, or remove ingress.fromGateway");
  }
  if (fromGateway && ingressRaw.ports !== undefined && Array.isArray(ingressRaw.ports) && ingressRaw.ports.length === 0) {
    r.add(child(ingressField, "ports"), "is empty, so fromGateway opens nothing", "list the container ports the gateway may reach, e.g. [8080]");
  }
  if (fromGateway && ingressRaw.ports === undefined) {
    r.add(child(ingressField, "ports"), "is required when fromGateway is true", "list the container ports the gateway may reach, e.g. [8080]");
  }
  if (!fromGateway && ports.length > 0) {
    r.add(child(ingressField, "ports"), "lists ports but fromGateway is false, so nothing is opened", "set fromGateway: true, or remove the ports");
  }

  const apiServerAccess = r.boolean(raw, "apiServerAccess", child(field, "apiServerAccess"), false);
  const quota = readQuota(r, raw, child(field, "quota"));
  const limits = readLimits(r, raw, child(field, "limits"));
  const labels = readTenantLabels(r, raw, child(field, "labels"));
  if (!nameValid || name === undefined) return undefined;
  return { name, apiServerAccess, namespace, adminGroups, sharedServices, ingress: { fromGateway, ports }, quota, limits, labels };
}

export function readTenants(r: ConfigReader, root: RawMap, ctx: TenantContext): TenantSpec[] {
  const field = "tenants";
  if (root.tenants === undefined) {
    r.add(field, "is required", 'list at least one tenant, e.g. tenants: [{ name: "acme" }]');
    return [];
  }
  if (Array.isArray(root.tenants) && root.tenants.length === 0) {
    r.add(field, "must list at least one tenant", 'add a tenant, e.g. tenants: [{ name: "acme" }]');
  }
  const indexed = r.list(root, "tenants", field, [], (value, at, index) => {
    const tenant = readTenant(r, value, at, ctx);
    return tenant === undefined ? undefined : { tenant, index };
  });
  const byName = new Map<string, number>();
  const byNamespace = new Map<string, number>();
  for (const { tenant, index } of indexed) {
    const previous = byName.get(tenant.name);
    if (previous !== undefined) {
      r.add(child(item(field, index), "name"), `${JSON.stringify(tenant.name)} is already used by tenants[${previous}]`, "give every tenant a unique name");
      continue;
    }
    byName.set(tenant.name, index);
    if (tenant.namespace === "") continue;
    const owner = byNamespace.get(tenant.namespace);
    if (owner !== undefined) {
      r.add(child(item(field, index), "namespace"), `namespace ${JSON.stringify(tenant.namespace)} is already used by tenants[${owner}]`, "give every tenant a namespace of its own");
    } else byNamespace.set(tenant.namespace, index);
  }
  return indexed.map(({ tenant }) => tenant);
}
