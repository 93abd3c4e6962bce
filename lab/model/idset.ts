// Sets of small integer ids (workload or namespace indexes) that stay cheap when they are huge:
// a set is either "only these ids" or "all ids but these". Selector results use this so that
// `tenant != 'acme'` over 4,000 workloads costs the size of its complement, not 3,996 entries.

export type IdSet = { readonly kind: "only"; readonly ids: ReadonlySet<number> } | { readonly kind: "allBut"; readonly ids: ReadonlySet<number> };

const EMPTY: ReadonlySet<number> = new Set<number>();

export const NO_IDS: IdSet = { kind: "only", ids: EMPTY };
export const ALL_IDS: IdSet = { kind: "allBut", ids: EMPTY };

export function onlyIds(ids: Iterable<number>): IdSet {
  return { kind: "only", ids: new Set(ids) };
}

export function allIdsBut(ids: Iterable<number>): IdSet {
  return { kind: "allBut", ids: new Set(ids) };
}

export function hasId(set: IdSet, id: number): boolean {
  return set.kind === "only" ? set.ids.has(id) : !set.ids.has(id);
}

export function complementIds(set: IdSet): IdSet {
  return { kind: set.kind === "only" ? "allBut" : "only", ids: set.ids };
}

function intersect(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set<number>();
  for (const id of small) if (large.has(id)) out.add(id);
  return out;
}

function union(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const out = new Set(a);
  for (const id of b) out.add(id);
  return out;
}

function minus(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  for (const id of a) if (!b.has(id)) out.add(id);
  return out;
}

export function andIds(a: IdSet, b: IdSet): IdSet {
  if (a.kind === "only" && b.kind === "only") return { kind: "only", ids: intersect(a.ids, b.ids) };
  if (a.kind === "allBut" && b.kind === "allBut") return { kind: "allBut", ids: union(a.ids, b.ids) };
  const [only, allBut] = a.kind === "only" ? [a, b] : [b, a];
  return { kind: "only", ids: minus(only.ids, allBut.ids) };
}

export function orIds(a: IdSet, b: IdSet): IdSet {
  if (a.kind === "only" && b.kind === "only") return { kind: "only", ids: union(a.ids, b.ids) };
  if (a.kind === "allBut" && b.kind === "allBut") return { kind: "allBut", ids: intersect(a.ids, b.ids) };
  const [only, allBut] = a.kind === "only" ? [a, b] : [b, a];
  return { kind: "allBut", ids: minus(allBut.ids, only.ids) };
}

export function isEmptyIds(set: IdSet, universeSize: number): boolean {
  return set.kind === "only" ? set.ids.size === 0 : set.ids.size >= universeSize;
}

/** Materialises the set over ids 0..universeSize-1 (only for small sets or tests). */
export function listIds(set: IdSet, universeSize: number): number[] {
  if (set.kind === "only") return [...set.ids].filter((id) => id < universeSize).sort((a, b) => a - b);
  const out: number[] = [];
  for (let id = 0; id < universeSize; id++) if (!set.ids.has(id)) out.push(id);
  return out;
}
