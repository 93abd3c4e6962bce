// Does drift change isolation? The model evaluates the probes of the tenants the drift touches
// twice: on the live objects, and on the objects as the stack intends them (every drift item
// undone). A path opens where a probe, or one of its layers, goes from deny to allow; the layers
// that still deny it are listed (e.g. a tenant NetworkPolicy admitting another tenant that the
// Calico tier or the AuthorizationPolicy still stops). Each item is also weighed on its own
// (intended + that item alone), so the report names which object opens which path.
// When the drift stays in tenant namespaces, the untouched tenants that neither world can tell
// apart (lab/model/conformance.ts between the live and the intended objects: same class key, and
// nothing a touched tenant's objects can tell of them, no grant with a touched tenant of a
// different scope) are one group: one representative's pairs with each touched tenant stand for
// the group's, and an opened path says how many pairs it stands for.
import type { K8sObject } from "../../components/k8s/object";
import { MESH_PATH_NORMALIZATION } from "../../components/spec/defaults";
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { pairProbes, tenantControlProbes } from "../probes/catalogue";
import type { CataloguedProbe, LayerId, LayerVerdict, ProbeResult, Verdict } from "../probes/types";
import { buildClusterModel } from "../model/cluster";
import { assessConformance, type Conformance } from "../model/conformance";
import { readMeshSettings } from "../model/mesh-config";
import { tenantShape } from "../model/pair-classes";
import { evaluateProbes } from "../model/probe";
import { undo, type DriftItem } from "./drift";

/** Above this many touched tenants the impact is evaluated on the pairs of the first ones only. */
export const IMPACT_TENANT_LIMIT = 60;
/** Items weighed one by one at most (each is one more evaluation). */
export const ATTRIBUTION_LIMIT = 12;

export interface OpenedPath {
  probe: string;
  /** Tenant pairs this probe's pair stands for (its group of untouched tenants), when more than one. */
  pairs?: number;
  category: string;
  intent: "allow" | "deny";
  before: Verdict;
  after: Verdict;
  /** Layers that went from deny to allow. */
  openedLayers: LayerId[];
  /** Layers that still deny on the live objects. */
  stillDeniedBy: LayerId[];
}

export interface ItemImpact {
  ref: string;
  type: DriftItem["type"];
  opened: OpenedPath[];
}

export interface DriftImpact {
  /** Probes the comparison covers (tenants touched by drift, as attacker or victim), counted for every pair. */
  probes: number;
  /** Probes evaluated (on each side): one representative pair per group of untouched tenants. */
  evaluated: number;
  /** Tenants whose probes were evaluated; `limited` when capped at IMPACT_TENANT_LIMIT. */
  tenants: string[];
  limited: boolean;
  /** Intended → live: probes that opened (verdict or a layer deny → allow). */
  opened: OpenedPath[];
  /** Probes that closed (allow → deny): narrowing drift, e.g. a broken positive control. */
  closed: string[];
  /** Intent verdict over the evaluated probes, on each side. */
  violationsIntended: number;
  violationsLive: number;
  /** Per drift item (up to ATTRIBUTION_LIMIT items). */
  perItem: ItemImpact[];
  widensAccess: boolean;
}

function modelOf(spec: PlatformSpec, objects: K8sObject[]) {
  if (readMeshSettings(objects, [])) return buildClusterModel(objects);
  return buildClusterModel(objects, { rootNamespace: spec.meshNamespace, trustDomain: spec.cluster.trustDomain, pathNormalization: MESH_PATH_NORMALIZATION });
}

/** Tenants touched by these items; all of them when an item is cluster-scoped or in a platform namespace. */
function touchedTenants(spec: PlatformSpec, items: DriftItem[]): TenantSpec[] {
  const byNamespace = new Map(spec.tenants.map((t) => [t.namespace, t]));
  const touched = new Set<TenantSpec>();
  for (const i of items) {
    const tenant = i.namespace === undefined ? undefined : byNamespace.get(i.namespace);
    if (!tenant) return spec.tenants;
    touched.add(tenant);
  }
  return spec.tenants.filter((t) => touched.has(t));
}

interface ImpactProbe {
  probe: CataloguedProbe;
  /** Tenant pairs (or tenants) it stands for. */
  represents: number;
}

/**
 * The touched tenants' controls, and their pairs with every tenant: untouched tenants grouped when
 * the drift stays in tenant namespaces and `grouping` (the conformance of live against intended).
 */
function probesFor(spec: PlatformSpec, touched: TenantSpec[], grouping: Conformance | undefined): ImpactProbe[] {
  const probes: ImpactProbe[] = [];
  const push = (list: CataloguedProbe[], represents: number) => list.forEach((probe) => probes.push({ probe, represents }));
  const isTouched = new Set(touched.map((t) => t.name));
  for (const t of touched) push(tenantControlProbes(spec, t), 1);
  const groups = new Map<string, TenantSpec[]>();
  const scopes = (from: string, to: string) => spec.grants.filter((g) => g.from === from && g.to === to).map((g) => [g.workload, g.port, g.methods, g.paths]);
  for (const u of spec.tenants) {
    if (isTouched.has(u.name)) continue;
    const key = !grouping || grouping.deviations.has(u.name)
      ? `tenant:${u.name}`
      : JSON.stringify([tenantShape(spec, u), grouping.keys.get(u.name) ?? "", touched.map((t) => {
          const d = grouping.deviations.get(t.name);
          return [d ? grouping.tellApart(d, u) : "", scopes(u.name, t.name), scopes(t.name, u.name)];
        })]);
    const group = groups.get(key);
    if (group) group.push(u);
    else groups.set(key, [u]);
  }
  for (const a of touched) for (const v of touched) if (a !== v) push(pairProbes(spec, a, v), 1);
  for (const group of groups.values()) {
    for (const t of touched) {
      push(pairProbes(spec, group[0], t), group.length);
      push(pairProbes(spec, t, group[0]), group.length);
    }
  }
  return probes;
}

function layersWith(result: ProbeResult, verdict: LayerVerdict): LayerId[] {
  return (Object.entries(result.layers) as [LayerId, LayerVerdict][]).filter(([, v]) => v === verdict).map(([l]) => l);
}

function compare(probes: ImpactProbe[], before: ProbeResult[], after: ProbeResult[]): { opened: OpenedPath[]; closed: string[] } {
  const opened: OpenedPath[] = [];
  const closed: string[] = [];
  probes.forEach(({ probe: p, represents }, i) => {
    const b = before[i];
    const a = after[i];
    const openedLayers = layersWith(b, "deny").filter((l) => a.layers[l] === "allow");
    if ((b.verdict === "deny" && a.verdict === "allow") || openedLayers.length > 0) {
      opened.push({ probe: p.id, ...(represents > 1 ? { pairs: represents } : {}), category: p.category, intent: p.intent, before: b.verdict, after: a.verdict, openedLayers, stillDeniedBy: layersWith(a, "deny") });
    } else if (b.verdict === "allow" && a.verdict === "deny") closed.push(represents > 1 ? `${p.id} (×${represents} pairs)` : p.id);
  });
  return { opened, closed };
}

/**
 * `live`: the live objects as the model sees them (with stand-ins and built-ins); `items`: the drift.
 * `ablate`: layers not credited (unseen or ablated by the user). `groupUntouched` false: every pair
 * evaluated (the differential test's reference).
 */
export function driftImpact(spec: PlatformSpec, live: K8sObject[], items: DriftItem[], ablate: LayerId[], options: { groupUntouched?: boolean } = {}): DriftImpact {
  const empty: DriftImpact = { probes: 0, evaluated: 0, tenants: [], limited: false, opened: [], closed: [], violationsIntended: 0, violationsLive: 0, perItem: [], widensAccess: false };
  if (items.length === 0) return empty;
  let touched = touchedTenants(spec, items);
  const limited = touched.length > IMPACT_TENANT_LIMIT;
  if (limited) touched = touched.slice(0, IMPACT_TENANT_LIMIT);
  const scoped: PlatformSpec = limited ? { ...spec, tenants: touched } : spec;
  const undone = undo(live, items);
  const liveModel = modelOf(spec, live);
  const undoneModel = modelOf(spec, undone);
  // Grouping untouched tenants is sound only while the drift stays in tenant namespaces (conformance.ts).
  const local = (options.groupUntouched ?? true) && touched.length < scoped.tenants.length;
  const conformance = local ? assessConformance(scoped, scoped.tenants, liveModel, undoneModel) : undefined;
  const probes = probesFor(scoped, touched, conformance && !conformance.fallback ? conformance : undefined);
  const catalogued = probes.map((p) => p.probe);
  const intended = evaluateProbes(undoneModel, catalogued, { ablate });
  const current = evaluateProbes(liveModel, catalogued, { ablate });
  const { opened, closed } = compare(probes, intended, current);
  const violations = (results: ProbeResult[]) => results.reduce((n, r, i) => n + (probes[i].probe.intent === "deny" && r.verdict !== "deny" ? probes[i].represents : 0), 0);
  const perItem: ItemImpact[] = [];
  if (items.length > 1 && items.length <= ATTRIBUTION_LIMIT && opened.length > 0) {
    // With the drift in tenant namespaces an item reaches only the probes of its own tenant and of
    // the tenants whose proxies know its Services (conformance deviations no item touches).
    const byNamespace = new Map(scoped.tenants.map((t) => [t.namespace, t.name] as const));
    const isTouched = new Set(touched.map((t) => t.name));
    const knowers = conformance && !conformance.fallback ? [...conformance.deviations.keys()].filter((name) => !isTouched.has(name)) : undefined;
    for (const it of items) {
      const own = it.namespace === undefined ? undefined : byNamespace.get(it.namespace);
      const reach = knowers && own ? new Set([own, ...knowers]) : undefined;
      const subset = reach ? probes.flatMap((p, i) => (reach.has(p.probe.attacker) || reach.has(p.probe.victim) ? [i] : [])) : probes.map((_, i) => i);
      const model = modelOf(spec, undo(live, items.filter((other) => other !== it)));
      const alone = evaluateProbes(model, subset.map((i) => catalogued[i]), { ablate });
      perItem.push({ ref: it.ref, type: it.type, opened: compare(subset.map((i) => probes[i]), subset.map((i) => intended[i]), alone).opened });
    }
  } else if (items.length === 1) perItem.push({ ref: items[0].ref, type: items[0].type, opened });
  return {
    probes: probes.reduce((n, p) => n + p.represents, 0),
    evaluated: probes.length,
    tenants: touched.map((t) => t.name),
    limited,
    opened,
    closed,
    violationsIntended: violations(intended),
    violationsLive: violations(current),
    perItem,
    widensAccess: opened.some((o) => o.intent === "deny"),
  };
}
