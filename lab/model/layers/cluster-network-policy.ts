// Layer "clusterNetworkPolicy": cluster-scoped admin policy from sig-network's network-policy-api:
// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2: spec.tier Admin|Baseline, priority,
// subject {namespaces | pods}, ingress[].from / egress[].to peers {namespaces | pods | networks},
// protocols [{tcp|udp|sctp: {destinationPort: {number | range{start,end}}}} | {destinationNamedPort}],
// actions Accept/Deny/Pass) and the older AdminNetworkPolicy / BaselineAdminNetworkPolicy
// (policy.networking.k8s.io/v1alpha1: actions Allow/Deny/Pass, BANP Allow/Deny; ports
// [{portNumber} | {portRange} | {namedPort}]).
//
// Upstream order of evaluation (clusternetworkpolicy_types.go): Admin tier → NetworkPolicy tier →
// Baseline tier → default allow. Within a tier lower priority values go first (equal priorities
// are implementation-defined; we order by kind then name to be deterministic), and within a
// policy rules go in the order written. Accept/Allow and Deny are final; Pass skips the rest of
// the current tier. "v1.NetworkPolicy always makes a final decision for selected pods", so the
// Baseline tier only applies to a pod (for a direction) that no NetworkPolicy isolates.
//
// This layer is one part of that pipeline; the probe pipeline evaluates Kubernetes
// NetworkPolicy as its own layer. So this layer answers:
//   deny           — an Admin or Baseline Deny rule decided (or a fail-closed malformed peer);
//   allow          — an Accept/Allow rule decided;
//   not-applicable — no rule matched, or only Pass: the NetworkPolicy layer (or the Kubernetes
//                    default) decides.
// The combined verdict honours the tiers (layers/kubernetes-tiers.ts): `tiersOf` gives the Admin
// segment (before NetworkPolicy: its Accept/Deny is final) and the Baseline segment (after it).
import type { K8sObject } from "../../../components/k8s/object";
import type { L4Protocol, PolicyRef } from "../../probes/types";
import { modelIndex, type ModelIndex } from "../model-index";
import { emptyPortSet, fullPortSet, parseL4Protocol, parsePortNumber, protocolPorts, unionPorts } from "../ports";
import { matchesLabelSelector, parseLabelSelector } from "../selectors";
import type { ClusterModel, Workload } from "../types";
import { labelSelectorKey, subjectIndex, type SubjectIndex, type SubjectKey } from "../subject-index";
import { compiledLayer, forEachRule, type CompiledNetworkLayer, type CompiledRule, type Direction, type PeerMatcher, type PortMatcher, type Program, type RuleAction } from "./engine";
import { networkPoliciesByNamespace, selectingPolicies, type CompiledNetworkPolicy } from "./network-policy";
import { ANY_PEER, NO_PEER, anyOfPeers, cidrPeer, parsePolicyCidr, podPeer } from "./peers";

type Json = Record<string, unknown>;
type Tier = "Admin" | "Baseline";

interface CompiledAdminPolicy {
  ref: PolicyRef;
  tier: Tier;
  priority: number;
  subject: (w: Workload) => boolean;
  subjectKey?: SubjectKey;
  rules: Record<Direction, CompiledRule[]>;
}

const KINDS = ["ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"];

function record(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

export function isClusterNetworkPolicyObject(o: K8sObject): boolean {
  return KINDS.includes(o.kind) && o.apiVersion.startsWith("policy.networking.k8s.io/");
}

interface SubjectMatcher {
  matches: (w: Workload, nsLabels: Record<string, string>) => boolean;
  /** An equality requirement on the namespace's or the pod's labels, for the subject index. */
  key?: SubjectKey;
}

function subjectMatcher(raw: unknown, field: string): SubjectMatcher {
  const subject = record(raw) ?? {};
  if (subject.namespaces !== undefined) {
    const ns = parseLabelSelector(subject.namespaces, `${field}.namespaces`);
    const nsKey = labelSelectorKey(ns);
    return { matches: (_w, nsLabels) => matchesLabelSelector(ns, nsLabels), ...(nsKey ? { key: { on: "namespace", ...nsKey } } : {}) };
  }
  if (subject.pods !== undefined) {
    const pods = record(subject.pods) ?? {};
    const ns = parseLabelSelector(pods.namespaceSelector ?? {}, `${field}.pods.namespaceSelector`);
    const pod = parseLabelSelector(pods.podSelector ?? {}, `${field}.pods.podSelector`);
    const nsKey = labelSelectorKey(ns);
    const podKey = labelSelectorKey(pod);
    const key: SubjectKey | undefined = nsKey ? { on: "namespace", ...nsKey } : podKey ? { on: "pod", ...podKey } : undefined;
    return { matches: (w, nsLabels) => matchesLabelSelector(ns, nsLabels) && matchesLabelSelector(pod, w.podLabels), ...(key ? { key } : {}) };
  }
  throw new Error(`${field}: set exactly one of namespaces or pods`);
}

function compilePeer(index: ModelIndex, raw: unknown, field: string, action: RuleAction, warnings: string[]): PeerMatcher {
  const peer = record(raw) ?? {};
  if (peer.namespaces !== undefined) return podPeer(index, { namespaceSelector: parseLabelSelector(peer.namespaces, `${field}.namespaces`) });
  if (peer.pods !== undefined) {
    const pods = record(peer.pods) ?? {};
    return podPeer(index, {
      namespaceSelector: parseLabelSelector(pods.namespaceSelector ?? {}, `${field}.pods.namespaceSelector`),
      podSelector: parseLabelSelector(pods.podSelector ?? {}, `${field}.pods.podSelector`),
    });
  }
  if (peer.networks !== undefined) {
    const networks = Array.isArray(peer.networks) ? peer.networks : [];
    return anyOfPeers(networks.map((n, i) => cidrPeer(index, parsePolicyCidr(n, `${field}.networks[${i}]`))));
  }
  if (peer.nodes !== undefined || peer.domainNames !== undefined) {
    warnings.push(`${field}: nodes/domainNames peers are not modelled (they never match a pod or probe address)`);
    return NO_PEER;
  }
  // Upstream: an unknown/empty peer must fail closed: Accept matches nothing, Deny/Pass match everything.
  warnings.push(`${field}: peer has no field this model knows; failing closed`);
  return action === "allow" ? NO_PEER : ANY_PEER;
}

function portRange(raw: unknown, field: string, protocol: L4Protocol): ReturnType<typeof protocolPorts> {
  const port = record(raw) ?? {};
  if (port.number !== undefined) return protocolPorts(protocol, [[parsePortNumber(port.number, `${field}.number`), parsePortNumber(port.number, `${field}.number`)]]);
  const range = record(port.range);
  if (range) {
    const start = parsePortNumber(range.start, `${field}.range.start`);
    const end = parsePortNumber(range.end, `${field}.range.end`);
    if (end < start) throw new Error(`${field}.range: end ${end} is below start ${start}`);
    return protocolPorts(protocol, [[start, end]]);
  }
  return protocolPorts(protocol);
}

/** v1alpha2 `protocols`. */
function compileProtocols(raw: unknown, field: string): PortMatcher {
  if (raw === undefined || raw === null) return { numeric: fullPortSet(), named: [] };
  if (!Array.isArray(raw)) throw new Error(`${field}: expected a list of {tcp|udp|sctp|destinationNamedPort}`);
  let numeric = emptyPortSet();
  const named: PortMatcher["named"] = [];
  raw.forEach((entry, i) => {
    const p = record(entry) ?? {};
    const where = `${field}[${i}]`;
    if (typeof p.destinationNamedPort === "string") named.push({ name: p.destinationNamedPort });
    for (const [key, protocol] of [["tcp", "TCP"], ["udp", "UDP"], ["sctp", "SCTP"]] as const) {
      if (p[key] === undefined) continue;
      const dest = record(p[key])?.destinationPort;
      numeric = unionPorts(numeric, dest === undefined ? protocolPorts(protocol) : portRange(dest, `${where}.${key}.destinationPort`, protocol));
    }
  });
  return { numeric, named };
}

/** v1alpha1 `ports`. */
function compileAnpPorts(raw: unknown, field: string): PortMatcher {
  if (raw === undefined || raw === null) return { numeric: fullPortSet(), named: [] };
  if (!Array.isArray(raw)) throw new Error(`${field}: expected a list of {portNumber|portRange|namedPort}`);
  let numeric = emptyPortSet();
  const named: PortMatcher["named"] = [];
  raw.forEach((entry, i) => {
    const p = record(entry) ?? {};
    const where = `${field}[${i}]`;
    if (typeof p.namedPort === "string") named.push({ name: p.namedPort });
    const num = record(p.portNumber);
    if (num) {
      const port = parsePortNumber(num.port, `${where}.portNumber.port`);
      numeric = unionPorts(numeric, protocolPorts(parseL4Protocol(num.protocol, `${where}.portNumber.protocol`), [[port, port]]));
    }
    const range = record(p.portRange);
    if (range) {
      const start = parsePortNumber(range.start, `${where}.portRange.start`);
      const end = parsePortNumber(range.end, `${where}.portRange.end`);
      if (end < start) throw new Error(`${where}.portRange: end ${end} is below start ${start}`);
      numeric = unionPorts(numeric, protocolPorts(parseL4Protocol(range.protocol, `${where}.portRange.protocol`), [[start, end]]));
    }
  });
  return { numeric, named };
}

const ACTIONS: Record<string, Record<string, RuleAction>> = {
  ClusterNetworkPolicy: { Accept: "allow", Deny: "deny", Pass: "pass" },
  AdminNetworkPolicy: { Allow: "allow", Deny: "deny", Pass: "pass" },
  BaselineAdminNetworkPolicy: { Allow: "allow", Deny: "deny" },
};

function compile(o: K8sObject, index: ModelIndex, warnings: string[]): CompiledAdminPolicy {
  const spec = record(o.spec) ?? {};
  const isCnp = o.kind === "ClusterNetworkPolicy";
  let tier: Tier;
  if (isCnp) {
    if (spec.tier !== "Admin" && spec.tier !== "Baseline") throw new Error(`spec.tier: ${JSON.stringify(spec.tier)} is not Admin or Baseline`);
    tier = spec.tier;
  } else tier = o.kind === "AdminNetworkPolicy" ? "Admin" : "Baseline";
  // BANP has no priority (a singleton named "default"): it goes after every Baseline CNP.
  const priority = o.kind === "BaselineAdminNetworkPolicy" ? 1001 : Number(spec.priority);
  if (!Number.isFinite(priority)) throw new Error(`spec.priority: ${JSON.stringify(spec.priority)} is not a number from 0 to 1000`);
  const ref = { kind: o.kind, name: o.metadata.name };
  const subject = subjectMatcher(spec.subject, "spec.subject");
  const rules: Record<Direction, CompiledRule[]> = { ingress: [], egress: [] };
  forEachRule(spec, (rawRule, field, direction, i) => {
    const rule = record(rawRule) ?? {};
    const action = typeof rule.action === "string" ? ACTIONS[o.kind][rule.action] : undefined;
    if (!action) throw new Error(`${field}.action: ${JSON.stringify(rule.action)} is not one of ${Object.keys(ACTIONS[o.kind]).join(", ")}`);
    const peerField = direction === "ingress" ? "from" : "to";
    const peers = Array.isArray(rule[peerField]) ? (rule[peerField] as unknown[]) : [];
    if (peers.length === 0) throw new Error(`${field}.${peerField}: needs at least one peer`);
    const peer = anyOfPeers(peers.map((p, j) => compilePeer(index, p, `${o.kind} ${o.metadata.name} ${field}.${peerField}[${j}]`, action, warnings)));
    const ports = isCnp ? compileProtocols(rule.protocols, `${field}.protocols`) : compileAnpPorts(rule.ports, `${field}.ports`);
    rules[direction].push({ action, peer, ports, ref: { ...ref, rule: i } });
  });
  return { ref, tier, priority, subject: (w) => subject.matches(w, namespaceLabelsOf(index, w)), ...(subject.key ? { subjectKey: subject.key } : {}), rules };
}

/** The layer, plus its Admin and Baseline tiers apart (for combining with NetworkPolicy). */
export interface ClusterNetworkPolicyLayer extends CompiledNetworkLayer {
  /** Admin-tier segment (runs before NetworkPolicy) and Baseline-tier segment (after; empty when NetworkPolicy isolates). */
  tiersOf(w: Workload, direction: Direction): { admin: Program; baseline: Program };
}

export interface ClusterNetworkPolicyLayerOptions {
  /**
   * Whether Kubernetes NetworkPolicies exist for the Baseline tier's "only when no NetworkPolicy
   * isolates the pod" rule (default true; false when the networkPolicy layer is ablated).
   */
  networkPolicies?: boolean;
}

function namespaceLabelsOf(index: ModelIndex, w: Workload): Record<string, string> {
  return index.model.namespaces.get(w.namespace)?.labels ?? { "kubernetes.io/metadata.name": w.namespace };
}

function indexBySubject(index: ModelIndex, policies: CompiledAdminPolicy[]): SubjectIndex<CompiledAdminPolicy> {
  const subjects = policies.map((p) => ({ item: p, matches: p.subject, ...(p.subjectKey ? { key: p.subjectKey } : {}) }));
  return subjectIndex(subjects, { namespace: (w) => namespaceLabelsOf(index, w), pod: (w) => w.podLabels });
}

export function clusterNetworkPolicyLayer(model: ClusterModel, options: ClusterNetworkPolicyLayerOptions = {}): ClusterNetworkPolicyLayer {
  const index = modelIndex(model);
  const policies: CompiledAdminPolicy[] = [];
  for (const o of model.policies) {
    if (!isClusterNetworkPolicyObject(o)) continue;
    try {
      policies.push(compile(o, index, model.warnings));
    } catch (err) {
      model.warnings.push(`${o.kind} ${o.metadata.name}: ${(err as Error).message}; policy ignored`);
    }
  }
  policies.sort((a, b) => a.priority - b.priority || a.ref.kind.localeCompare(b.ref.kind) || a.ref.name.localeCompare(b.ref.name));
  const admin = indexBySubject(index, policies.filter((p) => p.tier === "Admin"));
  const baseline = indexBySubject(index, policies.filter((p) => p.tier === "Baseline"));
  const withNetworkPolicies = options.networkPolicies ?? true;
  const networkPolicies = baseline.size && withNetworkPolicies ? networkPoliciesByNamespace({ ...model, warnings: [] }) : new Map<string, CompiledNetworkPolicy[]>();
  const cache = new Map<string, { admin: Program; baseline: Program; all: Program }>();
  const tiersFor = (w: Workload, direction: Direction): { admin: Program; baseline: Program; all: Program } => {
    const key = `${direction}:${w.namespace}/${w.name}`;
    let tiers = cache.get(key);
    if (!tiers) {
      const adminRules = admin.subjectsOf(w).filter((p) => p.rules[direction].length).flatMap((p) => p.rules[direction]);
      const isolated = baseline.size > 0 && selectingPolicies(networkPolicies, w, direction).length > 0;
      const baselineRules = isolated ? [] : baseline.subjectsOf(w).filter((p) => p.rules[direction].length).flatMap((p) => p.rules[direction]);
      const adminProgram: Program = adminRules.length ? [{ rules: adminRules, end: "next" }] : [];
      const baselineProgram: Program = baselineRules.length ? [{ rules: baselineRules, end: "next" }] : [];
      tiers = { admin: adminProgram, baseline: baselineProgram, all: [...adminProgram, ...baselineProgram] };
      cache.set(key, tiers);
    }
    return tiers;
  };
  const programFor = (w: Workload, direction: Direction): Program => tiersFor(w, direction).all;
  return { ...compiledLayer("clusterNetworkPolicy", "ClusterNetworkPolicy", index.workloads, programFor), tiersOf: tiersFor };
}
