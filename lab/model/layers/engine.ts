// The shared machinery of the three L3/4 layers. Each layer compiles, per workload and direction,
// an ordered *program*: segments (tiers) of rules with actions allow / deny / pass and an
// end-of-segment action. The same program answers one Connection (first matching rule wins) and,
// with port-set algebra, the matrix.
//
// Semantics of a program: segments run in order; within a segment the first rule matching the
// peer, protocol and port decides: allow or deny ends evaluation; pass skips the rest of the
// segment. A segment whose `end` is "deny" drops whatever no rule matched (Calico end-of-tier
// deny; NetworkPolicy isolation); "next" falls through. After the last segment the traffic is
// allowed (Kubernetes' default: pods are non-isolated; Calico's profile allow).
// For the matrix, `allowedPorts` runs a program for all ports at once between two workloads and
// `possiblePeers` bounds which peers can get anything through at all.
import type { L4Protocol, PolicyRef } from "../../probes/types";
import { ALL_IDS, NO_IDS, andIds, orIds, type IdSet } from "../idset";
import {
  emptyPortSet,
  fullPortSet,
  intersectPorts,
  isEmptyPortSet,
  portSetContains,
  portSetOf,
  subtractPorts,
  unionPorts,
  type PortSet,
} from "../ports";
import type { Connection, Endpoint, LayerDecision, NetworkLayerEvaluator, Workload } from "../types";

export type Direction = "ingress" | "egress";
export type RuleAction = "allow" | "deny" | "pass";

/** Matches the other end of the traffic (the source for ingress, the destination for egress). */
export interface PeerMatcher {
  matches(ep: Endpoint): boolean;
  /** Every workload this peer matches (for the matrix). */
  workloadIds(): IdSet;
}

/** Destination ports: numbers/ranges, plus container port names resolved on the destination pod. */
export interface PortMatcher {
  numeric: PortSet;
  named: { name: string; protocol?: L4Protocol }[];
}

export interface CompiledRule {
  action: RuleAction;
  peer: PeerMatcher;
  ports: PortMatcher;
  ref: PolicyRef;
}

export interface Segment {
  rules: CompiledRule[];
  end: "deny" | "next";
  /** Who owns the end-of-segment deny (a NetworkPolicy that isolates, a Calico tier). */
  endRef?: PolicyRef;
  endReason?: string;
}

export type Program = readonly Segment[];

/** Anything that yields a program per workload id (a layer, or the layers combined). */
export interface ProgramSource {
  /** The program applying to workload `id` (index in model.workloads) for a direction. */
  program(id: number, direction: Direction): Program;
}

export interface CompiledNetworkLayer extends NetworkLayerEvaluator, ProgramSource {
  /** The same program, looked up by workload. */
  programOf(w: Workload, direction: Direction): Program;
}

export const ALL_PORTS: PortMatcher = { numeric: fullPortSet(), named: [] };

export function namedPortMatches(named: PortMatcher["named"][number], dest: Workload | undefined, port: number, protocol: L4Protocol): boolean {
  if (!dest || (named.protocol && named.protocol !== protocol)) return false;
  return dest.ports.some((cp) => cp.name === named.name && cp.containerPort === port && cp.protocol === protocol);
}

export function portsMatch(ports: PortMatcher, dest: Endpoint, port: number, protocol: L4Protocol): boolean {
  if (portSetContains(ports.numeric, protocol, port)) return true;
  const w = dest.type === "workload" ? dest.workload : undefined;
  return ports.named.some((n) => namedPortMatches(n, w, port, protocol));
}

/** Named ports of a matcher resolved on one destination workload. */
export function resolveNamedPorts(ports: PortMatcher, dest: Workload): PortSet {
  const entries: { protocol: L4Protocol; from: number }[] = [];
  for (const n of ports.named) {
    for (const cp of dest.ports) if (cp.name === n.name && (!n.protocol || n.protocol === cp.protocol)) entries.push({ protocol: cp.protocol, from: cp.containerPort });
  }
  return portSetOf(entries);
}

export interface ProgramResult {
  outcome: "allow" | "deny" | "none";
  rule?: CompiledRule;
  /** Set when an end-of-segment deny decided. */
  segment?: Segment;
  /** True when some rule passed (the outcome then came from a later segment or the default). */
  passed: boolean;
}

export function runProgram(program: Program, peer: Endpoint, conn: Connection): ProgramResult {
  let passed = false;
  for (const segment of program) {
    let decided: CompiledRule | undefined;
    for (const rule of segment.rules) {
      if (!portsMatch(rule.ports, conn.to, conn.port, conn.protocol) || !rule.peer.matches(peer)) continue;
      decided = rule;
      break;
    }
    if (decided?.action === "pass") {
      passed = true;
      continue;
    }
    if (decided) return { outcome: decided.action === "allow" ? "allow" : "deny", rule: decided, passed };
    if (segment.end === "deny") return { outcome: "deny", segment, passed };
  }
  return { outcome: "none", passed };
}

function describe(ref: PolicyRef | undefined): string {
  if (!ref) return "policy";
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}${ref.rule !== undefined ? ` rule ${ref.rule}` : ""}`;
}

/**
 * One layer's decision for a connection: egress of the source and ingress of the destination
 * must both let it through. Deny if either denies; allow if a rule in either allowed; otherwise
 * the layer had no say (not-applicable).
 */
export function decideConnection(
  layer: string,
  conn: Connection,
  programOf: (ep: Endpoint, direction: Direction) => Program,
  noun: string,
): LayerDecision {
  const egress = conn.from.type === "workload" ? runProgram(programOf(conn.from, "egress"), conn.to, conn) : undefined;
  const ingress = conn.to.type === "workload" ? runProgram(programOf(conn.to, "ingress"), conn.from, conn) : undefined;
  for (const [result, direction] of [
    [egress, "egress"],
    [ingress, "ingress"],
  ] as const) {
    if (result?.outcome !== "deny") continue;
    const ref = result.rule?.ref ?? result.segment?.endRef;
    const reason = result.rule ? `${describe(ref)} denies ${direction}` : (result.segment?.endReason ?? `no ${noun} rule allows ${direction}`);
    return { verdict: "deny", ...(ref ? { decidedBy: ref } : {}), reason };
  }
  const allowed = [egress, ingress].find((r) => r?.outcome === "allow");
  if (allowed?.rule) return { verdict: "allow", decidedBy: allowed.rule.ref, reason: `${describe(allowed.rule.ref)} allows it` };
  const passed = [egress, ingress].some((r) => r?.passed);
  return { verdict: "not-applicable", reason: passed ? `${layer}: passed on to the next layer` : `no ${noun} applies` };
}

interface PeerState {
  allow: PortSet;
  undecided: PortSet;
  passed: PortSet;
}

function applyAction(s: PeerState, action: RuleAction, ports: PortSet): void {
  const hit = intersectPorts(s.undecided, ports);
  if (isEmptyPortSet(hit)) return;
  if (action === "allow") s.allow = unionPorts(s.allow, hit);
  else if (action === "pass") s.passed = unionPorts(s.passed, hit);
  s.undecided = subtractPorts(s.undecided, ports);
}

/**
 * Every port (per protocol) a program lets through between its owner and one peer workload:
 * the program run for all ports at once, as port-set algebra. Named ports resolve on the
 * destination: the owner for ingress, the peer for egress.
 */
export function allowedPorts(program: Program, owner: Workload, peer: Workload, direction: Direction): PortSet {
  if (program.length === 0) return fullPortSet();
  const state: PeerState = { allow: emptyPortSet(), undecided: fullPortSet(), passed: emptyPortSet() };
  const peerEndpoint: Endpoint = { type: "workload", workload: peer };
  const destination = direction === "ingress" ? owner : peer;
  for (const segment of program) {
    for (const rule of segment.rules) {
      if (isEmptyPortSet(state.undecided)) break;
      if (!rule.peer.matches(peerEndpoint)) continue;
      const ports = rule.ports.named.length ? unionPorts(rule.ports.numeric, resolveNamedPorts(rule.ports, destination)) : rule.ports.numeric;
      applyAction(state, rule.action, ports);
    }
    state.undecided = segment.end === "deny" ? state.passed : unionPorts(state.undecided, state.passed);
    state.passed = emptyPortSet();
  }
  return unionPorts(state.allow, state.undecided);
}

/**
 * The peers a program can let anything through to, or undefined ("maybe everyone"). A peer gets
 * through by an allow rule of some segment or by reaching the end of the program (the default
 * allow). Every peer reaches the first segment; a segment ending in "next" lets every peer that
 * reached it go on; one ending in "deny" only those its pass rules name. Deny rules are ignored
 * (an over-approximation, which is all a bound needs).
 */
export function possiblePeers(program: Program): IdSet | undefined {
  let reaching: IdSet = ALL_IDS;
  let allowed: IdSet = NO_IDS;
  for (const segment of program) {
    let passing: IdSet = NO_IDS;
    for (const rule of segment.rules) {
      if (rule.action === "allow") allowed = orIds(allowed, rule.peer.workloadIds());
      else if (rule.action === "pass" && segment.end === "deny") passing = orIds(passing, rule.peer.workloadIds());
    }
    if (segment.end === "deny") reaching = andIds(reaching, passing);
  }
  const set = orIds(allowed, reaching);
  return set.kind === "allBut" ? undefined : set;
}

/**
 * A compiled layer from its per-workload program: one decision function, and the program looked
 * up by workload id or by workload (the matrix and the tier combination read it).
 */
export function compiledLayer(
  id: CompiledNetworkLayer["id"],
  noun: string,
  workloads: readonly Workload[],
  programOf: (w: Workload, direction: Direction) => Program,
): CompiledNetworkLayer {
  return {
    id,
    evaluate: (conn) => decideConnection(id, conn, (ep: Endpoint, d) => (ep.type === "workload" ? programOf(ep.workload, d) : []), noun),
    program: (workloadIndex, direction) => programOf(workloads[workloadIndex], direction),
    programOf,
  };
}

/** `policyTypes` / Calico `types`: a list of "Ingress" | "Egress"; anything else is an error naming the field. */
export function parseDirections(list: readonly unknown[], field: string): Set<Direction> {
  const directions = new Set<Direction>();
  for (const t of list) {
    if (t === "Ingress") directions.add("ingress");
    else if (t === "Egress") directions.add("egress");
    else throw new Error(`${field}: ${JSON.stringify(t)} is not Ingress or Egress`);
  }
  return directions;
}

/** Visits `spec.ingress[i]` and `spec.egress[i]` in order; a present but non-list value is an error. */
export function forEachRule(spec: Record<string, unknown>, visit: (raw: unknown, field: string, direction: Direction, index: number) => void): void {
  for (const direction of ["ingress", "egress"] as const) {
    const list = spec[direction];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new Error(`spec.${direction}: expected a list of rules`);
    list.forEach((raw, i) => visit(raw, `spec.${direction}[${i}]`, direction, i));
  }
}
