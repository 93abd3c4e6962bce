// Which cluster-wide policies (ClusterNetworkPolicy/ANP/BANP subjects, Calico GlobalNetworkPolicy
// selectors) select a workload, without testing every policy against every workload. A policy
// whose selector requires a label to equal one of a few values (matchLabels, `In`, Calico's
// `k == 'v'` / `k in {…}` in a top-level `&&`) is filed under each (label, value) of its namespace
// or pod labels; a workload then only looks at the policies filed under its own labels, plus the
// few whose selectors cannot be indexed (scanned as before). Candidates are always re-checked with
// the full selector, and come back in the policies' original order.
import type { CalicoSelector } from "./layers/calico/selector";
import type { LabelSelector } from "./selectors";
import type { Workload } from "./types";

/** A label that must have one of `values` for the selector to match. */
export interface LabelKey {
  key: string;
  values: readonly string[];
}

/** Where the required label lives: the workload's namespace or the pod itself. */
export type SubjectKey = LabelKey & { on: "namespace" | "pod" };

export interface IndexedSubject<P> {
  item: P;
  /** Absent: the selector cannot be indexed; the policy is tested against every workload. */
  key?: SubjectKey;
  matches(w: Workload): boolean;
}

export interface SubjectLabels {
  namespace(w: Workload): Record<string, string>;
  pod(w: Workload): Record<string, string>;
}

export interface SubjectIndex<P> {
  size: number;
  /** The items whose subject selects `w`, in the order they were given. */
  subjectsOf(w: Workload): P[];
}

/** An equality requirement of a Kubernetes label selector (every one of them must hold anyway). */
export function labelSelectorKey(s: LabelSelector): LabelKey | undefined {
  const [first] = Object.entries(s.matchLabels);
  if (first) return { key: first[0], values: [first[1]] };
  const inExpression = s.matchExpressions.find((e) => e.operator === "In");
  return inExpression ? { key: inExpression.key, values: inExpression.values } : undefined;
}

/** An equality requirement of a Calico selector: `k == 'v'`, `k in {…}`, or one side of a top-level `&&`. */
export function calicoSelectorKey(s: CalicoSelector): LabelKey | undefined {
  if (s.op === "==") return { key: s.key, values: [s.value] };
  if (s.op === "in") return { key: s.key, values: s.values };
  if (s.op === "&&") return calicoSelectorKey(s.left) ?? calicoSelectorKey(s.right);
  return undefined;
}

const bucketKey = (key: string, value: string): string => `${key}\u0000${value}`;

export function subjectIndex<P>(subjects: readonly IndexedSubject<P>[], labels: SubjectLabels): SubjectIndex<P> {
  const byNamespaceLabel = new Map<string, number[]>();
  const byPodLabel = new Map<string, number[]>();
  const scanned: number[] = [];
  subjects.forEach((subject, position) => {
    if (!subject.key) {
      scanned.push(position);
      return;
    }
    const buckets = subject.key.on === "namespace" ? byNamespaceLabel : byPodLabel;
    for (const value of new Set(subject.key.values)) {
      const k = bucketKey(subject.key.key, value);
      const list = buckets.get(k);
      if (list) list.push(position);
      else buckets.set(k, [position]);
    }
  });
  const collect = (into: Set<number>, buckets: Map<string, number[]>, own: Record<string, string>): void => {
    if (buckets.size === 0) return;
    for (const [key, value] of Object.entries(own)) for (const position of buckets.get(bucketKey(key, value)) ?? []) into.add(position);
  };
  return {
    size: subjects.length,
    subjectsOf(w) {
      const candidates = new Set<number>(scanned);
      collect(candidates, byNamespaceLabel, labels.namespace(w));
      collect(candidates, byPodLabel, labels.pod(w));
      return [...candidates]
        .sort((a, b) => a - b)
        .filter((position) => subjects[position].matches(w))
        .map((position) => subjects[position].item);
    },
  };
}
