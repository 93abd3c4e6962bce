// Evaluates a platform plan (pair-classes.ts) cell by cell: each cell's probes are generated,
// evaluated once with every ablation derived (probe-ablations.ts), folded into the cell's figures
// and the running totals, and then dropped unless the caller keeps them. Memory therefore grows
// with the cells, not with the probes; identical cell probes are shared.
import v8 from "node:v8";
import type { PlatformSpec } from "../../components/spec/types";
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import type { TenantSpec } from "../../components/spec/types";
import { pairProbes, probeKind, tenantControlProbes } from "../probes/catalogue";
import { l34ControlProbes, l34PairProbes } from "../probes/l34-catalogue";
import type { CataloguedProbe, LayerId, ProbeResult } from "../probes/types";
import { buildCellVerdict, SummaryTotals } from "./cells";
import { activeLayers, isAttack, requiredDefense } from "./defense";
import type { PlannedCell, PlatformPlan } from "./pair-classes";
import { escapeRegExp } from "./tenant-classes";
import { createAblationEvaluator } from "./probe-ablations";
import { MESH_LAYERS, meshFreeModel, withMeshAbsent, type MeshPresence } from "./mesh";
import type { ClusterModel } from "./types";
import type { CellProbe, CellVerdict, ClassCell, DefenseInDepth, ProbeOutcome } from "./verdict-types";

/** How far a verdict got: reported about once a second once it has run for two. */
export interface VerdictProgress {
  cellsDone: number;
  cellsTotal: number;
  /** Tenant pairs (and tenants, for controls) the finished cells stand for. */
  pairsDone: number;
  pairsTotal: number;
  probesEvaluated: number;
  elapsedMs: number;
}

/** A verdict that would not fit in memory: stops with what to do instead of a V8 heap crash. */
export class VerdictBudgetError extends Error {}

export interface PlanEvaluationOptions {
  ablate: readonly LayerId[];
  /**
   * "absent": a cluster without a mesh: the model without sidecars, the mesh layers reported absent
   * (never evaluated nor counted), and each cell's L3/4-observable probes (lab/probes/l34-catalogue.ts).
   */
  mesh?: MeshPresence;
  /** Evaluate each attack with each layer alone and each layer removed (default true). */
  defenseInDepth: boolean;
  /** Keep every evaluated outcome (default: only violations, failed controls and weak attacks). */
  keepOutcomes: boolean;
  /** Sees every outcome as it is evaluated (e.g. a streaming JSON writer). */
  onOutcome?: (outcome: ProbeOutcome) => void;
  onProgress?: (progress: VerdictProgress) => void;
  /** Heap the evaluation may use; default 90 % of V8's heap limit. */
  heapBudgetBytes?: number;
  /** Describes the platform in a budget error (tenants, how to narrow). */
  describe: () => string;
}

export interface PlanEvaluation {
  cells: ClassCell[];
  /** Every outcome when kept, else empty. */
  outcomes: ProbeOutcome[];
  violations: ProbeOutcome[];
  positiveControlFailures: ProbeOutcome[];
  /** Attacks below their required defense in depth. */
  weakAttacks: ProbeOutcome[];
  totals: SummaryTotals;
  probesEvaluated: number;
}

const PROGRESS_AFTER_MS = 2000;
const PROGRESS_EVERY_MS = 1000;
const MEMORY_CHECK_EVERY_CELLS = 32;

export function defaultHeapBudget(): number {
  return Math.floor(v8.getHeapStatistics().heap_size_limit * 0.9);
}

function probesOf(spec: PlatformSpec, cell: PlannedCell, meshAbsent: boolean): CataloguedProbe[] {
  if (meshAbsent) return cell.self ? l34ControlProbes(spec, cell.attacker) : l34PairProbes(spec, cell.attacker, cell.victim);
  return cell.self ? tenantControlProbes(spec, cell.attacker) : pairProbes(spec, cell.attacker, cell.victim);
}

export function evaluatePlan(spec: PlatformSpec, cluster: ClusterModel, plan: PlatformPlan, options: PlanEvaluationOptions): PlanEvaluation {
  const meshAbsent = options.mesh === "absent";
  // Without a mesh the mesh layers do not exist: removed from every evaluation like an ablation, but
  // reported absent on each result (withMeshAbsent), not ablated.
  const model = meshAbsent ? meshFreeModel(cluster) : cluster;
  const base = new Set([...options.ablate, ...(meshAbsent ? MESH_LAYERS : [])]);
  const active = activeLayers([...base]);
  // Per attack: each active layer alone (every other layer removed), then each removed on top of the base.
  const alone = active.map((layer) => new Set(ENFORCEMENT_LAYERS.filter((l) => l !== layer)));
  const without = active.map((layer) => new Set([...base, layer]));
  const defenseSets = options.defenseInDepth ? [...alone, ...without] : [];
  const evaluate = createAblationEvaluator(model);
  const interned = new Map<string, CellProbe>();
  const heapBudget = options.heapBudgetBytes ?? defaultHeapBudget();
  const pairsTotal = plan.cells.reduce((sum, c) => sum + c.represents, 0);
  const started = Date.now();
  let lastReport = started;
  let pairsDone = 0;
  let probesEvaluated = 0;

  // Spoofing probes of the class pairs' other pairs, by kind, for the granted pairs to reuse.
  const spoofing = new Map<string, { cell: PlannedCell; outcomes: Map<string, ProbeOutcome> }>();

  const out: PlanEvaluation = { cells: [], outcomes: [], violations: [], positiveControlFailures: [], weakAttacks: [], totals: new SummaryTotals(), probesEvaluated: 0 };
  plan.cells.forEach((planned, i) => {
    const classPair = `${planned.attackerClass}>${planned.victimClass}`;
    // A deviant cell's pairs are not its class pair's: nothing is reused for them.
    const reusable = plan.spoofingFollowsClasses && planned.pairs && !planned.deviant ? spoofing.get(classPair) : undefined;
    const outcomes: ProbeOutcome[] = probesOf(spec, planned, meshAbsent).map((probe) => {
      const reused = probe.category === "shared-service-spoof" ? reusable?.outcomes.get(probeKind(probe)) : undefined;
      if (reused && reusable) {
        const result = renamedResult(reused.result, probe.id, [reusable.cell.attacker, reusable.cell.victim], [planned.attacker, planned.victim]);
        return { probe, result, met: result.verdict === probe.intent, ...(reused.defense ? { defense: reused.defense } : {}), represents: planned.represents };
      }
      const attack = isAttack(probe);
      const evaluated = evaluate(probe, base, attack ? defenseSets : []);
      const { verdicts } = evaluated;
      const result = meshAbsent ? withMeshAbsent(evaluated.result) : evaluated.result;
      probesEvaluated += 1;
      const defense = attack && options.defenseInDepth ? defenseOf(spec, probe, active, verdicts) : undefined;
      return { probe, result, met: result.verdict === probe.intent, ...(defense ? { defense } : {}), represents: planned.represents };
    });
    if (plan.spoofingFollowsClasses && !planned.self && !planned.pairs) {
      spoofing.set(classPair, { cell: planned, outcomes: new Map(outcomes.filter((o) => o.probe.category === "shared-service-spoof").map((o) => [probeKind(o.probe), o])) });
    }
    const cell = internProbes(buildCellVerdict(outcomes), interned);
    out.cells.push({ attackerClass: planned.attackerClass, victimClass: planned.victimClass, self: planned.self, attacker: planned.attacker.name, victim: planned.victim.name, represents: planned.represents, ...(planned.pairs ? { pairs: planned.pairs } : {}), ...(planned.deviant ? { deviant: true } : {}), cell });
    for (const o of outcomes) {
      out.totals.add(o);
      options.onOutcome?.(o);
      if (options.keepOutcomes) out.outcomes.push(o);
      if (!o.met && o.probe.intent === "deny") out.violations.push(o);
      if (!o.met && o.probe.intent === "allow") out.positiveControlFailures.push(o);
      if (o.defense && o.defense.count < o.defense.required) out.weakAttacks.push(o);
    }
    pairsDone += planned.represents;
    if (i % MEMORY_CHECK_EVERY_CELLS === 0 && process.memoryUsage().heapUsed > heapBudget) {
      throw new VerdictBudgetError(
        `the verdict needs more memory than its budget (${mib(heapBudget)} heap) after ${i + 1} of ${plan.cells.length} cells: ${options.describe()}`,
      );
    }
    const now = Date.now();
    if (options.onProgress && now - started >= PROGRESS_AFTER_MS && now - lastReport >= PROGRESS_EVERY_MS) {
      lastReport = now;
      options.onProgress({ cellsDone: i + 1, cellsTotal: plan.cells.length, pairsDone, pairsTotal, probesEvaluated, elapsedMs: now - started });
    }
  });
  out.probesEvaluated = probesEvaluated;
  return out;
}

export function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** Defense in depth from the verdicts of the sets evaluatePlan asked for: each layer alone, then each removed. */
function defenseOf(spec: PlatformSpec, probe: CataloguedProbe, active: readonly LayerId[], verdicts: readonly string[]): DefenseInDepth {
  const blockingLayers: LayerId[] = [];
  const holdsWithout: Partial<Record<LayerId, boolean>> = {};
  active.forEach((layer, k) => {
    if (verdicts[k] === "deny") blockingLayers.push(layer);
    holdsWithout[layer] = verdicts[active.length + k] === "deny";
  });
  return { blockingLayers, count: blockingLayers.length, required: requiredDefense(spec, probe), holdsWithout };
}

/**
 * A result of one pair told for another pair of the same cell shape: its policy references and
 * warnings name the first pair's tenants, which become the second's (whole names only, namespace
 * before name, as in tenant-classes.ts).
 */
function renamedResult(result: ProbeResult, id: string, from: [TenantSpec, TenantSpec], to: [TenantSpec, TenantSpec]): ProbeResult {
  const words = new Map<string, string>();
  for (const k of [0, 1]) {
    words.set(from[k].namespace, to[k].namespace);
    words.set(from[k].name, to[k].name);
  }
  const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${[...words.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|")})(?![A-Za-z0-9])`, "g");
  const rename = (text: string): string => text.replace(pattern, (word) => words.get(word) ?? word);
  const decidedBy = result.decidedBy ? { ...result.decidedBy, ...(result.decidedBy.namespace ? { namespace: rename(result.decidedBy.namespace) } : {}), name: rename(result.decidedBy.name) } : undefined;
  return { ...result, id, ...(decidedBy ? { decidedBy } : {}), ...(result.warnings ? { warnings: result.warnings.map(rename) } : {}) };
}

/** Equal cell probes (most of a big platform's) become one shared object. */
function internProbes(cell: CellVerdict, interned: Map<string, CellProbe>): CellVerdict {
  cell.probes = cell.probes.map((p) => {
    const key = JSON.stringify(p);
    const hit = interned.get(key);
    if (hit) return hit;
    interned.set(key, p);
    return p;
  });
  return cell;
}
