// Does each tenant's ResourceQuota admit the workloads the stack deploys into it, plus one surge pod
// of a rolling update, sidecars included? The quota counts every container of an admitted pod, and
// Istio's injection webhook (a mutating webhook, before ResourceQuota) adds `istio-proxy` with the
// mesh's proxy resources to every meshed pod, and the `istio-validation` init container with the same
// resources. A pod's effective request/limit is max(sum of its containers, largest init container)
// (Kubernetes "Resource sharing within containers"); with native sidecars (Istio ≥ 1.27 on
// Kubernetes ≥ 1.33) istio-proxy is a restartable init container that is summed with the app
// containers — the same total. Containers without resources get the LimitRange defaults (LimitRanger
// runs before the webhook), and a container with only a limit gets a request equal to it (API defaulting).
// Pure: the stack program, Platform and `render` call it with the workloads they deploy.
import type { K8sObject } from "../k8s/object";
import { child, ConfigError, type ConfigProblem } from "./problems";
import { parseQuantity } from "./quantity";
import type { PlatformSpec, TenantSpec } from "./types";

/** Istio's per-pod opt-out (label, and the older annotation). */
const SIDECAR_INJECT = "sidecar.istio.io/inject";

const RESOURCES = [
  { key: "requestsCpu", kind: "requests", resource: "cpu", unit: "cpu" },
  { key: "requestsMemory", kind: "requests", resource: "memory", unit: "memory" },
  { key: "limitsCpu", kind: "limits", resource: "cpu", unit: "cpu" },
  { key: "limitsMemory", kind: "limits", resource: "memory", unit: "memory" },
] as const;
type ResourceKey = (typeof RESOURCES)[number]["key"];
type Amounts = Record<ResourceKey, number>;

interface PodShape {
  workload: string;
  replicas: number;
  perPod: Amounts;
}

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(record) : []);

function zero(): Amounts {
  return { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0 };
}

/** The pod template (metadata + spec) and replica count of a pod-running object, or undefined. */
function podTemplate(o: K8sObject): { meta: Json; spec: Json; replicas: number } | undefined {
  const spec = record(o.spec);
  const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : 1);
  switch (o.kind) {
    case "Pod":
      return { meta: record(o.metadata), spec, replicas: 1 };
    case "Deployment":
    case "StatefulSet":
    case "ReplicaSet":
      return { meta: record(record(spec.template).metadata), spec: record(record(spec.template).spec), replicas: count(spec.replicas) };
    case "DaemonSet":
      // One pod per node: the node count is not known here, one is counted.
      return { meta: record(record(spec.template).metadata), spec: record(record(spec.template).spec), replicas: 1 };
    case "Job":
      return { meta: record(record(spec.template).metadata), spec: record(record(spec.template).spec), replicas: count(spec.parallelism) };
    case "CronJob": {
      const job = record(record(spec.jobTemplate).spec);
      return { meta: record(record(job.template).metadata), spec: record(record(job.template).spec), replicas: count(job.parallelism) };
    }
    default:
      return undefined;
  }
}

/** One container's requests and limits after API defaulting and the tenant's LimitRange defaults. */
function containerAmounts(container: Json, tenant: TenantSpec): Amounts {
  const resources = record(container.resources);
  const limits = record(resources.limits);
  const requests = record(resources.requests);
  const q = (v: unknown, fallback: string) => parseQuantity(typeof v === "string" || typeof v === "number" ? String(v) : fallback) ?? 0;
  const limitCpu = q(limits.cpu, tenant.limits.defaultCpu);
  const limitMemory = q(limits.memory, tenant.limits.defaultMemory);
  return {
    limitsCpu: limitCpu,
    limitsMemory: limitMemory,
    requestsCpu: requests.cpu !== undefined ? q(requests.cpu, "0") : limits.cpu !== undefined ? limitCpu : q(undefined, tenant.limits.defaultRequestCpu),
    requestsMemory: requests.memory !== undefined ? q(requests.memory, "0") : limits.memory !== undefined ? limitMemory : q(undefined, tenant.limits.defaultRequestMemory),
  };
}

function proxyAmounts(spec: PlatformSpec): Amounts {
  const p = spec.mesh.proxyResources;
  const q = (text: string) => parseQuantity(text) ?? 0;
  return { requestsCpu: q(p.requestsCpu), requestsMemory: q(p.requestsMemory), limitsCpu: q(p.limitsCpu), limitsMemory: q(p.limitsMemory) };
}

function podShape(spec: PlatformSpec, tenant: TenantSpec, o: K8sObject): PodShape | undefined {
  const template = podTemplate(o);
  if (!template) return undefined;
  const meta = template.meta;
  const optedOut = record(meta.labels)[SIDECAR_INJECT] === "false" || record(meta.annotations)[SIDECAR_INJECT] === "false";
  const meshed = spec.install.istio && !optedOut;
  const proxy = proxyAmounts(spec);
  const sum = zero();
  for (const c of list(template.spec.containers)) for (const r of RESOURCES) sum[r.key] += containerAmounts(c, tenant)[r.key];
  if (meshed) for (const r of RESOURCES) sum[r.key] += proxy[r.key];
  const perPod = zero();
  const inits = list(template.spec.initContainers).map((c) => containerAmounts(c, tenant));
  if (meshed) inits.push(proxy); // istio-validation
  for (const r of RESOURCES) perPod[r.key] = Math.max(sum[r.key], ...inits.map((i) => i[r.key]));
  return { workload: `${o.kind} ${o.metadata.name}`, replicas: template.replicas, perPod };
}

function format(value: number, unit: "cpu" | "memory"): string {
  if (unit === "cpu") return `${Math.round(value * 1000)}m`;
  return `${Math.round((value / 2 ** 20) * 10) / 10}Mi`;
}

/**
 * Problems (field, numbers, fix) for every tenant whose quota cannot admit its workloads plus one
 * surge pod. A valid spec keeps the config's tenant order, so `tenants[i]` names the config entry.
 */
export function tenantCapacityProblems(spec: PlatformSpec, workloads: K8sObject[]): ConfigProblem[] {
  if (!spec.layers.quotas) return [];
  const problems: ConfigProblem[] = [];
  spec.tenants.forEach((tenant, index) => {
    const pods = workloads.filter((o) => o.metadata.namespace === tenant.namespace).flatMap((o) => podShape(spec, tenant, o) ?? []);
    if (pods.length === 0) return;
    const field = `tenants[${index}].quota`;
    const podCount = pods.reduce((n, p) => n + p.replicas, 0);
    if (podCount + 1 > tenant.quota.pods) {
      problems.push({
        field: child(field, "pods"),
        message: `${tenant.quota.pods} does not admit the ${podCount} pods the stack deploys plus one surge pod of a rolling update`,
        fix: `raise pods to at least ${podCount + 1}`,
      });
    }
    const proxy = spec.install.istio ? ` (each meshed pod carries a sidecar with mesh.proxyResources ${spec.mesh.proxyResources.requestsCpu}/${spec.mesh.proxyResources.requestsMemory} requests, ${spec.mesh.proxyResources.limitsCpu}/${spec.mesh.proxyResources.limitsMemory} limits)` : "";
    for (const r of RESOURCES) {
      const total = pods.reduce((n, p) => n + p.perPod[r.key] * p.replicas, 0);
      const surge = Math.max(...pods.map((p) => p.perPod[r.key]));
      const hard = parseQuantity(tenant.quota[r.key]) ?? 0;
      // Compare in milli-units: quantities like 0.1 + 0.2 must not fail on float rounding.
      if (Math.round((total + surge) * 1000) > Math.round(hard * 1000)) {
        const needed = format(total + surge, r.unit);
        problems.push({
          field: child(field, r.key),
          message: `${tenant.quota[r.key]} does not admit the tenant's workloads plus one surge pod of a rolling update: they need ${needed} (${format(total, r.unit)} for ${podCount} pods, ${format(surge, r.unit)} for the largest pod again)${proxy}`,
          fix: `raise quota.${r.key} to at least ${needed}${spec.install.istio ? `, or lower mesh.proxyResources.${r.key}` : ""}`,
        });
      }
    }
  });
  return problems;
}

/** Throws ConfigError listing every capacity problem (nothing is created on bad input). */
export function assertTenantCapacity(spec: PlatformSpec, workloads: K8sObject[]): void {
  const problems = tenantCapacityProblems(spec, workloads);
  if (problems.length > 0) throw new ConfigError(problems);
}
