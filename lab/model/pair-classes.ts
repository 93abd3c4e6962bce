// Which ordered tenant pairs the platform verdict evaluates, and how many pairs each stands for.
//
// Two plans:
// - `planTenantClasses`: one representative pair per (class, class) of interchangeable tenants
//   (tenant-classes.ts: equal objects up to their names; grant parties are classes of their own).
//   Sound for any objects, e.g. a cluster dump or a scenario's transformed objects; with every
//   tenant its own class it is the full catalogue.
// - `planPairClasses`: for the platform's own objects (rendered from the spec by the builders).
//   Classes of *ordered pairs* attacker → victim, keyed by what the builders make relevant to that
//   direction: the shared services each tenant may call (they render the namespace labels, policies
//   and Sidecar hosts the spoofing probes meet, and the tenant's own controls), whether the tenant
//   may reach the API server (it renders an egress rule and makes the tenant's API-server control
//   an allow instead of an attack) and the grants from
//   the attacker to the victim (they open exactly that path and are probed within and beyond their
//   scope). Nothing else the builders render for a tenant reaches another tenant's probes:
//   - quotas, limits and admin groups render ResourceQuota, LimitRange and RBAC, which no layer reads;
//   - extra namespace labels are never selected on (platform labels cannot be overridden);
//   - gateway ingress admits only the gateway's namespace and principal, which no tenant has;
//   - a grant names exactly its two tenants (docs/decisions.md 4), admits its source by name and
//     its workload by label, and sits on the source's egress and the target's ingress: it cannot
//     match a third tenant, nor traffic in the opposite direction (a grant v → a leaves a → v alone).
//   Cost: shapes² + (attacker, victim) pairs with a grant, not tenants²; the pairs of a class are
//   counted, not listed. test/lab/model/platform-differential.test.ts proves every one of these
//   claims against a brute-force evaluation of every pair on random platforms.
import { createHash } from "node:crypto";
import type { GrantSpec, PlatformSpec, TenantSpec } from "../../components/spec/types";
import { usableSharedServices } from "../probes/catalogue";
import type { TenantClass } from "./tenant-classes";

export interface PlannedCell {
  attackerClass: number;
  victimClass: number;
  /** The tenants' own controls (attacker = victim). */
  self: boolean;
  /** The representative pair that is evaluated. */
  attacker: TenantSpec;
  victim: TenantSpec;
  /** Ordered pairs (self: tenants) this cell stands for. */
  represents: number;
  /** Pairs with a grant attacker → victim: exactly the pairs this cell stands for (absent: every other pair of the two classes). */
  pairs?: [string, string][];
}

export interface PlatformPlan {
  classes: TenantClass[];
  /** The cells in evaluation order: every class's controls, then the pairs. */
  cells: PlannedCell[];
  /**
   * A granted pair's spoofing probes are those of its class pair's other pairs (set for pair
   * classes: the shared services' objects and a tenant's path to them know nothing of grants), so
   * they are evaluated once per class pair, and the granted pairs' cells reuse them.
   */
  spoofingFollowsClasses?: boolean;
}

/** One representative evaluation per (class, class); every pair when each tenant is its own class. */
export function planTenantClasses(classes: TenantClass[]): PlatformPlan {
  const cells: PlannedCell[] = [];
  classes.forEach((cls, c) => {
    const rep = cls.tenants[0];
    cells.push({ attackerClass: c, victimClass: c, self: true, attacker: rep, victim: rep, represents: cls.tenants.length });
  });
  classes.forEach((attackers, a) => {
    classes.forEach((victims, v) => {
      if (a === v && attackers.tenants.length < 2) return;
      const attacker = attackers.tenants[0];
      const victim = a === v ? attackers.tenants[1] : victims.tenants[0];
      const represents = a === v ? attackers.tenants.length * (attackers.tenants.length - 1) : attackers.tenants.length * victims.tenants.length;
      cells.push({ attackerClass: a, victimClass: v, self: false, attacker, victim, represents });
    });
  });
  return { classes, cells };
}

/**
 * The spec fields of a tenant that reach its own controls or other tenants' probes (see the header).
 * A class's controls are evaluated on its representative, so every field that changes a tenant's
 * controls belongs here: apiServerAccess turns its API-server probe from an attack into an allow.
 */
export function tenantShape(spec: PlatformSpec, tenant: TenantSpec): string {
  return JSON.stringify({ sharedServices: usableSharedServices(spec, tenant).map((s) => s.name).sort(), apiServerAccess: tenant.apiServerAccess });
}

const pairKey = (a: string, v: string): string => `${a}\u0000${v}`;

/** A grant without its tenants' names: what it opens. */
function grantScope(grant: GrantSpec): string {
  return JSON.stringify([grant.workload, grant.port, grant.methods, grant.paths]);
}

/** Pair classes for the platform's own objects, over `tenants` (a subset of the spec's, in spec order). */
export function planPairClasses(spec: PlatformSpec, tenants: readonly TenantSpec[] = spec.tenants): PlatformPlan {
  const classOf = new Map<string, number>();
  const classes: TenantClass[] = [];
  const byShape = new Map<string, number>();
  for (const tenant of tenants) {
    const shape = tenantShape(spec, tenant);
    let index = byShape.get(shape);
    if (index === undefined) {
      index = classes.push({ tenants: [], signature: createHash("sha256").update(shape).digest("hex") }) - 1;
      byShape.set(shape, index);
    }
    classOf.set(tenant.name, index);
    classes[index].tenants.push(tenant);
  }

  // Pairs attacker → victim with grants from the attacker to the victim, and those grants' scopes.
  const relations = new Map<string, string[]>();
  for (const grant of spec.grants) {
    if (!classOf.has(grant.from) || !classOf.has(grant.to)) continue;
    const key = pairKey(grant.from, grant.to);
    const list = relations.get(key);
    if (list) list.push(grantScope(grant));
    else relations.set(key, [grantScope(grant)]);
  }

  const cells: PlannedCell[] = classes.map((cls, c) => ({ attackerClass: c, victimClass: c, self: true, attacker: cls.tenants[0], victim: cls.tenants[0], represents: cls.tenants.length }));

  // Related pairs per class pair (to subtract), grouped by their relation.
  const relatedPerClassPair = new Map<string, number>();
  const relatedCells = new Map<string, PlannedCell>();
  const byName = new Map(tenants.map((t) => [t.name, t] as const));
  for (const [key, list] of relations) {
    const [a, v] = key.split("\u0000");
    const ac = classOf.get(a)!;
    const vc = classOf.get(v)!;
    const classPair = pairKey(String(ac), String(vc));
    relatedPerClassPair.set(classPair, (relatedPerClassPair.get(classPair) ?? 0) + 1);
    // In spec order: the grant probes come in that order, so every pair of a cell lists them alike.
    const relationKey = JSON.stringify([ac, vc, list]);
    const cell = relatedCells.get(relationKey);
    if (cell) {
      cell.represents += 1;
      cell.pairs!.push([a, v]);
    } else {
      relatedCells.set(relationKey, { attackerClass: ac, victimClass: vc, self: false, attacker: byName.get(a)!, victim: byName.get(v)!, represents: 1, pairs: [[a, v]] });
    }
  }

  classes.forEach((attackers, a) => {
    classes.forEach((victims, v) => {
      const all = a === v ? attackers.tenants.length * (attackers.tenants.length - 1) : attackers.tenants.length * victims.tenants.length;
      const unrelated = all - (relatedPerClassPair.get(pairKey(String(a), String(v))) ?? 0);
      if (unrelated <= 0) return;
      const rep = unrelatedPair(attackers.tenants, victims.tenants, relations);
      cells.push({ attackerClass: a, victimClass: v, self: false, attacker: rep[0], victim: rep[1], represents: unrelated });
    });
  });
  cells.push(...relatedCells.values());
  return { classes, cells, spoofingFollowsClasses: true };
}

/** The first ordered pair of distinct tenants without a grant from the first to the second (one exists: the caller counted). */
function unrelatedPair(attackers: readonly TenantSpec[], victims: readonly TenantSpec[], relations: ReadonlyMap<string, unknown>): [TenantSpec, TenantSpec] {
  for (const a of attackers) {
    for (const v of victims) {
      if (a !== v && !relations.has(pairKey(a.name, v.name))) return [a, v];
    }
  }
  throw new Error("planPairClasses: no unrelated pair in a class pair counted as having one");
}
