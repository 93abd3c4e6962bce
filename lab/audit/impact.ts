// Does drift change isolation? The model evaluates the probes of the tenants the drift touches
// twice: on the live objects, and on the objects as the stack intends them (every drift item
// undone). A path opens where a probe, or one of its layers, goes from deny to allow; the layers
// that still deny it are listed (e.g. a tenant NetworkPolicy admitting another tenant that the
// Calico tier or the AuthorizationPolicy still stops). Each item is also weighed on its own
// (intended + that item alone), so the report names which object opens which path.
import type { K8sObject } from "../../components/k8s/object";
import { MESH_PATH_NORMALIZATION } from "../../components/spec/defaults";
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { pairProbes, tenantControlProbes } from "../probes/catalogue";
import type { CataloguedProbe, LayerId, LayerVerdict, ProbeResult, Verdict } from "../probes/types";
import { buildClusterModel } from "../model/cluster";
import { readMeshSettings } from "../model/mesh-config";
import { evaluateProbes } from "../model/probe";
import { undo, type DriftItem } from "./drift";

/** Above this many touched tenants the impact is evaluated on the pairs of the first ones only. */
export const IMPACT_TENANT_LIMIT = 60;
/** Items weighed one by one at most (each is one more evaluation). */
export const ATTRIBUTION_LIMIT = 12;

export interface OpenedPath {
  probe: string;
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
  /** Probes evaluated (tenants touched by drift, as attacker or victim). */
  probes: number;
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

function probesFor(spec: PlatformSpec, touched: TenantSpec[]): CataloguedProbe[] {
  const probes: CataloguedProbe[] = [];
  const isTouched = new Set(touched.map((t) => t.name));
  for (const t of touched) probes.push(...tenantControlProbes(spec, t));
  for (const a of spec.tenants) for (const v of spec.tenants) if (a !== v && (isTouched.has(a.name) || isTouched.has(v.name))) probes.push(...pairProbes(spec, a, v));
  return probes;
}

function layersWith(result: ProbeResult, verdict: LayerVerdict): LayerId[] {
  return (Object.entries(result.layers) as [LayerId, LayerVerdict][]).filter(([, v]) => v === verdict).map(([l]) => l);
}

function compare(probes: CataloguedProbe[], before: ProbeResult[], after: ProbeResult[]): { opened: OpenedPath[]; closed: string[] } {
  const opened: OpenedPath[] = [];
  const closed: string[] = [];
  probes.forEach((p, i) => {
    const b = before[i];
    const a = after[i];
    const openedLayers = layersWith(b, "deny").filter((l) => a.layers[l] === "allow");
    if ((b.verdict === "deny" && a.verdict === "allow") || openedLayers.length > 0) {
      opened.push({ probe: p.id, category: p.category, intent: p.intent, before: b.verdict, after: a.verdict, openedLayers, stillDeniedBy: layersWith(a, "deny") });
    } else if (b.verdict === "allow" && a.verdict === "deny") closed.push(p.id);
  });
  return { opened, closed };
}

/**
 * `live`: the live objects as the model sees them (with stand-ins and built-ins); `items`: the drift.
 * `ablate`: layers not credited (unseen or ablated by the user).
 */
export function driftImpact(spec: PlatformSpec, live: K8sObject[], items: DriftItem[], ablate: LayerId[]): DriftImpact {
  const empty: DriftImpact = { probes: 0, tenants: [], limited: false, opened: [], closed: [], violationsIntended: 0, violationsLive: 0, perItem: [], widensAccess: false };
  if (items.length === 0) return empty;
  let touched = touchedTenants(spec, items);
  const limited = touched.length > IMPACT_TENANT_LIMIT;
  if (limited) touched = touched.slice(0, IMPACT_TENANT_LIMIT);
  const scoped: PlatformSpec = limited ? { ...spec, tenants: touched } : spec;
  const probes = probesFor(scoped, touched);
  const evaluate = (objects: K8sObject[]) => evaluateProbes(modelOf(spec, objects), probes, { ablate });
  const intended = evaluate(undo(live, items));
  const current = evaluate(live);
  const { opened, closed } = compare(probes, intended, current);
  const violations = (results: ProbeResult[]) => results.filter((r, i) => probes[i].intent === "deny" && r.verdict !== "deny").length;
  const perItem: ItemImpact[] = [];
  if (items.length > 1 && items.length <= ATTRIBUTION_LIMIT && opened.length > 0) {
    for (const it of items) {
      const alone = evaluate(undo(live, items.filter((other) => other !== it)));
      perItem.push({ ref: it.ref, type: it.type, opened: compare(probes, intended, alone).opened });
    }
  } else if (items.length === 1) perItem.push({ ref: items[0].ref, type: items[0].type, opened });
  return {
    probes: probes.length,
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
