// Pods and pod templates → workloads. A Pod with a controller ownerReference joins its owner
// (following ReplicaSet → Deployment and Job → CronJob), so all replicas are one workload.
import type { K8sObject } from "../../components/k8s/object";
import { readL4Protocol } from "./ports";
import type { ContainerPort, NamespaceInfo, Workload } from "./types";

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"] as const;

type Json = Record<string, unknown>;

function asRecord(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

function asStringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(asRecord(v) ?? {})) out[k] = String(val);
  return out;
}

export function namespaceOf(o: K8sObject): string {
  return o.metadata.namespace || "default";
}

/** The pod template (metadata + spec) of a workload object, or the Pod itself. */
export function podTemplateOf(o: K8sObject): { metadata: Json; spec: Json } | undefined {
  const spec = asRecord(o.spec);
  if (o.kind === "Pod") return { metadata: o.metadata as unknown as Json, spec: spec ?? {} };
  const template = o.kind === "CronJob" ? asRecord(asRecord(asRecord(spec?.jobTemplate)?.spec)?.template) : asRecord(spec?.template);
  if (!template) return undefined;
  return { metadata: asRecord(template.metadata) ?? {}, spec: asRecord(template.spec) ?? {} };
}

function containerPorts(podSpec: Json, where: string, warnings: string[]): ContainerPort[] {
  const out: ContainerPort[] = [];
  const containers = [...((podSpec.containers as unknown[]) ?? []), ...((podSpec.initContainers as unknown[]) ?? [])];
  for (const c of containers) {
    for (const p of ((asRecord(c)?.ports as unknown[]) ?? []).map(asRecord)) {
      const port = Number(p?.containerPort);
      if (!p || !Number.isInteger(port)) continue;
      const protocol = readL4Protocol(p.protocol, `${where}: containerPort ${port} protocol`, (m) => warnings.push(m));
      if (!protocol) continue;
      out.push({ ...(typeof p.name === "string" ? { name: p.name } : {}), containerPort: port, protocol });
    }
  }
  return out;
}

function hasProxyContainer(podSpec: Json): boolean {
  const names = [...((podSpec.containers as unknown[]) ?? []), ...((podSpec.initContainers as unknown[]) ?? [])].map((c) => asRecord(c)?.name);
  return names.includes("istio-proxy");
}

/**
 * Istio's injection decision ("Controlling the injection policy", istio.io docs): a "false"/
 * "disabled" on either the pod label `sidecar.istio.io/inject` or the namespace label
 * `istio-injection` wins; otherwise a "true"/"enabled" on either (or a namespace or pod
 * `istio.io/rev` label) injects; neither set means no injection (enableNamespacesByDefault is
 * off by default). hostNetwork pods are never injected. A live dump that already carries an
 * `istio-proxy` container has a sidecar regardless.
 */
export function hasSidecar(podLabels: Record<string, string>, podAnnotations: Record<string, string>, podSpec: Json, ns: NamespaceInfo): boolean {
  if (hasProxyContainer(podSpec)) return true;
  if (podSpec.hostNetwork === true) return false;
  const podInject = podLabels["sidecar.istio.io/inject"] ?? podAnnotations["sidecar.istio.io/inject"];
  const nsInjection = ns.labels["istio-injection"];
  if (podInject === "false" || nsInjection === "disabled") return false;
  if (podInject === "true" || nsInjection === "enabled") return true;
  return ns.labels["istio.io/rev"] !== undefined || podLabels["istio.io/rev"] !== undefined;
}

/** The kind given to a workload whose pods share a controller reference that names no kind. */
export const UNKNOWN_OWNER_KIND = "Owner";

interface OwnerRef {
  /** Absent when the reference omits it (some dump tools strip it): the name still groups the pods. */
  kind?: string;
  name: string;
}

function controllerOf(o: Json | K8sObject): OwnerRef | undefined {
  const refs = ((asRecord(o.metadata)?.ownerReferences as unknown[]) ?? []).map(asRecord);
  const ref = refs.find((r) => r?.controller === true) ?? (refs.length === 1 ? refs[0] : undefined);
  if (!ref || typeof ref.name !== "string" || ref.name === "") return undefined;
  return typeof ref.kind === "string" && ref.kind !== "" ? { kind: ref.kind, name: ref.name } : { name: ref.name };
}

/**
 * Builds workloads. `namespaceInfo` returns (creating if needed) the namespace a workload lives in.
 */
/** `serviceAccountName`, else the deprecated `serviceAccount`, else "default" (as the API server defaults it). */
function serviceAccountOf(podSpec: Json): string {
  const name = [podSpec.serviceAccountName, podSpec.serviceAccount].find((v) => typeof v === "string" && v !== "");
  return typeof name === "string" ? name : "default";
}

export function extractWorkloads(objects: K8sObject[], namespaceInfo: (name: string) => NamespaceInfo, warnings: string[]): Workload[] {
  const controllers = new Map<string, K8sObject>();
  for (const o of objects) if ((WORKLOAD_KINDS as readonly string[]).includes(o.kind)) controllers.set(`${namespaceOf(o)}/${o.kind}/${o.metadata.name}`, o);

  // A reference without a kind names the controller object of that name, when exactly one is known.
  const withKind = (ns: string, ref: OwnerRef): OwnerRef => {
    if (ref.kind !== undefined) return ref;
    const kinds = WORKLOAD_KINDS.filter((kind) => controllers.has(`${ns}/${kind}/${ref.name}`));
    return kinds.length === 1 ? { kind: kinds[0], name: ref.name } : ref;
  };
  // Follow controller ownerReferences up to the top-most owner we know (or can infer).
  const topOwner = (ns: string, ref: OwnerRef): OwnerRef => {
    let current = withKind(ns, ref);
    for (let depth = 0; depth < 5; depth++) {
      if (current.kind === undefined) break;
      const obj = controllers.get(`${ns}/${current.kind}/${current.name}`);
      const parent = obj ? controllerOf(obj) : undefined;
      if (parent && (WORKLOAD_KINDS as readonly string[]).includes(withKind(ns, parent).kind ?? "")) {
        current = withKind(ns, parent);
        continue;
      }
      if (!obj && current.kind === "ReplicaSet") {
        // Deployment-owned ReplicaSets are named <deployment>-<pod-template-hash>.
        const deployment = current.name.replace(/-[a-z0-9]+$/, "");
        if (controllers.has(`${ns}/Deployment/${deployment}`)) current = { kind: "Deployment", name: deployment };
      }
      break;
    }
    return current;
  };

  const byKey = new Map<string, Workload>();
  const add = (ns: string, kind: string, name: string, template: { metadata: Json; spec: Json }, podIPs: string[]): void => {
    const key = `${ns}/${name}`;
    const existing = byKey.get(key);
    if (existing) {
      if (existing.kind !== kind) warnings.push(`workload ${key}: both a ${existing.kind} and a ${kind} use this name; keeping the ${existing.kind}`);
      for (const ip of podIPs) if (!existing.podIPs.includes(ip)) existing.podIPs.push(ip);
      return;
    }
    const podLabels = asStringMap(template.metadata.labels);
    const spec = template.spec;
    byKey.set(key, {
      namespace: ns,
      name,
      kind,
      podLabels,
      serviceAccount: serviceAccountOf(spec),
      ports: containerPorts(spec, `workload ${key}`, warnings),
      podIPs: [...podIPs],
      sidecar: hasSidecar(podLabels, asStringMap(template.metadata.annotations), spec, namespaceInfo(ns)),
    });
  };

  // Controllers first (their templates define the workload), owned controllers fold into their owner.
  for (const o of objects) {
    if (!(WORKLOAD_KINDS as readonly string[]).includes(o.kind)) continue;
    const ns = namespaceOf(o);
    const owner = controllerOf(o);
    if (owner && (WORKLOAD_KINDS as readonly string[]).includes(withKind(ns, owner).kind ?? "")) {
      const top = topOwner(ns, owner);
      if (controllers.has(`${ns}/${top.kind}/${top.name}`)) continue;
    }
    const template = podTemplateOf(o);
    if (!template) {
      warnings.push(`${o.kind} ${ns}/${o.metadata.name}: no pod template; skipped`);
      continue;
    }
    add(ns, o.kind, o.metadata.name, template, []);
  }
  for (const o of objects) {
    if (o.kind !== "Pod") continue;
    const ns = namespaceOf(o);
    const status = asRecord(o.status);
    const ips = [
      ...((status?.podIPs as unknown[]) ?? []).map((p) => asRecord(p)?.ip).filter((ip): ip is string => typeof ip === "string"),
      ...(typeof status?.podIP === "string" ? [status.podIP] : []),
    ].filter((ip, i, all) => all.indexOf(ip) === i);
    const owner = controllerOf(o);
    const top = owner ? topOwner(ns, owner) : undefined;
    add(ns, top ? top.kind ?? UNKNOWN_OWNER_KIND : "Pod", top?.name ?? o.metadata.name, podTemplateOf(o)!, ips);
  }
  return [...byKey.values()];
}
