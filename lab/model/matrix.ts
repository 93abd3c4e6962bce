// The connection matrix: for every ordered pair of distinct workloads, the L4 ports the network
// layers (NetworkPolicy, ClusterNetworkPolicy, Calico) allow together.
//
// It does not walk pairs × policies. Each layer compiles, once per workload and direction, the
// rules that apply to it (policies indexed by namespace, selectors parsed once and evaluated over
// label indexes). From those programs each layer bounds, per source, the destinations that could
// get anything through: the peer sets of its egress allow rules, or — when its egress can fall
// through to the default allow — the destinations whose ingress is open or names the source.
// Pairs are enumerated from the most selective layer only, and for each visited pair every layer
// runs its two programs for all ports at once (port-set algebra), so a default-deny platform
// costs about (workloads × allowed peers × rules). Only pairs with something allowed appear.
// Limit: with no selective layer at all (every layer open or fall-through) every pair is visited.
//
// The Kubernetes layers are not ANDed: ClusterNetworkPolicy Admin tier → NetworkPolicy → Baseline
// tier run as one program (layers/kubernetes-tiers.ts; an Admin Accept bypasses a NetworkPolicy
// default-deny, an Admin Deny beats a NetworkPolicy allow). Calico is ANDed with it (see probe.ts).
// Cluster-wide subjects (Calico GlobalNetworkPolicy, CNP/ANP/BANP) are found per workload through
// lab/model/subject-index.ts, so building the programs grows with workloads, not workloads × policies.
import type { L4Protocol, LayerId } from "../probes/types";
import { calicoLayer } from "./layers/calico";
import { clusterNetworkPolicyLayer } from "./layers/cluster-network-policy";
import { allowedPorts, possiblePeers, type ProgramSource } from "./layers/engine";
import { kubernetesTiers } from "./layers/kubernetes-tiers";
import type { IdSet } from "./idset";
import { networkPolicyLayer } from "./layers/network-policy";
import { modelIndex } from "./model-index";
import { fullPortSet, intersectPorts, isEmptyPortSet, portSetToJson } from "./ports";
import type { ClusterModel } from "./types";

export interface WorkloadRef {
  namespace: string;
  name: string;
  kind: string;
}

export interface MatrixConnection {
  from: WorkloadRef;
  to: WorkloadRef;
  allowed: Partial<Record<L4Protocol, [number, number][]>>;
}

export interface ConnectionMatrix {
  workloads: WorkloadRef[];
  connections: MatrixConnection[];
}

interface LayerBounds {
  layer: ProgramSource;
  /** Per source: destinations its egress can reach (undefined = maybe all). */
  egressPeers: (IdSet | undefined)[];
  /** Destinations whose ingress may admit peers it does not name. */
  openIngress: number[];
  openIngressSet: ReadonlySet<number>;
  /** Per source: destinations whose ingress names it in an allow rule. */
  namedIn: Map<number, number[]>;
}

function boundsOf(layer: ProgramSource, total: number): LayerBounds {
  const egressPeers = new Array<IdSet | undefined>(total);
  const openIngress: number[] = [];
  const namedIn = new Map<number, number[]>();
  for (let id = 0; id < total; id++) {
    egressPeers[id] = possiblePeers(layer.program(id, "egress"));
    const admitted = possiblePeers(layer.program(id, "ingress"));
    if (!admitted) {
      openIngress.push(id);
      continue;
    }
    for (const source of admitted.ids) {
      const list = namedIn.get(source);
      if (list) list.push(id);
      else namedIn.set(source, [id]);
    }
  }
  return { layer, egressPeers, openIngress, openIngressSet: new Set(openIngress), namedIn };
}

/** Destinations that may receive something from `source` in this layer; undefined = potentially all. */
function candidates(b: LayerBounds, source: number, total: number): number[] | undefined {
  const reachable = b.egressPeers[source];
  const everyoneAdmits = b.openIngress.length === total;
  const named = b.namedIn.get(source) ?? [];
  if (reachable && reachable.kind === "only") {
    if (everyoneAdmits) return [...reachable.ids];
    const namedSet = new Set(named);
    return [...reachable.ids].filter((id) => b.openIngressSet.has(id) || namedSet.has(id));
  }
  if (everyoneAdmits) return undefined;
  return [...b.openIngress, ...named.filter((id) => !b.openIngressSet.has(id))];
}

export function connectionMatrix(model: ClusterModel, options: { ablate?: LayerId[] } = {}): ConnectionMatrix {
  const connections: MatrixConnection[] = [];
  const workloads = forEachConnection(model, options, (c) => connections.push(c));
  return { workloads, connections };
}

/**
 * The matrix one connection at a time, in the order connectionMatrix lists them (sources in
 * model order, destinations ascending), without keeping them: a big cluster's connection list is
 * written as it is found. Returns the workloads.
 */
export function forEachConnection(model: ClusterModel, options: { ablate?: LayerId[] }, visit: (connection: MatrixConnection) => void): WorkloadRef[] {
  const index = modelIndex(model);
  const total = index.workloads.length;
  const ablate = new Set(options.ablate ?? []);
  const layers: ProgramSource[] = [];
  const kubernetes = kubernetesTiers(
    index,
    ablate.has("clusterNetworkPolicy") ? undefined : clusterNetworkPolicyLayer(model, { networkPolicies: !ablate.has("networkPolicy") }),
    ablate.has("networkPolicy") ? undefined : networkPolicyLayer(model),
  );
  if (kubernetes) layers.push(kubernetes);
  if (!ablate.has("calico")) layers.push(calicoLayer(model));
  const bounds = layers.map((l) => boundsOf(l, total));
  const refs: WorkloadRef[] = index.workloads.map((w) => ({ namespace: w.namespace, name: w.name, kind: w.kind }));
  const everyone = Array.from({ length: total }, (_, i) => i);
  for (let source = 0; source < total; source++) {
    let best: number[] | undefined;
    for (const b of bounds) {
      const c = candidates(b, source, total);
      if (c && (!best || c.length < best.length)) best = c;
    }
    const targets = (best ?? everyone).slice().sort((a, b) => a - b);
    const from = index.workloads[source];
    for (const dest of targets) {
      if (dest === source) continue;
      const to = index.workloads[dest];
      let allowed = fullPortSet();
      for (const { layer } of bounds) {
        allowed = intersectPorts(allowed, allowedPorts(layer.program(source, "egress"), from, to, "egress"));
        if (isEmptyPortSet(allowed)) break;
        allowed = intersectPorts(allowed, allowedPorts(layer.program(dest, "ingress"), to, from, "ingress"));
        if (isEmptyPortSet(allowed)) break;
      }
      if (!isEmptyPortSet(allowed)) visit({ from: refs[source], to: refs[dest], allowed: portSetToJson(allowed) });
    }
  }
  return refs;
}
