// Layer "calico": Calico NetworkPolicy and GlobalNetworkPolicy with tiers, as described in the
// Calico docs ("Get started with Calico network policy", "Tiered policy", the NetworkPolicy and
// GlobalNetworkPolicy references):
//
// - Tiers (Tier objects, spec.order, lower first; the "default" tier has order 1,000,000 unless
//   defined; tiers without order go last, by name). A tier only has effect on an endpoint (for a
//   direction) if at least one of its policies selects it; then its policies run in `order`
//   (lower first; missing order after all ordered ones; ties by name) and the first matching rule
//   decides: Allow / Deny end evaluation, Pass jumps to the next tier, Log continues. If no rule
//   matched, the tier's default action applies: Deny (end-of-tier implicit deny) unless the Tier
//   sets `defaultAction: Pass`.
// - When no tier applied (or everything passed through), the namespace profile allows: the
//   Kubernetes default. This layer then says "not-applicable".
// - With includeKubernetesNetworkPolicies, every Kubernetes NetworkPolicy is placed, as Calico
//   does, in the default tier at order 1000 (as "knp.default.<name>"), with Allow rules only; in
//   the probe pipeline they are a layer of their own, so the default is false.
import type { K8sObject } from "../../../../components/k8s/object";
import type { PolicyRef } from "../../../probes/types";
import { modelIndex } from "../../model-index";
import { matchesLabelSelector } from "../../selectors";
import type { ClusterModel, Workload } from "../../types";
import { compiledLayer, type CompiledNetworkLayer, type CompiledRule, type Direction, type Program, type Segment } from "../engine";
import { compileNetworkPolicy, isKubernetesNetworkPolicy } from "../network-policy";
import { calicoSelectorKey, subjectIndex, type SubjectIndex, type SubjectKey } from "../../subject-index";
import { CALICO_NAME, calicoLabels, type CalicoLabels } from "./labels";
import { compileCalicoPolicy, isCalicoObject, policySelects, rulesFor, type CompiledCalicoPolicy } from "./policy";

export { parseCalicoSelector, matchesCalicoSelector, SelectorParseError } from "./selector";

export const DEFAULT_TIER_ORDER = 1_000_000;
export const KUBERNETES_NETWORK_POLICY_ORDER = 1000;

interface TierInfo {
  name: string;
  order: number;
  defaultAction: "Deny" | "Pass";
}

interface TieredPolicy {
  ref: PolicyRef;
  sortName: string;
  order: number;
  tier: string;
  types: Set<Direction>;
  /** A label equality every selected workload has (for the subject index). */
  key?: SubjectKey;
  selects(w: Workload): boolean;
  rules(w: Workload, direction: Direction): CompiledRule[];
}

function tiersOf(objects: K8sObject[], warnings: string[]): Map<string, TierInfo> {
  const tiers = new Map<string, TierInfo>([["default", { name: "default", order: DEFAULT_TIER_ORDER, defaultAction: "Deny" }]]);
  for (const o of objects) {
    if (o.kind !== "Tier" || !isCalicoObject(o)) continue;
    const spec = (o.spec ?? {}) as Record<string, unknown>;
    const order = spec.order === undefined || spec.order === null ? Number.POSITIVE_INFINITY : Number(spec.order);
    if (Number.isNaN(order)) {
      warnings.push(`Tier ${o.metadata.name}: spec.order ${JSON.stringify(spec.order)} is not a number; tier ordered last`);
    }
    const defaultAction = spec.defaultAction === "Pass" ? "Pass" : "Deny";
    tiers.set(o.metadata.name, { name: o.metadata.name, order: Number.isNaN(order) ? Number.POSITIVE_INFINITY : order, defaultAction });
  }
  return tiers;
}

function keyOf(p: CompiledCalicoPolicy): SubjectKey | undefined {
  if (p.namespace !== undefined) return { on: "namespace", key: CALICO_NAME, values: [p.namespace] };
  const nsKey = p.namespaceSelector && calicoSelectorKey(p.namespaceSelector);
  if (nsKey) return { on: "namespace", ...nsKey };
  const podKey = calicoSelectorKey(p.selector);
  return podKey ? { on: "pod", ...podKey } : undefined;
}

function fromCalico(p: CompiledCalicoPolicy, labels: CalicoLabels): TieredPolicy {
  const key = keyOf(p);
  return {
    ...(key ? { key } : {}),
    ref: p.ref,
    sortName: p.ref.name,
    order: p.order,
    tier: p.tier,
    types: p.types,
    selects: (w) => policySelects(p, w, labels),
    rules: (w, d) => rulesFor(p, w, d, labels),
  };
}

export function calicoLayer(model: ClusterModel, options: { includeKubernetesNetworkPolicies?: boolean } = {}): CompiledNetworkLayer {
  const index = modelIndex(model);
  const labels = calicoLabels(index);
  const tiers = tiersOf(model.policies, model.warnings);
  const policies: TieredPolicy[] = [];
  for (const o of model.policies) {
    if ((o.kind === "NetworkPolicy" || o.kind === "GlobalNetworkPolicy") && isCalicoObject(o)) {
      try {
        const compiled = compileCalicoPolicy(o, index, labels, model.warnings);
        if (!tiers.has(compiled.tier)) {
          model.warnings.push(`${o.kind} ${o.metadata.name}: tier ${JSON.stringify(compiled.tier)} is not defined (no Tier object); treated as a tier ordered last`);
          tiers.set(compiled.tier, { name: compiled.tier, order: Number.POSITIVE_INFINITY, defaultAction: "Deny" });
        }
        policies.push(fromCalico(compiled, labels));
      } catch (err) {
        model.warnings.push(`${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}: ${(err as Error).message}; policy ignored`);
      }
    } else if (options.includeKubernetesNetworkPolicies && isKubernetesNetworkPolicy(o)) {
      try {
        const np = compileNetworkPolicy(o, index);
        policies.push({
          ref: np.ref,
          sortName: `knp.default.${np.ref.name}`,
          order: KUBERNETES_NETWORK_POLICY_ORDER,
          tier: "default",
          types: np.types,
          key: { on: "namespace", key: CALICO_NAME, values: [np.namespace] },
          selects: (w) => w.namespace === np.namespace && matchesLabelSelector(np.podSelector, w.podLabels),
          rules: (_w, d) => np.rules[d],
        });
      } catch {
        // Reported by the networkPolicy layer.
      }
    }
  }
  const orderedTiers = [...tiers.values()].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  const byTier = new Map<string, TieredPolicy[]>(orderedTiers.map((t) => [t.name, []]));
  for (const p of policies) byTier.get(p.tier)!.push(p);
  for (const list of byTier.values()) list.sort((a, b) => (a.order === b.order ? a.sortName.localeCompare(b.sortName) : a.order < b.order ? -1 : 1));
  const subjectLabels = { namespace: (w: Workload) => labels.namespace(w.namespace), pod: (w: Workload) => labels.pod(w) };
  const indexed = new Map<string, SubjectIndex<TieredPolicy>>(
    [...byTier].map(([tier, list]) => [tier, subjectIndex(list.map((p) => ({ item: p, matches: (w: Workload) => p.selects(w), ...(p.key ? { key: p.key } : {}) })), subjectLabels)]),
  );

  const cache = new Map<string, Program>();
  const programFor = (w: Workload, direction: Direction): Program => {
    const key = `${direction}:${w.namespace}/${w.name}`;
    let program = cache.get(key);
    if (program) return program;
    const segments: Segment[] = [];
    for (const tier of orderedTiers) {
      const applying = indexed.get(tier.name)!.subjectsOf(w).filter((p) => p.types.has(direction));
      if (applying.length === 0) continue; // a tier with no policy for this endpoint has no effect
      segments.push({
        rules: applying.flatMap((p) => p.rules(w, direction)),
        end: tier.defaultAction === "Pass" ? "next" : "deny",
        endRef: { kind: "Tier", name: tier.name },
        endReason: `end of Calico tier ${tier.name}: policies ${applying.map((p) => p.ref.name).join(", ")} select ${w.namespace}/${w.name} for ${direction} and no rule matched (implicit deny)`,
      });
    }
    cache.set(key, (program = segments));
    return program;
  };
  return compiledLayer("calico", "Calico policy", index.workloads, programFor);
}
