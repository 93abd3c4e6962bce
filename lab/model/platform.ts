// The isolation verdict for a platform: render its objects, predict the probe catalogue through
// every layer, and measure defense in depth. Big platforms are evaluated per class of
// interchangeable tenants (tenant-classes.ts) and the counts expanded; small ones probe every pair.
import type { K8sObject } from "../../components/k8s/object";
import { renderableObjects } from "../../components/render/cli";
import { MESH_PATH_NORMALIZATION } from "../../components/spec/defaults";
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { buildProbeCatalogue } from "../probes/catalogue";
import { l34Catalogue, withL34TenantProbes, type NotRunProbe } from "../probes/l34-catalogue";
import type { CataloguedProbe, LayerId, ProbeResult } from "../probes/types";
import { readMeshSettings } from "./mesh-config";
import { NO_STAND_INS, touchesStandIn, withProbeStandIns, type ProbeEndpoints, type StandIns } from "./stand-ins";
import { buildClusterModel } from "./cluster";
import { activeLayers, isAttack } from "./defense";
import { kindBuiltins } from "./kind-builtins";
import { MESH_LAYERS, NO_MESH_REASON, type MeshPresence } from "./mesh";
import { assessConformance, probeEndpoints } from "./conformance";
import { bodyStrings, ipBlocksIn, ipSignature, matchesNamesPartially } from "./conformance-signals";
import { planPairClasses, planTenantClasses, type PlatformPlan } from "./pair-classes";
import { normaliseServerPopulated } from "./server-populated";
import { defaultHeapBudget, evaluatePlan, mib, VerdictBudgetError, type VerdictProgress } from "./platform-evaluation";
import { evaluateProbes } from "./probe";
import { singletonClasses, tenantClasses, type TenantClass } from "./tenant-classes";
import type { ClusterModel } from "./types";
import type { ClassCell, ConformanceNote, PlatformVerdict, ProbeOutcome } from "./verdict-types";

export type { PlatformVerdict } from "./verdict-types";
export { VerdictBudgetError, type VerdictProgress } from "./platform-evaluation";

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
  /** "absent": evaluate as a cluster without a mesh (lab/model/mesh.ts). Default "present". */
  mesh?: MeshPresence;
  /** How long each probe's client waits (the live check's curl --max-time); default the lab's 5 s. */
  clientTimeoutSeconds?: number;
}

export interface VerifyOptions extends PlatformEvaluationOptions {
  /**
   * With `objects` from a live cluster (or its dump): the objects the stack renders for this
   * platform, with stand-ins and built-ins as for `objects`. Grouped, the verdict then takes its
   * classes from the spec for the tenants whose objects conform and evaluates the paths a deviation
   * reaches apart (conformance.ts); without, tenants are grouped by their objects (tenant-classes.ts).
   */
  intended?: K8sObject[];
  /** true: group interchangeable tenants (pairs); false: every pair; default: group above GROUPING_THRESHOLD tenants. */
  grouping?: boolean;
  /** Verify only these tenants: their controls and the pairs among them (the platform keeps every tenant). */
  tenants?: readonly string[];
  /** Evaluate each attack with every layer alone and removed (default true; false = --no-ablation). */
  defenseInDepth?: boolean;
  /** Keep every evaluated outcome in `outcomes` (default true); false keeps only the failing ones. */
  keepOutcomes?: boolean;
  onOutcome?: (outcome: ProbeOutcome) => void;
  onProgress?: (progress: VerdictProgress) => void;
  /** Heap the evaluation may use before it stops with VerdictBudgetError (default 90 % of V8's limit). */
  heapBudgetBytes?: number;
  /** Sees what will be evaluated before the first probe (e.g. to start a streamed report). */
  onPlan?: (plan: VerdictPlan) => void;
}

/** What a verdict will cover, known before any probe is evaluated. */
export interface VerdictPlan {
  tenants: string[];
  platformTenants: number;
  probeStandIns: boolean;
  ablated: LayerId[];
  activeLayers: LayerId[];
  absent?: PlatformVerdict["absent"];
  grouped: boolean;
  pairClasses: boolean;
  classes: { tenants: string[]; signature: string }[];
  cells: number;
  conformance?: ConformanceNote;
}

/**
 * Heap one tenant of a rendered platform takes (objects, model, layers), measured at 10,000
 * heterogeneous tenants with margin: a platform that cannot fit stops before rendering.
 */
export const HEAP_PER_TENANT = 256 * 1024;

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
export function platformModel(spec: PlatformSpec, objects: K8sObject[], clientTimeoutSeconds?: number): ClusterModel {
  const client = clientTimeoutSeconds !== undefined ? { clientTimeoutSeconds } : {};
  const expected = { rootNamespace: spec.meshNamespace, trustDomain: spec.cluster.trustDomain, pathNormalization: MESH_PATH_NORMALIZATION, ...client };
  const mesh = readMeshSettings(objects, []);
  if (!mesh) return buildClusterModel(objects, expected);
  const model = buildClusterModel(objects, client);
  for (const field of ["rootNamespace", "trustDomain", "pathNormalization"] as const) {
    if (mesh[field] !== expected[field]) {
      model.warnings.push(`mesh config ${mesh.source} sets ${field} ${mesh[field]} where the platform expects ${expected[field]}; the model follows the mesh config`);
    }
  }
  return model;
}

export interface CataloguePrediction {
  probe: CataloguedProbe;
  result: ProbeResult;
  met: boolean;
}

/** The full catalogue, each probe predicted by the model. O(tenants²): for small platforms. */
export function predictCatalogue(spec: PlatformSpec, options: PlatformEvaluationOptions = {}): CataloguePrediction[] {
  return predictProbes(spec, buildProbeCatalogue(spec), options);
}

/**
 * The L3/4-observable catalogue (lab/probes/l34-catalogue.ts), each probe predicted by the model
 * without a mesh, and the catalogue's other probes with why they are not run. What a backend
 * without a mesh (the local lab) can check. O(tenants²).
 */
export function predictL34Catalogue(spec: PlatformSpec, options: Omit<PlatformEvaluationOptions, "mesh"> = {}): { predictions: CataloguePrediction[]; notRun: NotRunProbe[] } {
  const { probes, notRun } = l34Catalogue(spec);
  return { predictions: predictProbes(spec, probes, { ...options, mesh: "absent" }), notRun };
}

/**
 * The full catalogue with each tenant's L3/4 additions (DNS over TCP, istiod's ports, the shared
 * services it may not use), predicted with every layer present: what the local backend checks when
 * its meshed pods run real sidecars. O(tenants²).
 */
export function predictCatalogueWithL34Additions(spec: PlatformSpec, options: PlatformEvaluationOptions = {}): CataloguePrediction[] {
  return predictProbes(spec, withL34TenantProbes(spec, buildProbeCatalogue(spec)), options);
}

function predictProbes(spec: PlatformSpec, probes: CataloguedProbe[], options: PlatformEvaluationOptions): CataloguePrediction[] {
  const model = platformModel(spec, options.objects ?? platformObjectsWithStandIns(spec, options.endpoints).objects, options.clientTimeoutSeconds);
  const results = evaluateProbes(model, probes, { ablate: options.ablate ?? [], ...(options.mesh ? { mesh: options.mesh } : {}) });
  return probes.map((probe, i) => ({ probe, result: results[i], met: results[i].verdict === probe.intent }));
}

/**
 * The platform's isolation verdict: every cell attacker × victim (grouped on big platforms: by
 * classes of ordered pairs for the platform's own objects, by classes of interchangeable tenants
 * for given objects), defense in depth per attack, violations and failed positive controls.
 */
export function verifyPlatform(platform: PlatformSpec, options: VerifyOptions = {}): PlatformVerdict {
  let spec = platform;
  const platformTenants = spec.tenants.length;
  const tenants = tenantsToVerify(spec, options.tenants);
  // A subset of the platform's own objects renders as its own platform: what the builders render
  // for the other tenants never reaches a pair of the subset (pair-classes.ts; the differential
  // test proves it), and memory then follows the subset.
  if (options.objects === undefined && tenants.length < spec.tenants.length) {
    const names = new Set(tenants.map((t) => t.name));
    spec = { ...spec, tenants, grants: spec.grants.filter((g) => names.has(g.from) && names.has(g.to)) };
  }
  const heapBudget = options.heapBudgetBytes ?? defaultHeapBudget();
  if (options.objects === undefined && spec.tenants.length * HEAP_PER_TENANT > heapBudget) {
    throw new VerdictBudgetError(
      `${spec.tenants.length} tenants need about ${mib(spec.tenants.length * HEAP_PER_TENANT)} of heap to render and model, over the budget of ${mib(heapBudget)}; ${NARROWING_HINT}`,
    );
  }
  // The platform's own objects with the probe endpoints (the demo workloads, or stand-ins for the
  // ones the stack does not deploy), or the objects given (a dump, a scenario) and their stand-ins.
  const own = options.objects ? { objects: options.objects, standIns: options.standIns ?? NO_STAND_INS } : platformObjectsWithStandIns(spec, options.endpoints);
  const objects = own.objects;
  const probeStandIns = own.standIns.workloads.length > 0 || own.standIns.services.length > 0;
  const ablate = [...new Set(options.ablate ?? [])];
  const meshAbsent = options.mesh === "absent";
  // Absent layers are not ablated (they do not exist), but they are not active either.
  const active = activeLayers(meshAbsent ? [...new Set([...ablate, ...MESH_LAYERS])] : ablate);
  const absent = meshAbsent ? { absent: { layers: [...MESH_LAYERS], reason: NO_MESH_REASON } } : {};
  const grouped = options.grouping ?? tenants.length > GROUPING_THRESHOLD;
  const model = platformModel(spec, objects, options.clientTimeoutSeconds);
  const { plan, conformance } = planVerdict(spec, tenants, grouped, model, options.objects === undefined ? undefined : { objects, ...(options.intended ? { intended: options.intended } : {}) });
  const pairClasses = plan.spoofingFollowsClasses === true;
  options.onPlan?.({
    tenants: tenants.map((t) => t.name),
    platformTenants,
    probeStandIns,
    ablated: ablate,
    activeLayers: active,
    ...absent,
    grouped,
    pairClasses,
    classes: plan.classes.map((c) => ({ tenants: c.tenants.map((t) => t.name), signature: c.signature })),
    cells: plan.cells.length,
    ...(conformance ? { conformance } : {}),
  });
  const defenseInDepthEvaluated = options.defenseInDepth ?? true;
  const keepOutcomes = options.keepOutcomes ?? true;
  // Outcomes on stand-ins are counted as they are evaluated (outcomes need not be kept for that).
  const onStandIns = { positiveControls: 0, attacks: 0 };
  const evaluation = evaluatePlan(spec, model, plan, {
    ablate,
    ...(meshAbsent ? { mesh: "absent" as const } : {}),
    defenseInDepth: defenseInDepthEvaluated,
    keepOutcomes,
    onOutcome: (outcome) => {
      if (probeStandIns && touchesStandIn(outcome.probe, own.standIns)) {
        if (outcome.probe.intent === "allow") onStandIns.positiveControls += outcome.represents;
        else if (isAttack(outcome.probe)) onStandIns.attacks += outcome.represents;
      }
      options.onOutcome?.(outcome);
    },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    heapBudgetBytes: heapBudget,
    describe: () => `${tenants.length} tenants, ${plan.classes.length} tenant classes, ${plan.cells.length} cells${ablate.length > 0 ? "" : ", each attack evaluated with every layer alone and removed"}; ${NARROWING_HINT}`,
  });
  // The plans list controls then pairs in spec order: ungrouped, that is the catalogue's order.

  const classOf: Record<string, number> = {};
  plan.classes.forEach((cls, i) => cls.tenants.forEach((t) => (classOf[t.name] = i)));
  return {
    tenants: tenants.map((t) => t.name),
    probeStandIns,
    standIns: { workloads: own.standIns.workloads, services: own.standIns.services, ...onStandIns },
    ablated: ablate,
    activeLayers: active,
    ...absent,
    grouped,
    pairClasses,
    defenseInDepthEvaluated,
    platformTenants,
    probesEvaluated: evaluation.probesEvaluated,
    classes: plan.classes.map((c) => ({ tenants: c.tenants.map((t) => t.name), signature: c.signature })),
    classOf,
    cells: evaluation.cells,
    outcomes: keepOutcomes ? evaluation.outcomes : [...evaluation.violations, ...evaluation.positiveControlFailures, ...evaluation.weakAttacks.filter((o) => o.met)],
    violations: evaluation.violations,
    positiveControlFailures: evaluation.positiveControlFailures,
    summary: evaluation.totals.summary(tenants.length),
    ...(conformance ? { conformance } : {}),
    warnings: [...new Set(model.warnings)],
  };
}

/**
 * The plan: every pair (not grouped); pair classes of the spec (the platform's own objects); for
 * given objects with the stack's rendering, pair classes by conformance (conformance.ts); else
 * classes of tenants whose objects are alike once server-populated values are set aside.
 */
function planVerdict(spec: PlatformSpec, tenants: TenantSpec[], grouped: boolean, model: ClusterModel, given?: { objects: K8sObject[]; intended?: K8sObject[] }): { plan: PlatformPlan; conformance?: ConformanceNote } {
  if (!grouped) return { plan: planTenantClasses(singletonClasses({ ...spec, tenants })) };
  if (!given) return { plan: planPairClasses(spec, tenants) };
  let fallback: string | undefined;
  if (given.intended) {
    const conformance = assessConformance(spec, tenants, model, platformModel(spec, given.intended));
    if (!conformance.fallback) {
      const deviating = [...conformance.deviations.values()].map((d) => ({ tenant: d.tenant, ingress: d.ingress, egress: d.egress, reasons: d.reasons }));
      return { plan: planPairClasses(spec, tenants, conformance), conformance: { conforming: tenants.length - deviating.length, deviating } };
    }
    fallback = conformance.fallback;
  }
  const classes = objectClasses(spec, tenants, model, given.objects);
  const note = fallback ? { conformance: { conforming: 0, deviating: [], fallback: classes.ungroupedBecause ? `${fallback}: every pair evaluated` : fallback } } : {};
  return { plan: planTenantClasses(classes.classes), ...note };
}

/**
 * Tenants whose objects are equal up to their names and to what the server populates, with equal
 * pod-IP signatures. No grouping when an object matches names partially (a prefix could tell two
 * such tenants apart, and nothing here says which pairs it reaches).
 */
function objectClasses(spec: PlatformSpec, tenants: TenantSpec[], model: ClusterModel, objects: K8sObject[]): { classes: TenantClass[]; ungroupedBecause?: string } {
  const partial = model.policies.find((o) => bodyStrings(o).some(matchesNamesPartially));
  if (partial) {
    const why = `${partial.kind} ${partial.metadata.namespace ? `${partial.metadata.namespace}/` : ""}${partial.metadata.name} matches names partially: every pair evaluated`;
    model.warnings.push(`tenants not grouped: ${why}`);
    return { classes: singletonClasses({ ...spec, tenants }), ungroupedBecause: why };
  }
  const blocks = ipBlocksIn(model.policies);
  return { classes: tenantClasses({ ...spec, tenants }, objects.map(normaliseServerPopulated), (t) => ipSignature(model, probeEndpoints(spec, t), blocks)) };
}

/** How to make a verdict smaller, for error messages. */
export const NARROWING_HINT = "verify a subset with --tenants a,b (pairs among those tenants), or skip defense in depth with --no-ablation";

/** The tenants to verify: all, or the named subset in spec order (unknown names are an error naming them). */
function tenantsToVerify(spec: PlatformSpec, names: readonly string[] | undefined): TenantSpec[] {
  if (names === undefined) return spec.tenants;
  const wanted = new Set(names);
  const unknown = [...wanted].filter((n) => !spec.tenants.some((t) => t.name === n));
  if (unknown.length > 0) {
    throw new UnknownTenantError(`--tenants: ${unknown.map((n) => JSON.stringify(n)).join(", ")} ${unknown.length === 1 ? "is not a tenant" : "are not tenants"} of this platform; tenants: ${spec.tenants.slice(0, 10).map((t) => t.name).join(", ")}${spec.tenants.length > 10 ? ", …" : ""}`);
  }
  return spec.tenants.filter((t) => wanted.has(t.name));
}

export class UnknownTenantError extends Error {}

/** The cell of one attacker × victim pair (attacker = victim: the tenant's own controls). */
export function cellFor(verdict: PlatformVerdict, attacker: string, victim: string): ClassCell {
  const a = verdict.classOf[attacker];
  const v = verdict.classOf[victim];
  if (a === undefined || v === undefined) {
    const unknown = a === undefined ? attacker : victim;
    throw new Error(`cellFor: "${unknown}" is not a tenant of this verdict; tenants: ${verdict.tenants.slice(0, 10).join(", ")}`);
  }
  const self = attacker === victim;
  // Pairs with a grant, and the pairs and controls of deviating tenants, are listed by their cells.
  const related = verdict.cells.find((c) => c.self === self && c.pairs?.some(([x, y]) => x === attacker && y === victim));
  const found = related ?? verdict.cells.find((c) => c.attackerClass === a && c.victimClass === v && c.self === self && !c.pairs);
  if (!found) throw new Error(`cellFor: no evaluated cell for ${attacker} -> ${victim}`);
  return found;
}
