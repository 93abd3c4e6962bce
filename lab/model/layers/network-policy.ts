// Layer "networkPolicy": Kubernetes NetworkPolicy (networking.k8s.io/v1), as documented in
// kubernetes.io/docs/concepts/services-networking/network-policies and the API reference:
//
// - policyTypes, when absent, is inferred: always Ingress, plus Egress if the policy has any
//   egress rules. A pod is isolated for a direction only if some policy selecting it has that
//   type; then only what the union of those policies' rules allows gets through.
// - A connection needs both the source's egress and the destination's ingress to allow it.
// - Peers: podSelector alone = pods in the policy's namespace; namespaceSelector alone = every
//   pod in matching namespaces; both in ONE peer = pods matching both (AND); separate peers OR.
//   `{}` selects everything, an absent selector does not constrain that dimension.
//   An empty or absent `from`/`to` matches every source/destination; an empty or absent `ports`
//   matches every port. `ingress: [{}]` therefore allows everything.
// - ipBlock "describes particular IP CIDR ranges to allow"; the docs say it is meant for
//   cluster-external IPs and its effect on pod IPs is implementation-defined. We follow Calico,
//   which matches pod IPs against ipBlocks: pod IPs match when the manifests carry them (see
//   cidrPeer for unknown IPs).
// - ports: protocol defaults to TCP; `port` is a number (with optional `endPort`, inclusive) or a
//   container port name, which is resolved on the DESTINATION pod for ingress and egress alike.
import type { K8sObject } from "../../../components/k8s/object";
import type { L4Protocol, PolicyRef } from "../../probes/types";
import { modelIndex, type ModelIndex } from "../model-index";
import { emptyPortSet, fullPortSet, parseL4Protocol, parsePortNumber, protocolPorts, unionPorts } from "../ports";
import { matchesLabelSelector, parseLabelSelector, type LabelSelector } from "../selectors";
import type { ClusterModel, Workload } from "../types";
import { compiledLayer, forEachRule, parseDirections, type CompiledNetworkLayer, type CompiledRule, type Direction, type PeerMatcher, type PortMatcher, type Program } from "./engine";
import { ANY_PEER, NO_PEER, anyOfPeers, cidrPeer, parsePolicyCidr, podPeer } from "./peers";

export interface CompiledNetworkPolicy {
  ref: PolicyRef;
  namespace: string;
  podSelector: LabelSelector;
  types: Set<Direction>;
  rules: Record<Direction, CompiledRule[]>;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function isKubernetesNetworkPolicy(o: K8sObject): boolean {
  return o.kind === "NetworkPolicy" && o.apiVersion.startsWith("networking.k8s.io/");
}

export function compilePorts(raw: unknown, field: string): PortMatcher {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return { numeric: fullPortSet(), named: [] };
  if (!Array.isArray(raw)) throw new Error(`${field}: expected a list of {protocol, port, endPort}`);
  let numeric = emptyPortSet();
  const named: PortMatcher["named"] = [];
  raw.forEach((entry, i) => {
    const p = record(entry) ?? {};
    const where = `${field}[${i}]`;
    const protocol: L4Protocol = parseL4Protocol(p.protocol, `${where}.protocol`);
    if (p.port === undefined || p.port === null) {
      numeric = unionPorts(numeric, protocolPorts(protocol));
    } else if (typeof p.port === "string" && !/^\d+$/.test(p.port)) {
      if (p.endPort !== undefined) throw new Error(`${where}.endPort: cannot be used with a named port ${JSON.stringify(p.port)}; use a numeric port`);
      named.push({ name: p.port, protocol });
    } else {
      const from = parsePortNumber(p.port, `${where}.port`);
      const to = p.endPort === undefined || p.endPort === null ? from : parsePortNumber(p.endPort, `${where}.endPort`);
      if (to < from) throw new Error(`${where}.endPort: ${to} is below port ${from}; endPort must be >= port`);
      numeric = unionPorts(numeric, protocolPorts(protocol, [[from, to]]));
    }
  });
  return { numeric, named };
}

function compilePeer(index: ModelIndex, namespace: string, raw: unknown, field: string): PeerMatcher {
  const peer = record(raw) ?? {};
  if (peer.ipBlock !== undefined) {
    const block = record(peer.ipBlock) ?? {};
    const except = Array.isArray(block.except) ? block.except.map((e, i) => parsePolicyCidr(e, `${field}.ipBlock.except[${i}]`)) : [];
    return cidrPeer(index, parsePolicyCidr(block.cidr, `${field}.ipBlock.cidr`), except);
  }
  const hasPods = peer.podSelector !== undefined && peer.podSelector !== null;
  const hasNamespaces = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
  // The API requires at least one field; a peer with none matches nothing (fail closed for an allow list).
  if (!hasPods && !hasNamespaces) return NO_PEER;
  return podPeer(index, {
    ...(hasNamespaces ? { namespaceSelector: parseLabelSelector(peer.namespaceSelector, `${field}.namespaceSelector`) } : { namespace }),
    ...(hasPods ? { podSelector: parseLabelSelector(peer.podSelector, `${field}.podSelector`) } : {}),
  });
}

export function compileNetworkPolicy(o: K8sObject, index: ModelIndex): CompiledNetworkPolicy {
  const namespace = o.metadata.namespace || "default";
  const spec = record(o.spec) ?? {};
  const ref = { kind: "NetworkPolicy", namespace, name: o.metadata.name };
  const hasEgress = Array.isArray(spec.egress) && spec.egress.length > 0;
  // policyTypes absent: Ingress always, Egress only when the policy has egress rules (upstream default).
  const types = Array.isArray(spec.policyTypes)
    ? parseDirections(spec.policyTypes, "spec.policyTypes")
    : new Set<Direction>(hasEgress ? ["ingress", "egress"] : ["ingress"]);
  const rules: Record<Direction, CompiledRule[]> = { ingress: [], egress: [] };
  forEachRule(spec, (rawRule, field, direction, i) => {
    const rule = record(rawRule) ?? {};
    const peerField = direction === "ingress" ? "from" : "to";
    const peersRaw = rule[peerField];
    const peer =
      Array.isArray(peersRaw) && peersRaw.length > 0 ? anyOfPeers(peersRaw.map((p, j) => compilePeer(index, namespace, p, `${field}.${peerField}[${j}]`))) : ANY_PEER;
    rules[direction].push({ action: "allow", peer, ports: compilePorts(rule.ports, `${field}.ports`), ref: { ...ref, rule: i } });
  });
  return { ref, namespace, podSelector: parseLabelSelector(spec.podSelector ?? {}, "spec.podSelector"), types, rules };
}

/** Every NetworkPolicy of the model, compiled and indexed by namespace; bad ones become warnings. */
export function networkPoliciesByNamespace(model: ClusterModel): Map<string, CompiledNetworkPolicy[]> {
  const index = modelIndex(model);
  const byNamespace = new Map<string, CompiledNetworkPolicy[]>();
  for (const o of model.policies) {
    if (!isKubernetesNetworkPolicy(o)) continue;
    try {
      const compiled = compileNetworkPolicy(o, index);
      const list = byNamespace.get(compiled.namespace);
      if (list) list.push(compiled);
      else byNamespace.set(compiled.namespace, [compiled]);
    } catch (err) {
      model.warnings.push(`NetworkPolicy ${o.metadata.namespace ?? "default"}/${o.metadata.name}: ${(err as Error).message}; policy ignored`);
    }
  }
  return byNamespace;
}

/** Policies of this kind that select `w` for `direction` (non-empty = the pod is isolated). */
export function selectingPolicies(byNamespace: Map<string, CompiledNetworkPolicy[]>, w: Workload, direction: Direction): CompiledNetworkPolicy[] {
  return (byNamespace.get(w.namespace) ?? []).filter((p) => p.types.has(direction) && matchesLabelSelector(p.podSelector, w.podLabels));
}

export function networkPolicyLayer(model: ClusterModel): CompiledNetworkLayer {
  const index = modelIndex(model);
  const byNamespace = networkPoliciesByNamespace(model);
  const cache = new Map<string, Program>();
  const programFor = (w: Workload, direction: Direction): Program => {
    const key = `${direction}:${w.namespace}/${w.name}`;
    let program = cache.get(key);
    if (!program) {
      const policies = selectingPolicies(byNamespace, w, direction);
      program = policies.length === 0 ? [] : [{
        rules: policies.flatMap((p) => p.rules[direction]),
        end: "deny",
        endRef: policies[0].ref,
        endReason: `${w.namespace}/${w.name} is isolated for ${direction} by NetworkPolicy ${policies.map((p) => p.ref.name).join(", ")} and no rule allows this`,
      }];
      cache.set(key, program);
    }
    return program;
  };
  return compiledLayer("networkPolicy", "NetworkPolicy", index.workloads, programFor);
}
