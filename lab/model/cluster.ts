// The cluster view: namespaces, workloads, services and policy objects, from any manifests.
import type { K8sObject } from "../../components/k8s/object";
import { NAMESPACE_NAME_LABEL } from "../../components/spec/labels";
import type { L4Protocol } from "../probes/types";
import type { PathNormalization } from "./layers/authz/path-normalization";
import { readMeshSettings } from "./mesh-config";
import { readL4Protocol } from "./ports";
import type { ClusterModel, NamespaceInfo, ServiceInfo, ServicePort, Workload } from "./types";
import { extractWorkloads, namespaceOf, WORKLOAD_KINDS } from "./workload-extract";

/** API groups whose objects the layers read (NetworkPolicy, Calico, CNP/ANP/BANP, Istio security). */
const POLICY_GROUPS = ["networking.k8s.io", "policy.networking.k8s.io", "projectcalico.org", "crd.projectcalico.org", "security.istio.io", "networking.istio.io", "telemetry.istio.io"];

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
}

export function workloadId(w: Pick<Workload, "namespace" | "name">): string {
  return `${w.namespace}/${w.name}`;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parseService(o: K8sObject, warnings: string[]): ServiceInfo {
  const spec = record(o.spec) ?? {};
  const selectorRaw = record(spec.selector);
  const selector = selectorRaw && Object.keys(selectorRaw).length > 0 ? Object.fromEntries(Object.entries(selectorRaw).map(([k, v]) => [k, String(v)])) : undefined;
  const ports: ServicePort[] = [];
  ((spec.ports as unknown[]) ?? []).forEach((raw, i) => {
    const p = record(raw);
    const port = Number(p?.port);
    if (!p || !Number.isInteger(port)) {
      warnings.push(`Service ${namespaceOf(o)}/${o.metadata.name}: spec.ports[${i}] has no numeric port; skipped`);
      return;
    }
    const target = p.targetPort;
    const targetPort = typeof target === "string" && !/^\d+$/.test(target) ? target : target === undefined || target === null ? port : Number(target);
    const protocol = readL4Protocol(p.protocol, `Service ${namespaceOf(o)}/${o.metadata.name}: spec.ports[${i}].protocol`, (m) => warnings.push(m));
    if (protocol) ports.push({ ...(typeof p.name === "string" ? { name: p.name } : {}), port, targetPort, protocol });
  });
  const clusterIP = typeof spec.clusterIP === "string" && spec.clusterIP !== "None" ? spec.clusterIP : undefined;
  return { namespace: namespaceOf(o), name: o.metadata.name, ...(selector ? { selector } : {}), ...(clusterIP ? { clusterIP } : {}), ports };
}

export interface ClusterModelOptions {
  /** Istio root namespace; default: the objects' mesh config (mesh-config.ts), else istio-system. */
  rootNamespace?: string;
  /** Istio trust domain; default: the objects' mesh config, else cluster.local. */
  trustDomain?: string;
  /** Mesh path normalization; default: the objects' mesh config, else unset (Istio's BASE). */
  pathNormalization?: PathNormalization;
  /** Warnings to start from (e.g. the loader's). */
  warnings?: string[];
  /** How long each probe's client waits (curl --max-time); default the lab's. */
  clientTimeoutSeconds?: number;
}

/**
 * Builds the model. Namespaced objects without a namespace land in "default" (as kubectl does);
 * a namespace that is referenced but not defined exists with only its name label. The mesh
 * settings come from `options`, else from the objects' Istio mesh ConfigMap (a cluster dump).
 */
export function buildClusterModel(objects: K8sObject[], options: ClusterModelOptions = {}): ClusterModel {
  const warnings = [...(options.warnings ?? [])];
  const overridden = options.rootNamespace !== undefined && options.trustDomain !== undefined && options.pathNormalization !== undefined;
  const mesh = overridden ? undefined : readMeshSettings(objects, warnings);
  const pathNormalization = options.pathNormalization ?? mesh?.pathNormalization;
  const namespaces = new Map<string, NamespaceInfo>();
  const namespaceInfo = (name: string): NamespaceInfo => {
    let ns = namespaces.get(name);
    if (!ns) namespaces.set(name, (ns = { name, labels: { [NAMESPACE_NAME_LABEL]: name }, defined: false }));
    return ns;
  };
  for (const o of objects) {
    if (o.kind !== "Namespace") continue;
    const ns = namespaceInfo(o.metadata.name);
    const labels = o.metadata.labels ?? {};
    if (ns.defined && Object.entries(labels).some(([k, v]) => ns.labels[k] !== undefined && ns.labels[k] !== v)) {
      warnings.push(`Namespace ${o.metadata.name} is defined twice with different labels; labels merged, the later wins`);
    }
    // Kubernetes sets kubernetes.io/metadata.name itself and it cannot be changed.
    ns.labels = { ...ns.labels, ...labels, [NAMESPACE_NAME_LABEL]: o.metadata.name };
    ns.defined = true;
  }
  const workloads = extractWorkloads(objects, namespaceInfo, warnings);
  const services: ServiceInfo[] = [];
  const policies: K8sObject[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    if (o.kind === "Namespace" || o.kind === "Pod" || (WORKLOAD_KINDS as readonly string[]).includes(o.kind)) continue;
    if (o.kind === "Service") {
      const svc = parseService(o, warnings);
      const key = `${svc.namespace}/${svc.name}`;
      if (seen.has(`Service/${key}`)) {
        warnings.push(`Service ${key} is defined twice; keeping the first`);
        continue;
      }
      seen.add(`Service/${key}`);
      namespaceInfo(svc.namespace);
      services.push(svc);
    } else if (POLICY_GROUPS.includes(groupOf(o.apiVersion))) {
      if (o.metadata.namespace) namespaceInfo(o.metadata.namespace);
      policies.push(o);
    }
  }
  return {
    namespaces,
    workloads,
    services,
    policies,
    rootNamespace: options.rootNamespace ?? mesh?.rootNamespace ?? "istio-system",
    trustDomain: options.trustDomain ?? mesh?.trustDomain ?? "cluster.local",
    ...(pathNormalization ? { pathNormalization } : {}),
    ...(mesh?.connectTimeoutSeconds !== undefined ? { envoyConnectTimeoutSeconds: mesh.connectTimeoutSeconds } : {}),
    ...(options.clientTimeoutSeconds !== undefined ? { clientTimeoutSeconds: options.clientTimeoutSeconds } : {}),
    warnings,
  };
}

interface Lookup {
  workloadCount: number;
  serviceCount: number;
  byId: Map<string, Workload>;
  byIp: Map<string, Workload>;
  /** Workloads per namespace, in model order (a Service selects only in its own namespace). */
  byNamespace: Map<string, Workload[]>;
  /** "ns/name" → the first Service of that id (buildClusterModel keeps the first of duplicates). */
  serviceById: Map<string, ServiceInfo>;
  /** Services per namespace, in model order. */
  servicesByNamespace: Map<string, ServiceInfo[]>;
}
const lookups = new WeakMap<ClusterModel, Lookup>();

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Indexes over the model, rebuilt when workloads or services were added since (tests grow models). */
function lookupOf(model: ClusterModel): Lookup {
  const cached = lookups.get(model);
  if (cached && cached.workloadCount === model.workloads.length && cached.serviceCount === model.services.length) return cached;
  const byId = new Map<string, Workload>();
  const byIp = new Map<string, Workload>();
  const byNamespace = new Map<string, Workload[]>();
  for (const w of model.workloads) {
    byId.set(workloadId(w), w);
    for (const ip of w.podIPs) byIp.set(ip, w);
    pushTo(byNamespace, w.namespace, w);
  }
  const serviceById = new Map<string, ServiceInfo>();
  const servicesByNamespace = new Map<string, ServiceInfo[]>();
  for (const s of model.services) {
    const id = `${s.namespace}/${s.name}`;
    if (!serviceById.has(id)) serviceById.set(id, s);
    pushTo(servicesByNamespace, s.namespace, s);
  }
  const fresh = { workloadCount: model.workloads.length, serviceCount: model.services.length, byId, byIp, byNamespace, serviceById, servicesByNamespace };
  lookups.set(model, fresh);
  return fresh;
}

/** The Service "ns/name" (the first one, as model.services.find would return). */
export function findService(model: ClusterModel, id: string): ServiceInfo | undefined {
  return lookupOf(model).serviceById.get(id);
}

/** The Services of one namespace (only they can select its workloads). */
export function servicesInNamespace(model: ClusterModel, namespace: string): readonly ServiceInfo[] {
  return lookupOf(model).servicesByNamespace.get(namespace) ?? [];
}

/** `id` is "ns/name". */
export function findWorkload(model: ClusterModel, id: string): Workload | undefined {
  return lookupOf(model).byId.get(id);
}

export function workloadByIp(model: ClusterModel, ip: string): Workload | undefined {
  return lookupOf(model).byIp.get(ip);
}

export function serviceSelects(service: ServiceInfo, w: Workload): boolean {
  if (!service.selector || w.namespace !== service.namespace) return false;
  return Object.entries(service.selector).every(([k, v]) => w.podLabels[k] === v);
}

/**
 * Translates a Service port to the pods' target ports as kube-proxy does: a numeric targetPort is
 * used as is; a named targetPort is looked up on each destination pod's container ports (same
 * name and protocol), and pods without that name are not endpoints. One Service port number may
 * exist for several protocols (e.g. DNS 53/UDP and 53/TCP): targets cover all of them.
 */
export function resolveServicePort(
  model: ClusterModel,
  serviceId: string,
  port: number,
): { service: ServiceInfo; targets: { workload: Workload; port: number; portName?: string; protocol: L4Protocol }[] } | undefined {
  const service = findService(model, serviceId);
  if (!service) return undefined;
  const entries = service.ports.filter((p) => p.port === port);
  if (entries.length === 0) return undefined;
  const targets: { workload: Workload; port: number; portName?: string; protocol: L4Protocol }[] = [];
  for (const w of lookupOf(model).byNamespace.get(service.namespace) ?? []) {
    if (!serviceSelects(service, w)) continue;
    for (const entry of entries) {
      if (typeof entry.targetPort === "string") {
        const named = w.ports.find((cp) => cp.name === entry.targetPort && cp.protocol === entry.protocol);
        if (named) targets.push({ workload: w, port: named.containerPort, portName: named.name, protocol: entry.protocol });
      } else {
        const numbered = w.ports.find((cp) => cp.containerPort === entry.targetPort && cp.protocol === entry.protocol);
        targets.push({ workload: w, port: entry.targetPort, ...(numbered?.name ? { portName: numbered.name } : {}), protocol: entry.protocol });
      }
    }
  }
  return { service, targets };
}
