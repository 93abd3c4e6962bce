// Indexes over a ClusterModel shared by the network layers: workload and namespace ids, label
// indexes, workloads per namespace and per named port. Built once per model (cached).
import { ALL_IDS, NO_IDS, allIdsBut, onlyIds, type IdSet } from "./idset";
import { LabelIndex } from "./selectors";
import type { ClusterModel, Endpoint, Workload } from "./types";

export interface ModelIndex {
  model: ClusterModel;
  workloads: readonly Workload[];
  namespaceNames: readonly string[];
  podLabels: LabelIndex;
  namespaceLabels: LabelIndex;
  /** Workload index, or undefined for a Workload object not in this model. */
  idOf(w: Workload): number | undefined;
  namespaceId(name: string): number | undefined;
  workloadsInNamespace(name: string): readonly number[];
  /** Workloads with a container port of this name. */
  portNameHolders(name: string): readonly number[];
  workloadsWithIps: readonly number[];
  /** Workloads living in the given namespaces (by namespace id). */
  workloadsInNamespaces(namespaces: IdSet): IdSet;
}

const cache = new WeakMap<ClusterModel, { count: number; index: ModelIndex }>();

export function modelIndex(model: ClusterModel): ModelIndex {
  const hit = cache.get(model);
  if (hit && hit.count === model.workloads.length) return hit.index;
  const workloads = model.workloads;
  const byObject = new Map<Workload, number>();
  const byKey = new Map<string, number>();
  const perNamespace = new Map<string, number[]>();
  const perPortName = new Map<string, number[]>();
  const withIps: number[] = [];
  workloads.forEach((w, id) => {
    byObject.set(w, id);
    byKey.set(`${w.namespace}/${w.name}`, id);
    const list = perNamespace.get(w.namespace);
    if (list) list.push(id);
    else perNamespace.set(w.namespace, [id]);
    for (const name of new Set(w.ports.map((p) => p.name).filter((n): n is string => !!n))) {
      const holders = perPortName.get(name);
      if (holders) holders.push(id);
      else perPortName.set(name, [id]);
    }
    if (w.podIPs.length) withIps.push(id);
  });
  const namespaceNames = [...new Set([...model.namespaces.keys(), ...perNamespace.keys()])];
  const nsIds = new Map(namespaceNames.map((n, i) => [n, i]));
  const nsLabels = namespaceNames.map((n) => model.namespaces.get(n)?.labels ?? { "kubernetes.io/metadata.name": n });
  const index: ModelIndex = {
    model,
    workloads,
    namespaceNames,
    podLabels: new LabelIndex(workloads.map((w) => w.podLabels)),
    namespaceLabels: new LabelIndex(nsLabels),
    idOf: (w) => byObject.get(w) ?? byKey.get(`${w.namespace}/${w.name}`),
    namespaceId: (name) => nsIds.get(name),
    workloadsInNamespace: (name) => perNamespace.get(name) ?? [],
    portNameHolders: (name) => perPortName.get(name) ?? [],
    workloadsWithIps: withIps,
    workloadsInNamespaces(namespaces) {
      if (namespaces.kind === "allBut" && namespaces.ids.size === 0) return ALL_IDS;
      const ids: number[] = [];
      for (const nsId of namespaces.ids) ids.push(...(perNamespace.get(namespaceNames[nsId]) ?? []));
      if (namespaces.kind === "only") return ids.length ? onlyIds(ids) : NO_IDS;
      return allIdsBut(ids);
    },
  };
  cache.set(model, { count: workloads.length, index });
  return index;
}

/** The IPs an endpoint may use: the connection's own IP if given, else every known pod IP. */
export function endpointIps(ep: Endpoint): string[] {
  if (ep.type === "external") return [ep.ip];
  return ep.ip ? [ep.ip] : ep.workload.podIPs;
}
