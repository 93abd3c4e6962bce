// The isolation verdict for a platform: render its objects, predict the probe catalogue through
// every layer, and measure defense in depth. Big platforms are evaluated per class of
// interchangeable tenants (tenant-classes.ts) and the counts expanded; small ones probe every pair.
import type { K8sObject } from "../../components/k8s/object";
import { renderableObjects } from "../../components/render/cli";
import { MESH_PATH_NORMALIZATION } from "../../components/spec/defaults";
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { buildProbeCatalogue, pairProbes, tenantControlProbes } from "../probes/catalogue";
import type { CataloguedProbe, LayerId, ProbeResult } from "../probes/types";
import { readMeshSettings } from "./mesh-config";
import { NO_STAND_INS, touchesStandIn, withProbeStandIns, type ProbeEndpoints, type StandIns } from "./stand-ins";
import { buildCellVerdict, summarise } from "./cells";
import { buildClusterModel } from "./cluster";
import { activeLayers, defenseInDepth, isAttack, type BatchEvaluator } from "./defense";
import { kindBuiltins } from "./kind-builtins";
import { evaluateProbes } from "./probe";
import { singletonClasses, tenantClasses, type TenantClass } from "./tenant-classes";
import type { ClusterModel } from "./types";
import type { ClassCell, DefenseInDepth, PlatformVerdict, ProbeOutcome } from "./verdict-types";

export type { PlatformVerdict } from "./verdict-types";

/** Above this many tenants `verifyPlatform` groups interchangeable tenants unless told otherwise. */
export const GROUPING_THRESHOLD = 24;

export interface PlatformEvaluationOptions {
  /** Objects to evaluate instead of the platform's own (e.g. a scenario's transformed objects). */
  objects?: K8sObject[];
  /** Which of `objects` are probe stand-ins (default: none). */
  standIns?: StandIns;
  /** The probe endpoints (the lab's demo workloads) for the platform's own objects; without them only the builders' objects are evaluated. */
  endpoints?: ProbeEndpoints;
  /** Layers removed from every evaluation. */
  ablate?: LayerId[];
}

export interface VerifyOptions extends PlatformEvaluationOptions {
  /** true: group interchangeable tenants; false: every pair; default: group above GROUPING_THRESHOLD tenants. */
  grouping?: boolean;
}

/**
 * Builders' objects + the demo workloads the stack deploys + the probe stand-ins they lack (every
 * demo workload and a server per granted workload, whether or not the stack deploys them: see
 * stand-ins.ts) + what kind brings (kube-dns, istiod), and which of them are stand-ins.
 */
export function platformObjectsWithStandIns(spec: PlatformSpec, endpoints: ProbeEndpoints | undefined): { objects: K8sObject[]; standIns: StandIns } {
  if (!endpoints) throw new Error("platform objects: pass the probe endpoints (e.g. labProbeEndpoints) or the objects to evaluate");
  const { objects, standIns } = withProbeStandIns(spec, renderableObjects(spec, (s) => endpoints.deployed(s)), endpoints);
  return { objects: [...objects, ...kindBuiltins(spec)], standIns };
}

export function platformObjects(spec: PlatformSpec, endpoints: ProbeEndpoints): K8sObject[] {
  return platformObjectsWithStandIns(spec, endpoints).objects;
}

/**
 * The platform's model. Objects carrying Istio's mesh ConfigMap (a cluster dump) are modelled
 * with the settings the cluster really runs, and every difference from the spec is a warning;
 * otherwise the spec's, including the path normalization IstioMesh installs.
 */
function modelFor(spec: PlatformSpec, objects: K8sObject[]): ClusterModel {
  const expected = { rootNamespace: spec.meshNamespace, trustDomain: spec.cluster.trustDomain, pathNormalization: MESH_PATH_NORMALIZATION };
  const mesh = readMeshSettings(objects, []);
  if (!mesh) return buildClusterModel(objects, expected);
  const model = buildClusterModel(objects);
  for (const field of ["rootNamespace", "trustDomain", "pathNormalization"] as const) {
    if (mesh[field] !== expected[field]) {
      model.warnings.push(`mesh config ${mesh.source} sets ${field} ${mesh[field]} where the platform expects ${expected[field]}; the model follows the mesh config`);
    }
  }
  return model;
}

/** The full catalogue, each probe predicted by the model. O(tenants²): for small platforms. */
export function predictCatalogue(
  spec: PlatformSpec,
  options: PlatformEvaluationOptions = {},
): { probe: CataloguedProbe; result: ProbeResult; met: boolean }[] {
  const model = modelFor(spec, options.objects ?? platformObjectsWithStandIns(spec, options.endpoints).objects);
  const probes = buildProbeCatalogue(spec);
  const results = evaluateProbes(model, probes, { ablate: options.ablate ?? [] });
  return probes.map((probe, i) => ({ probe, result: results[i], met: results[i].verdict === probe.intent }));
}

interface PlannedCell {
  attackerClass: number;
  victimClass: number;
  self: boolean;
  attacker: TenantSpec;
  victim: TenantSpec;
  represents: number;
  probes: CataloguedProbe[];
}

/** One representative evaluation per (class, class); every pair when each tenant is its own class. */
function planCells(spec: PlatformSpec, classes: TenantClass[]): PlannedCell[] {
  const cells: PlannedCell[] = [];
  classes.forEach((cls, c) => {
    const rep = cls.tenants[0];
    cells.push({ attackerClass: c, victimClass: c, self: true, attacker: rep, victim: rep, represents: cls.tenants.length, probes: tenantControlProbes(spec, rep) });
  });
  classes.forEach((attackers, a) => {
    classes.forEach((victims, v) => {
      if (a === v && attackers.tenants.length < 2) return;
      const attacker = attackers.tenants[0];
      const victim = a === v ? attackers.tenants[1] : victims.tenants[0];
      const represents = a === v ? attackers.tenants.length * (attackers.tenants.length - 1) : attackers.tenants.length * victims.tenants.length;
      cells.push({ attackerClass: a, victimClass: v, self: false, attacker, victim, represents, probes: pairProbes(spec, attacker, victim) });
    });
  });
  return cells;
}

/**
 * The platform's isolation verdict: every cell attacker × victim (grouped by classes of
 * interchangeable tenants on big platforms), defense in depth per attack, violations and failed
 * positive controls.
 */
export function verifyPlatform(spec: PlatformSpec, options: VerifyOptions = {}): PlatformVerdict {
  const own = options.objects ? { objects: options.objects, standIns: options.standIns ?? NO_STAND_INS } : platformObjectsWithStandIns(spec, options.endpoints);
  const objects = own.objects;
  const ablate = [...new Set(options.ablate ?? [])];
  const grouped = options.grouping ?? spec.tenants.length > GROUPING_THRESHOLD;
  const classes = grouped ? tenantClasses(spec, objects) : singletonClasses(spec);
  const model = modelFor(spec, objects);
  const evaluate: BatchEvaluator = (probes, without) => evaluateProbes(model, probes, { ablate: without });

  const planned = planCells(spec, classes);
  const probes = planned.flatMap((cell) => cell.probes);
  const results = evaluate(probes, ablate);
  const attackIndexes = probes.flatMap((p, i) => (isAttack(p) ? [i] : []));
  const defenses = defenseInDepth(spec, attackIndexes.map((i) => probes[i]), ablate, evaluate);
  const defenseAt = new Map<number, DefenseInDepth>(attackIndexes.map((probeIndex, k) => [probeIndex, defenses[k]]));

  const outcomes: ProbeOutcome[] = [];
  const cells: ClassCell[] = [];
  let offset = 0;
  for (const plan of planned) {
    const cellOutcomes = plan.probes.map((probe, k) => {
      const result = results[offset + k];
      const defense = defenseAt.get(offset + k);
      return { probe, result, met: result.verdict === probe.intent, ...(defense ? { defense } : {}), represents: plan.represents };
    });
    offset += plan.probes.length;
    outcomes.push(...cellOutcomes);
    cells.push({
      attackerClass: plan.attackerClass,
      victimClass: plan.victimClass,
      self: plan.self,
      attacker: plan.attacker.name,
      victim: plan.victim.name,
      represents: plan.represents,
      cell: buildCellVerdict(cellOutcomes),
    });
  }
  // planCells lists controls then pairs in spec order: ungrouped, that is the catalogue's order.

  const classOf: Record<string, number> = {};
  classes.forEach((cls, i) => cls.tenants.forEach((t) => (classOf[t.name] = i)));
  const violations = outcomes.filter((o) => !o.met && o.probe.intent === "deny");
  const positiveControlFailures = outcomes.filter((o) => !o.met && o.probe.intent === "allow");
  const onStandIns = outcomes.filter((o) => touchesStandIn(o.probe, own.standIns));
  const count = (list: ProbeOutcome[]): number => list.reduce((n, o) => n + o.represents, 0);
  return {
    tenants: spec.tenants.map((t) => t.name),
    probeStandIns: own.standIns.workloads.length > 0 || own.standIns.services.length > 0,
    standIns: {
      workloads: own.standIns.workloads,
      services: own.standIns.services,
      positiveControls: count(onStandIns.filter((o) => o.probe.intent === "allow")),
      attacks: count(onStandIns.filter((o) => o.defense !== undefined)),
    },
    ablated: ablate,
    activeLayers: activeLayers(ablate),
    grouped,
    classes: classes.map((c) => ({ tenants: c.tenants.map((t) => t.name), signature: c.signature })),
    classOf,
    cells,
    outcomes,
    violations,
    positiveControlFailures,
    summary: summarise(spec.tenants.length, outcomes),
    warnings: [...new Set(model.warnings)],
  };
}

/** The cell of one attacker × victim pair (attacker = victim: the tenant's own controls). */
export function cellFor(verdict: PlatformVerdict, attacker: string, victim: string): ClassCell {
  const a = verdict.classOf[attacker];
  const v = verdict.classOf[victim];
  if (a === undefined || v === undefined) {
    const unknown = a === undefined ? attacker : victim;
    throw new Error(`cellFor: "${unknown}" is not a tenant of this verdict; tenants: ${verdict.tenants.slice(0, 10).join(", ")}`);
  }
  const self = attacker === victim;
  const found = verdict.cells.find((c) => c.attackerClass === a && c.victimClass === v && c.self === self);
  if (!found) throw new Error(`cellFor: no evaluated cell for ${attacker} -> ${victim}`);
  return found;
}
