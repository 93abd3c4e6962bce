// Calico NetworkPolicy / GlobalNetworkPolicy (projectcalico.org/v3, crd.projectcalico.org/v1)
// compiled into rules. See index.ts for how tiers and order put them together.
import type { K8sObject } from "../../../../components/k8s/object";
import type { L4Protocol, PolicyRef } from "../../../probes/types";
import type { ModelIndex } from "../../model-index";
import { emptyPortSet, L4_PROTOCOLS, parsePortNumber, portSetOf, protocolPorts, subtractPorts, unionPorts, type PortSet } from "../../ports";
import type { Workload } from "../../types";
import { forEachRule, parseDirections, type CompiledRule, type Direction, type PortMatcher, type RuleAction } from "../engine";
import { entityMatches, entityPeer, parseEntity, type EntityRule } from "./entity";
import type { CalicoLabels } from "./labels";
import { checkGlobalPlacement, matchesCalicoSelector, parseCalicoSelector, type CalicoSelector } from "./selector";

type Json = Record<string, unknown>;

export interface CalicoRule {
  rule: CompiledRule;
  /** Criteria on the endpoint the policy applies to (destination of ingress, source of egress). */
  local: EntityRule;
}

export interface CompiledCalicoPolicy {
  ref: PolicyRef;
  tier: string;
  /** Missing order sorts after every ordered policy. */
  order: number;
  namespace?: string;
  selector: CalicoSelector;
  namespaceSelector?: CalicoSelector;
  serviceAccountSelector?: CalicoSelector;
  types: Set<Direction>;
  rules: Record<Direction, CalicoRule[]>;
}

export function isCalicoObject(o: K8sObject): boolean {
  return o.apiVersion === "projectcalico.org/v3" || o.apiVersion === "crd.projectcalico.org/v1";
}

function record(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

const PROTOCOL_NUMBERS: Record<string, L4Protocol> = { "6": "TCP", "17": "UDP", "132": "SCTP" };

/** Undefined = any protocol; null = a protocol we do not model (ICMP, …): never one of our connections. */
function parseProtocol(v: unknown): L4Protocol | undefined | null {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" && typeof v !== "number") return null;
  const text = String(v).toUpperCase();
  if (text === "TCP" || text === "UDP" || text === "SCTP") return text;
  return PROTOCOL_NUMBERS[text] ?? null;
}

/** Calico ports: numbers, "from:to" ranges and named ports. */
function parseCalicoPorts(raw: unknown, protocols: readonly L4Protocol[], field: string): PortMatcher {
  let numeric = emptyPortSet();
  const named: PortMatcher["named"] = [];
  (Array.isArray(raw) ? raw : []).forEach((entry, i) => {
    const where = `${field}[${i}]`;
    const text = String(entry);
    const range = /^(\d+):(\d+)$/.exec(text);
    if (typeof entry === "number" || /^\d+$/.test(text)) {
      const port = parsePortNumber(entry, where);
      numeric = unionPorts(numeric, portSetOf(protocols.map((protocol) => ({ protocol, from: port }))));
    } else if (range) {
      const from = parsePortNumber(range[1], where);
      const to = parsePortNumber(range[2], where);
      if (to < from) throw new Error(`${where}: range ${text} ends below its start; write "low:high"`);
      numeric = unionPorts(numeric, portSetOf(protocols.map((protocol) => ({ protocol, from, to }))));
    } else if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i.test(text)) {
      for (const protocol of protocols) named.push({ name: text, protocol });
    } else throw new Error(`${where}: ${JSON.stringify(entry)} is not a port, a "from:to" range or a port name`);
  });
  return { numeric, named };
}

function restrictTo(protocols: readonly L4Protocol[]): PortSet {
  return protocols.reduce((acc, p) => unionPorts(acc, protocolPorts(p)), emptyPortSet());
}

function compileRule(
  raw: unknown,
  field: string,
  direction: Direction,
  ref: PolicyRef,
  namespace: string | undefined,
  index: ModelIndex,
  labels: CalicoLabels,
  warnings: string[],
): CalicoRule | undefined {
  const r = record(raw) ?? {};
  const action = typeof r.action === "string" ? r.action : "";
  const actions: Record<string, RuleAction | "log"> = { Allow: "allow", Deny: "deny", Pass: "pass", Log: "log" };
  const mapped = actions[action];
  if (!mapped) throw new Error(`${field}.action: ${JSON.stringify(r.action)} is not Allow, Deny, Pass or Log`);
  if (mapped === "log") return undefined; // Log records the packet and goes on to the next rule.
  if (r.http !== undefined) {
    warnings.push(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} ${field}: http match needs Calico's application layer; rule not modelled`);
    return undefined;
  }
  const protocol = parseProtocol(r.protocol);
  if (protocol === null) return undefined;
  const notProtocol = parseProtocol(r.notProtocol);
  const protocols = (protocol ? [protocol] : L4_PROTOCOLS).filter((p) => p !== notProtocol);
  const source = record(r.source) ?? {};
  const destination = record(r.destination) ?? {};
  if (source.ports !== undefined) {
    // The client's ephemeral source port is not known to the model: such a rule never matches.
    warnings.push(`${ref.kind} ${ref.name} ${field}.source.ports: source ports are not modelled; rule treated as not matching`);
    return undefined;
  }
  let ports: PortMatcher = { numeric: restrictTo(protocols), named: [] };
  if (destination.ports !== undefined) ports = parseCalicoPorts(destination.ports, protocols, `${field}.destination.ports`);
  if (destination.notPorts !== undefined) {
    const not = parseCalicoPorts(destination.notPorts, protocols, `${field}.destination.notPorts`);
    if (not.named.length) warnings.push(`${ref.kind} ${ref.name} ${field}.destination.notPorts: named ports there are not modelled; ignored`);
    ports = { numeric: subtractPorts(ports.numeric, not.numeric), named: ports.named };
  }
  const sourceEntity = parseEntity(source, `${field}.source`, namespace);
  const destinationEntity = parseEntity(destination, `${field}.destination`, namespace);
  const [remote, local] = direction === "ingress" ? [sourceEntity, destinationEntity] : [destinationEntity, sourceEntity];
  return { rule: { action: mapped, peer: entityPeer(remote, index, labels), ports, ref }, local };
}

function inferTypes(spec: Json): Set<Direction> {
  if (Array.isArray(spec.types)) return parseDirections(spec.types, "spec.types");
  const types = new Set<Direction>();
  // Calico's default: Ingress, plus Egress when egress rules exist; Egress only when there are egress but no ingress rules.
  const hasIngress = Array.isArray(spec.ingress) && spec.ingress.length > 0;
  const hasEgress = Array.isArray(spec.egress) && spec.egress.length > 0;
  if (hasIngress || !hasEgress) types.add("ingress");
  if (hasEgress) types.add("egress");
  return types;
}

export function compileCalicoPolicy(o: K8sObject, index: ModelIndex, labels: CalicoLabels, warnings: string[]): CompiledCalicoPolicy {
  const spec = record(o.spec) ?? {};
  const global = o.kind === "GlobalNetworkPolicy";
  const namespace = global ? undefined : o.metadata.namespace || "default";
  const ref: PolicyRef = { kind: o.kind, ...(namespace ? { namespace } : {}), name: o.metadata.name };
  const order = spec.order === undefined || spec.order === null ? Number.POSITIVE_INFINITY : Number(spec.order);
  if (Number.isNaN(order)) throw new Error(`spec.order: ${JSON.stringify(spec.order)} is not a number`);
  const sel = (key: string): CalicoSelector | undefined => {
    const text = spec[key];
    if (typeof text !== "string" || !text.trim()) return undefined;
    const parsed = parseCalicoSelector(text, `spec.${key}`);
    checkGlobalPlacement(parsed, `spec.${key}`, "policy");
    return parsed;
  };
  const rules: Record<Direction, CalicoRule[]> = { ingress: [], egress: [] };
  forEachRule(spec, (raw, field, direction, i) => {
    const compiled = compileRule(raw, field, direction, { ...ref, rule: i }, namespace, index, labels, warnings);
    if (compiled) rules[direction].push(compiled);
  });
  const namespaceSelector = global ? sel("namespaceSelector") : undefined;
  const serviceAccountSelector = sel("serviceAccountSelector");
  return {
    ref,
    tier: typeof spec.tier === "string" && spec.tier ? spec.tier : "default",
    order,
    ...(namespace ? { namespace } : {}),
    selector: sel("selector") ?? { op: "all" },
    ...(namespaceSelector ? { namespaceSelector } : {}),
    ...(serviceAccountSelector ? { serviceAccountSelector } : {}),
    types: inferTypes(spec),
    rules,
  };
}

/** A policy in a namespace selects only pods there; a global one may narrow by namespaceSelector. */
export function policySelects(p: CompiledCalicoPolicy, w: Workload, labels: CalicoLabels): boolean {
  if (p.namespace !== undefined && w.namespace !== p.namespace) return false;
  if (p.namespaceSelector && !matchesCalicoSelector(p.namespaceSelector, labels.namespace(w.namespace))) return false;
  if (p.serviceAccountSelector && !matchesCalicoSelector(p.serviceAccountSelector, labels.serviceAccount(w))) return false;
  return matchesCalicoSelector(p.selector, labels.pod(w));
}

/** The rules of `p` for workload `w` in `direction`, keeping those whose local criteria `w` meets. */
export function rulesFor(p: CompiledCalicoPolicy, w: Workload, direction: Direction, labels: CalicoLabels): CompiledRule[] {
  return p.rules[direction].filter((r) => entityMatches(r.local, { type: "workload", workload: w }, labels)).map((r) => r.rule);
}

