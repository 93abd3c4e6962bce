// The Kubernetes policy pipeline as one program per workload and direction, in the order the
// network-policy-api defines (ClusterNetworkPolicy v1alpha2 / AdminNetworkPolicy v1alpha1):
//
//   Admin tier → NetworkPolicy → Baseline tier → default allow
//
// - An Admin Accept/Allow is final: the pod's NetworkPolicies are not consulted for that traffic
//   (a NetworkPolicy default-deny does not stop it). An Admin Deny is final too.
// - Pass, or no Admin rule matching, hands the traffic to NetworkPolicy.
// - "v1.NetworkPolicy always makes a final decision for selected pods": an isolated pod (for a
//   direction) gets the NetworkPolicy verdict; the Baseline tier only applies to pods that no
//   NetworkPolicy isolates (the clusterNetworkPolicy layer already drops it for isolated pods).
// Upstream: network-policy-api.sigs.k8s.io (API overview, "Admin tier ... NetworkPolicy tier ...
// Baseline tier"); implementations such as OVN-Kubernetes evaluate ANP, then NetworkPolicy, then
// BANP in that order.
//
// The networkPolicy and clusterNetworkPolicy layers keep their own verdicts (shown per layer in
// a probe result); this program gives the verdict the two produce together. Calico is evaluated
// on its own (see probe.ts for how its tiers sit relative to the Admin tier).
import type { Connection, Endpoint, LayerDecision, Workload } from "../types";
import type { ClusterNetworkPolicyLayer } from "./cluster-network-policy";
import { decideConnection, type CompiledNetworkLayer, type Direction, type Program, type ProgramSource } from "./engine";
import type { ModelIndex } from "../model-index";

export interface KubernetesTiers extends ProgramSource {
  /** The verdict of Admin tier, NetworkPolicy and Baseline tier together for one connection. */
  evaluate(conn: Connection): LayerDecision;
  programOf(w: Workload, direction: Direction): Program;
}

/**
 * Combines the two Kubernetes layers (either may be ablated: undefined). Returns undefined when
 * both are ablated.
 */
export function kubernetesTiers(
  index: ModelIndex,
  clusterPolicies: ClusterNetworkPolicyLayer | undefined,
  networkPolicies: CompiledNetworkLayer | undefined,
): KubernetesTiers | undefined {
  if (!clusterPolicies && !networkPolicies) return undefined;
  const cache = new Map<Workload, Record<Direction, Program | undefined>>();
  const programOf = (w: Workload, direction: Direction): Program => {
    let entry = cache.get(w);
    if (!entry) cache.set(w, (entry = { ingress: undefined, egress: undefined }));
    let program = entry[direction];
    if (!program) {
      const tiers = clusterPolicies?.tiersOf(w, direction) ?? { admin: [], baseline: [] };
      const isolation = networkPolicies?.programOf(w, direction) ?? [];
      program = entry[direction] = [...tiers.admin, ...isolation, ...tiers.baseline];
    }
    return program;
  };
  return {
    evaluate: (conn) => decideConnection("kubernetes policy", conn, (ep: Endpoint, d) => (ep.type === "workload" ? programOf(ep.workload, d) : []), "Kubernetes policy"),
    program: (id, direction) => programOf(index.workloads[id], direction),
    programOf,
  };
}
