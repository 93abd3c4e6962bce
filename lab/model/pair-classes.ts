// Which ordered tenant pairs the platform verdict evaluates, and how many pairs each stands for.
//
// Two plans (a third is the second on a live cluster's objects, with conformance.ts: tenants that
// deviate from the stack have the pairs their deviation reaches evaluated apart):
// - `planTenantClasses`: one representative pair per (class, class) of interchangeable tenants
//   (tenant-classes.ts: equal objects up to their names; grant parties are classes of their own).
//   Sound for objects that match no tenant name partially (a `prefix*` principal, a Calico
//   `starts with`: platform.ts groups nothing then), e.g. a cluster dump or a scenario's transformed
//   objects; with every tenant its own class it is the full catalogue.
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
import type { DirectedDeviation } from "./conformance";
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
  /** Pairs (or a tenant's controls) a deviation from the stack reaches (conformance.ts): evaluated apart, nothing reused. */
  deviant?: boolean;
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

/**
 * What a live cluster adds to the spec (conformance.ts): a class key per tenant beyond its shape,
 * and the tenants that deviate from the stack with the directions their changes govern.
 */
export interface PairPlanConformance {
  keys: ReadonlyMap<string, string>;
  deviations: ReadonlyMap<string, DirectedDeviation>;
  /** What a deviating tenant's objects can tell of another tenant (conformance.ts). */
  tellApart(deviating: DirectedDeviation, other: TenantSpec): string;
}

/**
 * Pair classes over `tenants` (a subset of the spec's, in spec order): for the platform's own
 * objects, or for a live cluster's with its conformance. A pair (a, v) is regular when neither a
 * deviation of a's outbound paths nor of v's inbound paths reaches it: regular pairs follow the
 * classes (and grants) as for the platform's own objects. The others are evaluated apart, grouped
 * only where the deviating side is one tenant and the other side a class its objects cannot tell
 * apart (they name none of its tenants); their cells list their pairs and are marked `deviant`.
 */
export function planPairClasses(spec: PlatformSpec, tenants: readonly TenantSpec[] = spec.tenants, conformance?: PairPlanConformance): PlatformPlan {
  const classOf = new Map<string, number>();
  const classes: TenantClass[] = [];
  const byShape = new Map<string, number>();
  for (const tenant of tenants) {
    const shape = `${tenantShape(spec, tenant)}\n${conformance?.keys.get(tenant.name) ?? ""}`;
    let index = byShape.get(shape);
    if (index === undefined) {
      index = classes.push({ tenants: [], signature: createHash("sha256").update(shape).digest("hex") }) - 1;
      byShape.set(shape, index);
    }
    classOf.set(tenant.name, index);
    classes[index].tenants.push(tenant);
  }
  const deviation = (t: TenantSpec): DirectedDeviation | undefined => conformance?.deviations.get(t.name);
  const egressDeviant = (t: TenantSpec): boolean => deviation(t)?.egress === true;
  const ingressDeviant = (t: TenantSpec): boolean => deviation(t)?.ingress === true;
  const regular = (a: TenantSpec, v: TenantSpec): boolean => !egressDeviant(a) && !ingressDeviant(v);

  // Pairs attacker → victim with grants from the attacker to the victim, and those grants' scopes.
  const relations = new Map<string, string[]>();
  for (const grant of spec.grants) {
    if (!classOf.has(grant.from) || !classOf.has(grant.to)) continue;
    const key = pairKey(grant.from, grant.to);
    const list = relations.get(key);
    if (list) list.push(grantScope(grant));
    else relations.set(key, [grantScope(grant)]);
  }

  const cells: PlannedCell[] = [];
  classes.forEach((cls, c) => {
    const conforming = cls.tenants.filter((t) => !deviation(t));
    if (conforming.length > 0) cells.push({ attackerClass: c, victimClass: c, self: true, attacker: conforming[0], victim: conforming[0], represents: conforming.length });
  });

  // Regular related pairs per class pair (to subtract), grouped by their relation.
  const subtract = new Map<string, number>();
  const count = (ac: number, vc: number): void => {
    const classPair = pairKey(String(ac), String(vc));
    subtract.set(classPair, (subtract.get(classPair) ?? 0) + 1);
  };
  const relatedCells = new Map<string, PlannedCell>();
  const byName = new Map(tenants.map((t) => [t.name, t] as const));
  for (const [key, list] of relations) {
    const [a, v] = key.split("\u0000");
    if (!regular(byName.get(a)!, byName.get(v)!)) continue;
    const ac = classOf.get(a)!;
    const vc = classOf.get(v)!;
    count(ac, vc);
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

  const deviantCells = conformance ? planDeviantPairs(tenants, classOf, relations, conformance, count) : [];

  classes.forEach((attackers, a) => {
    classes.forEach((victims, v) => {
      const all = a === v ? attackers.tenants.length * (attackers.tenants.length - 1) : attackers.tenants.length * victims.tenants.length;
      const unrelated = all - (subtract.get(pairKey(String(a), String(v))) ?? 0);
      if (unrelated <= 0) return;
      const rep = unrelatedPair(attackers.tenants, victims.tenants, (x, y) => regular(x, y) && !relations.has(pairKey(x.name, y.name)));
      cells.push({ attackerClass: a, victimClass: v, self: false, attacker: rep[0], victim: rep[1], represents: unrelated });
    });
  });
  cells.push(...relatedCells.values(), ...deviantCells);
  return { classes, cells, spoofingFollowsClasses: true };
}

/**
 * The cells of deviating tenants: each one's own controls, and every pair a deviation reaches,
 * grouped by [attacker side, victim side, grants] where a side is a deviating tenant, or a class
 * with what the other side's deviating objects can tell of the tenant (its name, labels, IPs).
 */
function planDeviantPairs(
  tenants: readonly TenantSpec[],
  classOf: ReadonlyMap<string, number>,
  relations: ReadonlyMap<string, string[]>,
  conformance: PairPlanConformance,
  count: (ac: number, vc: number) => void,
): PlannedCell[] {
  const cells: PlannedCell[] = [];
  const groups = new Map<string, PlannedCell>();
  const deviation = (t: TenantSpec): DirectedDeviation | undefined => conformance.deviations.get(t.name);
  /** A side of a pair: the deviating tenant itself, or its class and what the other side's deviating objects tell of it. */
  const side = (t: TenantSpec, own: DirectedDeviation | undefined, other: DirectedDeviation | undefined): string => (own ? `t:${t.name}` : `c:${classOf.get(t.name)}${other ? `|${conformance.tellApart(other, t)}` : ""}`);
  const add = (a: TenantSpec, v: TenantSpec): void => {
    const da = deviation(a)?.egress ? deviation(a) : undefined;
    const dv = deviation(v)?.ingress ? deviation(v) : undefined;
    const ac = classOf.get(a.name)!;
    const vc = classOf.get(v.name)!;
    count(ac, vc);
    const key = JSON.stringify([side(a, da, dv), side(v, dv, da), relations.get(pairKey(a.name, v.name)) ?? []]);
    const cell = groups.get(key);
    if (cell) {
      cell.represents += 1;
      cell.pairs!.push([a.name, v.name]);
    } else groups.set(key, { attackerClass: ac, victimClass: vc, self: false, attacker: a, victim: v, represents: 1, pairs: [[a.name, v.name]], deviant: true });
  };
  for (const t of tenants) {
    const d = deviation(t);
    if (!d) continue;
    const c = classOf.get(t.name)!;
    cells.push({ attackerClass: c, victimClass: c, self: true, attacker: t, victim: t, represents: 1, pairs: [[t.name, t.name]], deviant: true });
    for (const other of tenants) {
      if (other === t) continue;
      if (d.egress) add(t, other);
      // A pair whose attacker deviates outbound was added with it.
      if (d.ingress && !deviation(other)?.egress) add(other, t);
    }
  }
  return [...cells, ...groups.values()];
}

/** The first ordered pair of distinct tenants that `fits` (one exists: the caller counted). */
function unrelatedPair(attackers: readonly TenantSpec[], victims: readonly TenantSpec[], fits: (a: TenantSpec, v: TenantSpec) => boolean): [TenantSpec, TenantSpec] {
  for (const a of attackers) {
    for (const v of victims) {
      if (a !== v && fits(a, v)) return [a, v];
    }
  }
  throw new Error("planPairClasses: no regular unrelated pair in a class pair counted as having one");
}
