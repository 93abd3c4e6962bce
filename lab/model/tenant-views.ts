// What the model sees of each namespace, in a form two clusters can be compared by: its labels, its
// workloads (pod template labels, service account, ports, sidecar), its Services (selector, ports),
// its policy objects (server-populated.ts normal form) and the HTTP outbound-listener ports its
// Services give the proxies that know them. Pod IPs and ClusterIPs are left out: the server assigns
// them per object, and conformance.ts weighs the IPs the model uses on their own.
// Cluster-scoped policies are filed under the namespace "".
import type { K8sObject } from "../../components/k8s/object";
import { serviceSelects } from "./cluster";
import { servicePortIsHttp } from "./outbound-listeners";
import { policyNormalForm } from "./server-populated";
import type { ClusterModel, ServiceInfo, Workload } from "./types";

export interface PolicyView {
  /** policyNormalForm of the object. */
  normal: string;
  object: K8sObject;
}

export interface NamespaceView {
  /** undefined: the namespace object does not exist (only referenced). */
  labels?: string;
  /** name → view of the workload. */
  workloads: Map<string, { view: string; workload: Workload }>;
  /** name → view of the Service. */
  services: Map<string, { view: string; service: ServiceInfo }>;
  /** "group/kind/name" → the policy. */
  policies: Map<string, PolicyView>;
  /** Ports on which a Service here with endpoints gives a wildcard HTTP outbound listener (outbound-listeners.ts). */
  listenerPorts: string;
}

function sortedJson(record: Record<string, string>): string {
  return JSON.stringify(Object.keys(record).sort().map((k) => [k, record[k]]));
}

export function workloadView(w: Workload): string {
  const ports = [...w.ports].map((p) => `${p.name ?? ""}:${p.containerPort}/${p.protocol}`).sort();
  return JSON.stringify({ kind: w.kind, podLabels: sortedJson(w.podLabels), serviceAccount: w.serviceAccount, ports, sidecar: w.sidecar });
}

export function serviceView(s: ServiceInfo): string {
  const ports = s.ports.map((p) => `${p.name ?? ""}:${p.port}>${p.targetPort}/${p.protocol}`).sort();
  return JSON.stringify({ selector: s.selector ? sortedJson(s.selector) : null, ports });
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
}

export function policyKey(o: K8sObject): string {
  return `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.name}`;
}

function emptyView(): NamespaceView {
  return { workloads: new Map(), services: new Map(), policies: new Map(), listenerPorts: "[]" };
}

/** Every namespace the model knows (and "" for cluster-scoped policies), viewed. */
export function namespaceViews(model: ClusterModel): Map<string, NamespaceView> {
  const views = new Map<string, NamespaceView>();
  const viewOf = (ns: string): NamespaceView => {
    let view = views.get(ns);
    if (!view) views.set(ns, (view = emptyView()));
    return view;
  };
  for (const [name, info] of model.namespaces) if (info.defined) viewOf(name).labels = sortedJson(info.labels);
  const workloadsByNamespace = new Map<string, Workload[]>();
  for (const w of model.workloads) {
    viewOf(w.namespace).workloads.set(w.name, { view: workloadView(w), workload: w });
    const list = workloadsByNamespace.get(w.namespace);
    if (list) list.push(w);
    else workloadsByNamespace.set(w.namespace, [w]);
  }
  const listeners = new Map<string, Set<number>>();
  for (const s of model.services) {
    const view = viewOf(s.namespace);
    // The model keeps the first of two Services with one name (cluster.ts): so does the view.
    if (!view.services.has(s.name)) view.services.set(s.name, { view: serviceView(s), service: s });
    if ((workloadsByNamespace.get(s.namespace) ?? []).some((w) => serviceSelects(s, w))) {
      for (const p of s.ports) {
        if (!servicePortIsHttp(p)) continue;
        const set = listeners.get(s.namespace) ?? new Set<number>();
        set.add(p.port);
        listeners.set(s.namespace, set);
      }
    }
  }
  for (const [ns, ports] of listeners) viewOf(ns).listenerPorts = JSON.stringify([...ports].sort((a, b) => a - b));
  for (const o of model.policies) viewOf(o.metadata.namespace ?? "").policies.set(policyKey(o), { normal: policyNormalForm(o), object: o });
  return views;
}

/** The names whose entries differ between two maps of views (present on one side only, or with different views). */
export function differingNames<T extends { view: string } | { normal: string }>(a: Map<string, T>, b: Map<string, T>): string[] {
  const text = (t: T | undefined): string | undefined => (t === undefined ? undefined : "view" in t ? t.view : t.normal);
  return [...new Set([...a.keys(), ...b.keys()])].filter((name) => text(a.get(name)) !== text(b.get(name))).sort();
}
