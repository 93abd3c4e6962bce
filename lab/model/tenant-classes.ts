// Tenant equivalence classes, so the verdict of a big platform needs one representative ordered
// pair per (class, class) instead of every ordered pair of tenants.
//
// Two tenants are interchangeable when everything the model sees about them is equal once each
// tenant's own name and namespace are replaced by placeholders: the objects in its namespace
// (policies, demo workloads), cluster-scoped objects about it (its Namespace, its Calico / cluster
// policies), the fragments of shared objects that mention it (e.g. its rule in the shared
// collector's AuthorizationPolicy) and its spec. Tenants named together with another tenant
// anywhere (grants, a rule naming two tenants, a policy in one tenant naming another) are
// exceptions: each gets a class of its own. Grouping errs only towards more classes: an
// undetected difference cannot merge two tenants, because the signature is the whole canonical
// text of everything that mentions the tenant.
import { createHash } from "node:crypto";
import type { K8sObject } from "../../components/k8s/object";
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";

export interface TenantClass {
  /** Members in spec order; the first is the representative. */
  tenants: TenantSpec[];
  /** Hash of the canonical signature ("" for exceptions, which are never merged). */
  signature: string;
}

const NAME_PLACEHOLDER = "<tenant>";
const NAMESPACE_PLACEHOLDER = "<tenant-namespace>";

/** Every tenant in a class of its own (the ungrouped, full catalogue). */
export function singletonClasses(spec: PlatformSpec): TenantClass[] {
  return spec.tenants.map((tenant) => ({ tenants: [tenant], signature: "" }));
}

/**
 * Groups tenants whose objects are equal up to their own name and namespace. `extraKey`: more that
 * must be equal for two tenants to share a class (e.g. conformance.ts's pod-IP signature).
 */
export function tenantClasses(spec: PlatformSpec, objects: K8sObject[], extraKey?: (tenant: TenantSpec) => string): TenantClass[] {
  const index = new TenantTokenIndex(spec.tenants);
  const namespaceOwner = new Map(spec.tenants.map((t, i) => [t.namespace, i] as const));
  const parts: string[][] = spec.tenants.map((t) => [`spec:${canonicalFor(JSON.stringify(t), t)}`, ...(extraKey ? [`key:${extraKey(t)}`] : [])]);
  const exceptions = new Set<number>();
  for (const grant of spec.grants) {
    for (const name of [grant.from, grant.to]) {
      const i = spec.tenants.findIndex((t) => t.name === name);
      if (i >= 0) exceptions.add(i);
    }
  }
  const noteTogether = (mentioned: Set<number>): void => {
    if (mentioned.size > 1) for (const i of mentioned) exceptions.add(i);
  };

  for (const object of objects) {
    const owner = object.metadata.namespace === undefined ? undefined : namespaceOwner.get(object.metadata.namespace);
    const text = JSON.stringify(object);
    const mentioned = index.mentionsIn(text);
    if (owner !== undefined) {
      // The tenant's own object: all of it belongs to the signature; naming another tenant makes both exceptions.
      mentioned.add(owner);
      noteTogether(mentioned);
      parts[owner].push(`own:${canonicalFor(text, spec.tenants[owner])}`);
      continue;
    }
    attributeShared(object, "", text, mentioned, index, spec.tenants, parts, noteTogether);
  }

  const classes: TenantClass[] = [];
  const bySignature = new Map<string, TenantClass>();
  spec.tenants.forEach((tenant, i) => {
    if (exceptions.has(i)) {
      classes.push({ tenants: [tenant], signature: "" });
      return;
    }
    const signature = createHash("sha256").update(parts[i].sort().join("\n")).digest("hex");
    const existing = bySignature.get(signature);
    if (existing) existing.tenants.push(tenant);
    else {
      const created = { tenants: [tenant], signature };
      bySignature.set(signature, created);
      classes.push(created);
    }
  });
  return classes;
}

/**
 * What shared or cluster-scoped objects say about each tenant: per tenant (index in `tenants`), the
 * canonical parts that mention it alone; `together`: tenants named together in one string (their
 * parts cannot be told apart, so no other tenant is interchangeable with them).
 */
export function sharedFragments(objects: readonly K8sObject[], tenants: TenantSpec[], index = new TenantTokenIndex(tenants)): { parts: string[][]; together: Set<number> } {
  const parts: string[][] = tenants.map(() => []);
  const together = new Set<number>();
  const noteTogether = (mentioned: Set<number>): void => {
    if (mentioned.size > 1) for (const i of mentioned) together.add(i);
  };
  for (const object of objects) {
    const text = JSON.stringify(object);
    attributeShared(object, "", text, index.mentionsIn(text), index, tenants, parts, noteTogether);
  }
  return { parts, together };
}

/**
 * A shared or cluster-scoped object: the part that mentions exactly one tenant is attributed to
 * it (whole object, or the array element / field below the point where tenants diverge); text
 * naming several tenants in one string makes them exceptions. Unmentioned parts are the same for
 * every tenant and need no attribution.
 */
function attributeShared(
  node: unknown,
  path: string,
  text: string,
  mentioned: Set<number>,
  index: TenantTokenIndex,
  tenants: TenantSpec[],
  parts: string[][],
  noteTogether: (m: Set<number>) => void,
): void {
  if (mentioned.size === 0) return;
  if (mentioned.size === 1) {
    const [only] = mentioned;
    parts[only].push(`shared:${canonicalFor(path, tenants[only])}=${canonicalFor(text, tenants[only])}`);
    return;
  }
  const children: [string, unknown][] = Array.isArray(node)
    ? node.map((child) => [`${path}[]`, child] as [string, unknown]) // position-free: per-tenant rules are disjoint
    : node !== null && typeof node === "object"
      ? Object.entries(node as Record<string, unknown>).map(([key, child]) => [`${path}.${key}`, child] as [string, unknown])
      : [];
  if (children.length === 0) {
    noteTogether(mentioned); // one string naming several tenants: cannot be split
    return;
  }
  for (const [childPath, child] of children) {
    const childText = JSON.stringify(child) ?? "";
    const keyMentions = index.mentionsIn(childPath);
    const childMentions = index.mentionsIn(childText);
    for (const k of keyMentions) childMentions.add(k);
    attributeShared(child, childPath, childText, childMentions, index, tenants, parts, noteTogether);
  }
}

/** Replaces the tenant's namespace and name wherever they stand as whole words (`-` counts as a separator). */
export function canonicalFor(text: string, tenant: TenantSpec): string {
  return text.replace(tenantPattern(tenant), (match) => (match === tenant.namespace ? NAMESPACE_PLACEHOLDER : NAME_PLACEHOLDER));
}

const patternCache = new WeakMap<TenantSpec, RegExp>();
function tenantPattern(tenant: TenantSpec): RegExp {
  let pattern = patternCache.get(tenant);
  if (!pattern) {
    // Namespace first: it usually contains the name ("tenant-acme").
    const alternatives = [tenant.namespace, tenant.name].sort((a, b) => b.length - a.length).map(escapeRegExp);
    pattern = new RegExp(`(?<![A-Za-z0-9])(?:${alternatives.join("|")})(?![A-Za-z0-9])`, "g");
    patternCache.set(tenant, pattern);
  }
  pattern.lastIndex = 0;
  return pattern;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Finds which tenants a text mentions: any run of `-`-joined words equal to a tenant's name or namespace. */
export class TenantTokenIndex {
  private readonly byWord = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(tenants: TenantSpec[]) {
    tenants.forEach((t, i) => {
      this.byWord.set(t.name, i);
      this.byWord.set(t.namespace, i);
    });
  }

  mentionsIn(text: string): Set<number> {
    const found = new Set<number>();
    for (const token of text.match(/[A-Za-z0-9-]+/g) ?? []) {
      for (const i of this.tokenMentions(token)) found.add(i);
    }
    return found;
  }

  private tokenMentions(token: string): number[] {
    let hits = this.cache.get(token);
    if (hits) return hits;
    hits = [];
    const words = token.split("-");
    for (let start = 0; start < words.length; start++) {
      let run = "";
      for (let end = start; end < words.length; end++) {
        run = end === start ? words[start] : `${run}-${words[end]}`;
        const i = this.byWord.get(run);
        if (i !== undefined && !hits.includes(i)) hits.push(i);
      }
    }
    this.cache.set(token, hits);
    return hits;
  }
}
