// Kubernetes label selectors (metav1.LabelSelector): validation, matching one label map, and
// evaluating against a label index to get every matching id at once.
//
// Upstream semantics (k8s.io/apimachinery labels): matchLabels and matchExpressions are ANDed;
// an empty selector `{}` matches everything; `NotIn` and `DoesNotExist` also match objects that
// lack the key. Whether an *absent* selector means "all" or "none" depends on the field, so
// callers decide that and only pass present selectors here.
import { ALL_IDS, NO_IDS, andIds, complementIds, onlyIds, orIds, type IdSet } from "./idset";

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: SelectorRequirement[];
}

const OPERATORS: readonly SelectorOperator[] = ["In", "NotIn", "Exists", "DoesNotExist"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validates a raw selector; `field` (e.g. "spec.podSelector") names it in errors. */
export function parseLabelSelector(raw: unknown, field: string): LabelSelector {
  if (raw === null || raw === undefined) return { matchLabels: {}, matchExpressions: [] };
  if (!isRecord(raw)) throw new Error(`${field}: expected a label selector object ({matchLabels, matchExpressions}), got ${JSON.stringify(raw)}`);
  const matchLabels: Record<string, string> = {};
  if (raw.matchLabels !== undefined && raw.matchLabels !== null) {
    if (!isRecord(raw.matchLabels)) throw new Error(`${field}.matchLabels: expected a map of label key to value`);
    for (const [k, v] of Object.entries(raw.matchLabels)) matchLabels[k] = String(v);
  }
  const matchExpressions: SelectorRequirement[] = [];
  const exprs = raw.matchExpressions ?? [];
  if (!Array.isArray(exprs)) throw new Error(`${field}.matchExpressions: expected a list of {key, operator, values}`);
  exprs.forEach((e, i) => {
    const where = `${field}.matchExpressions[${i}]`;
    if (!isRecord(e) || typeof e.key !== "string") throw new Error(`${where}: expected {key, operator, values} with a string key`);
    if (!OPERATORS.includes(e.operator as SelectorOperator)) {
      throw new Error(`${where}.operator: ${JSON.stringify(e.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
    }
    const operator = e.operator as SelectorOperator;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    if ((operator === "In" || operator === "NotIn") && values.length === 0) throw new Error(`${where}.values: ${operator} needs at least one value`);
    if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) throw new Error(`${where}.values: ${operator} takes no values; remove them`);
    matchExpressions.push({ key: e.key, operator, values });
  });
  return { matchLabels, matchExpressions };
}

export function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}

export function matchesLabelSelector(s: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels)) if (labels[k] !== v) return false;
  for (const r of s.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case "In":
        if (!has || !r.values.includes(labels[r.key])) return false;
        break;
      case "NotIn":
        if (has && r.values.includes(labels[r.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Stable text form, used as a cache key. */
export function selectorKey(s: LabelSelector): string {
  const labels = Object.entries(s.matchLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const exprs = s.matchExpressions.map((r) => `${r.key} ${r.operator} ${[...r.values].sort().join(",")}`).sort();
  return JSON.stringify([labels, exprs]);
}

/** Labels of many items (workloads or namespaces) indexed by key and value. */
export class LabelIndex {
  private readonly byKey = new Map<string, Map<string, number[]>>();
  readonly size: number;

  constructor(readonly labels: readonly Record<string, string>[]) {
    this.size = labels.length;
    labels.forEach((map, id) => {
      for (const [k, v] of Object.entries(map)) {
        let values = this.byKey.get(k);
        if (!values) this.byKey.set(k, (values = new Map<string, number[]>()));
        const ids = values.get(v);
        if (ids) ids.push(id);
        else values.set(v, [id]);
      }
    });
  }

  /** Ids whose label `key` equals `value`. */
  withValue(key: string, value: string): IdSet {
    const ids = this.byKey.get(key)?.get(value);
    return ids ? onlyIds(ids) : NO_IDS;
  }

  /** Ids that have label `key`, optionally only those whose value passes `accept`. */
  withKey(key: string, accept?: (value: string) => boolean): IdSet {
    const values = this.byKey.get(key);
    if (!values) return NO_IDS;
    const out: number[] = [];
    for (const [v, ids] of values) if (!accept || accept(v)) out.push(...ids);
    return onlyIds(out);
  }

  select(s: LabelSelector): IdSet {
    let result: IdSet = ALL_IDS;
    for (const [k, v] of Object.entries(s.matchLabels)) result = andIds(result, this.withValue(k, v));
    for (const r of s.matchExpressions) {
      const inValues = (): IdSet => r.values.reduce<IdSet>((acc, v) => orIds(acc, this.withValue(r.key, v)), NO_IDS);
      const part =
        r.operator === "In" ? inValues() : r.operator === "NotIn" ? complementIds(inValues()) : r.operator === "Exists" ? this.withKey(r.key) : complementIds(this.withKey(r.key));
      result = andIds(result, part);
    }
    return result;
  }
}
