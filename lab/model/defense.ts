// Defense in depth: for each attack, which enforcement layers stop it on their own (every other
// layer removed), and whether it stays stopped with each single layer removed.
import type { GrantSpec, PlatformSpec } from "../../components/spec/types";
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import { CLIENT, ECHO } from "../workloads/names";
import type { CataloguedProbe, LayerId, ProbeCategory, ProbeResult } from "../probes/types";
import type { DefenseInDepth } from "./verdict-types";

/** Categories whose probes are attacks: on another tenant (directly or through a shared service), or on the API server or istiod. */
export const ATTACK_CATEGORIES: readonly ProbeCategory[] = ["cross-tenant", "shared-service-spoof", "grant-beyond-scope", "api-server", "istiod"];

export function isAttack(probe: CataloguedProbe): boolean {
  return probe.intent === "deny" && ATTACK_CATEGORIES.includes(probe.category);
}

/** Evaluates a batch of probes with some layers removed; results in probe order. */
export type BatchEvaluator = (probes: CataloguedProbe[], ablate: LayerId[]) => ProbeResult[];

/**
 * How many layers an attack needs behind it. Network attacks (category cross-tenant) need two
 * independent layers, except a meshed client's request to a port a grant opened on purpose: there
 * only L7 (method/path) can tell it apart from the granted request. Spoofing and beyond-scope
 * requests ride an L4 path that is open by design (shared services, grants), so one layer (L7) is
 * all there can be. The API-server probe of a tenant without apiServerAccess needs two (network) layers.
 */
export function requiredDefense(spec: PlatformSpec, probe: CataloguedProbe): number {
  // A tenant without apiServerAccess: NetworkPolicy and Calico both close the path to the API server;
  // they both leave istiod only its 15012.
  if (probe.category === "api-server" || probe.category === "istiod") return 2;
  if (probe.category !== "cross-tenant") return 1;
  const clientMode = probe.client ?? "sidecar";
  return clientMode === "sidecar" && grantOpensL4(spec, probe) ? 1 : 2;
}

function grantOpensL4(spec: PlatformSpec, probe: CataloguedProbe): boolean {
  const target = probe.to;
  let workload: string | undefined;
  let port: number | undefined;
  if ("service" in target) {
    // The catalogue's only tenant service is echo (Service port → container port).
    if (target.service.endsWith(`/${ECHO.name}`) && target.port === ECHO.servicePort) {
      workload = ECHO.name;
      port = ECHO.containerPort;
    }
  } else if ("workload" in target) {
    workload = target.workload.slice(target.workload.indexOf("/") + 1);
    port = target.port;
  }
  if (workload === undefined || workload === CLIENT.name) return false;
  return grantsBetween(spec, probe.attacker, probe.victim).some((g) => g.workload === workload && g.port === port);
}

const grantPairs = new WeakMap<readonly GrantSpec[], { count: number; byPair: Map<string, GrantSpec[]> }>();

/** The grants from one tenant to another (indexed: asked for every attack). */
function grantsBetween(spec: PlatformSpec, from: string, to: string): readonly GrantSpec[] {
  let cached = grantPairs.get(spec.grants);
  if (!cached || cached.count !== spec.grants.length) {
    const byPair = new Map<string, GrantSpec[]>();
    for (const g of spec.grants) {
      const key = `${g.from}\u0000${g.to}`;
      const list = byPair.get(key);
      if (list) list.push(g);
      else byPair.set(key, [g]);
    }
    grantPairs.set(spec.grants, (cached = { count: spec.grants.length, byPair }));
  }
  return cached.byPair.get(`${from}\u0000${to}`) ?? [];
}

/**
 * Defense in depth for a batch of attacks. `baseAblate` is what the caller already removed; only
 * the remaining (active) layers are counted. 2 × active-layer-count batch evaluations.
 */
export function defenseInDepth(
  spec: PlatformSpec,
  attacks: CataloguedProbe[],
  baseAblate: LayerId[],
  evaluate: BatchEvaluator,
): DefenseInDepth[] {
  const active = activeLayers(baseAblate);
  const defenses: DefenseInDepth[] = attacks.map((probe) => ({
    blockingLayers: [],
    count: 0,
    required: requiredDefense(spec, probe),
    holdsWithout: {},
  }));
  if (attacks.length === 0) return defenses;
  for (const layer of active) {
    const alone = evaluate(attacks, ENFORCEMENT_LAYERS.filter((l) => l !== layer));
    const without = evaluate(attacks, [...baseAblate, layer]);
    attacks.forEach((_, i) => {
      if (alone[i].verdict === "deny") defenses[i].blockingLayers.push(layer);
      defenses[i].holdsWithout[layer] = without[i].verdict === "deny";
    });
  }
  for (const d of defenses) d.count = d.blockingLayers.length;
  return defenses;
}

export function activeLayers(ablate: LayerId[]): LayerId[] {
  return ENFORCEMENT_LAYERS.filter((l) => !ablate.includes(l));
}
