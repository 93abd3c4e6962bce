// The data the HTML report is drawn from, built from a platform verdict's public shape (classes,
// cells, outcomes, summary) and, in live mode, from what the run observed. Pure: no I/O.
//
// Sizes stay small at 1,000 tenants: the heatmap is classes × classes (interchangeable tenants are
// one row), equal cells share one view, probe rows are stored once per name-free content, and the
// grid is run-length encoded.
import { ENFORCEMENT_LAYERS } from "../../../components/spec/types";
import { LAYER_LETTERS, meshAbsentNotice, standInNotice, verdictPasses } from "../../model/report";
import { meshAbsentSentence } from "../report";
import type { ClassCell, PlatformVerdict, ProbeOutcome } from "../../model/verdict-types";
import type { ProbeCategory } from "../../probes/types";
import { depthTone, legend } from "./palette";
import { evidenceOf, probeRow } from "./rows";
import type { CellMark, CellView, LayerState, ObservedProbe, ProbeEvidence, ProbeRow, ReportInput, ReportPageData, SummaryHeader, Tone } from "./types";

/**
 * Categories that concern a tenant and the platform rather than another tenant: its own positive
 * controls and its reach to the API server (denied unless the tenant has apiServerAccess) and to
 * istiod (15012 only). They sit on the diagonal.
 */
const CONTROL_CATEGORIES: ReadonlySet<ProbeCategory> = new Set(["same-tenant", "dns", "shared-service", "api-server", "istiod"]);

/** Defense in depth every network attack needs (the platform's requirement; grant ports need 1). */
export const REQUIRED_DEFENSE_IN_DEPTH = 2;

/** Interns equal values (by their JSON) and hands out indexes. */
class Interner<T> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  add(item: T): number {
    const key = JSON.stringify(item);
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.items.length;
      this.items.push(item);
      this.index.set(key, at);
    }
    return at;
  }
}

/** [value, count, value, count, …] */
export function runLengthEncode(values: number[]): number[] {
  const out: number[] = [];
  for (const value of values) {
    if (out.length > 0 && out[out.length - 2] === value) out[out.length - 1]++;
    else out.push(value, 1);
  }
  return out;
}

export function runLengthDecode(encoded: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < encoded.length; i += 2) for (let k = 0; k < encoded[i + 1]; k++) out.push(encoded[i]);
  return out;
}

/** Where an evaluated probe belongs: its attacker's diagonal (controls) or the attacker × victim cell. */
function cellKey(verdict: PlatformVerdict, outcome: ProbeOutcome): string | undefined {
  const a = verdict.classOf[outcome.probe.attacker];
  if (a === undefined) return undefined;
  if (CONTROL_CATEGORIES.has(outcome.probe.category)) return `${a},self`;
  const v = verdict.classOf[outcome.probe.victim];
  return v === undefined ? undefined : `${a},${v}`;
}

/** The attacker and victim tenants named in a probe id "<attacker>-><victim>/<kind>" (for observations of pairs the model grouped). */
function pairOfId(id: string, verdict: PlatformVerdict): { a: number; v: number } | undefined {
  const arrow = id.indexOf("->");
  const slash = id.indexOf("/", arrow);
  if (arrow < 0 || slash < 0) return undefined;
  const a = verdict.classOf[id.slice(0, arrow)];
  const v = verdict.classOf[id.slice(arrow + 2, slash)];
  return a === undefined || v === undefined ? undefined : { a, v };
}

function layerLetters(states: LayerState[]): string {
  if (states.every((s) => s === "n/a" || s === "ablated")) return "";
  return ENFORCEMENT_LAYERS.map((layer, i) => {
    const letter = LAYER_LETTERS[layer];
    return { all: letter, some: letter.toLowerCase(), none: "·", ablated: "×", "n/a": "·" }[states[i]];
  }).join("");
}

function layerStates(verdict: PlatformVerdict, cell: ClassCell | undefined): LayerState[] {
  return ENFORCEMENT_LAYERS.map((layer) => {
    if (verdict.ablated.includes(layer)) return "ablated";
    if (verdict.absent?.layers.includes(layer)) return "n/a";
    if (!cell || cell.cell.minDefenseInDepth === null) return "n/a";
    if (cell.cell.holdingLayers.includes(layer)) return "all";
    if (cell.cell.partialLayers.includes(layer)) return "some";
    return "none";
  });
}

interface CellInput {
  diagonal: boolean;
  cross: ClassCell | undefined;
  self: ClassCell | undefined;
  crossRows: ProbeRow[];
  controlRows: ProbeRow[];
  /** Parallel to crossRows: the row's own evaluated pair where it differs from the cell's representatives. */
  crossPairs: (number | null)[];
  /** Observations of other pairs of this cell (grouped platforms): their marks count too. */
  extraObserved: ObservedProbe[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Colour, marks, text and the sentence that says the same in words. */
export function cellView(verdict: PlatformVerdict, input: CellInput, rowIndex: (row: ProbeRow) => number): CellView {
  const rows = [...input.controlRows, ...input.crossRows];
  const violated = rows.filter((r) => r.intent === "deny" && !r.met).length;
  const controlsFailed = rows.filter((r) => r.intent === "allow" && !r.met).length;
  const observedStatuses = [...rows.flatMap((r) => (r.evidence ? [r.evidence.status] : [])), ...input.extraObserved.map((o) => o.status)];
  const breaches = observedStatuses.filter((s) => s === "breach").length;
  const observedControlFailures = observedStatuses.filter((s) => s === "control-failed").length;
  const unknown = observedStatuses.filter((s) => s === "unknown").length + rows.filter((r) => r.predicted.verdict === "unknown").length;
  const disagreements = rows.filter((r) => r.disagreement).length + input.extraObserved.filter((o) => o.observationMatchesPrediction === false).length;
  const cross = input.cross?.cell;
  const control = input.self?.cell;
  const depth = cross?.minDefenseInDepth ?? null;
  const grant = rows.some((r) => r.category === "grant");
  const weak = cross?.weakAttacks.length ?? 0;

  const marks: CellMark[] = [];
  if (violated > 0) marks.push("violation");
  if (breaches > 0) marks.push("breach");
  if (controlsFailed + observedControlFailures > 0) marks.push("controls-failed");
  if (weak > 0) marks.push("weak");
  if (disagreements > 0) marks.push("disagreement");
  if (unknown > 0) marks.push("unknown");
  if (grant) marks.push("grant");

  let tone: Tone;
  if (violated > 0 || breaches > 0) tone = "violation";
  else if (controlsFailed + observedControlFailures > 0) tone = "controls-fail";
  else if (input.diagonal) tone = "controls-pass";
  else tone = depth === null ? "no-attacks" : depthTone(depth);

  const flags = [
    violated + breaches > 0 ? `!${violated + breaches}` : "",
    controlsFailed + observedControlFailures > 0 && !input.diagonal ? "✗" : "",
    weak > 0 ? "w" : "",
    disagreements > 0 ? "≠" : "",
    unknown > 0 ? "?" : "",
    grant ? "g" : "",
  ].filter(Boolean);
  const controls = (control?.controls ?? 0) + (cross?.controls ?? 0);
  const controlsPassed = (control?.controlsPassed ?? 0) + (cross?.controlsPassed ?? 0);
  const head = input.diagonal ? `${controlsPassed === controls ? "✓" : "✗"} ${controlsPassed}/${controls}` : depth === null ? "–" : String(depth);

  const sentences: string[] = [];
  if (input.diagonal) sentences.push(`positive controls: ${controlsPassed}/${controls} pass`);
  if (cross) {
    sentences.push(`${cross.attacksBlocked}/${plural(cross.attacks, "attack")} blocked${input.diagonal ? " between tenants of this class" : ""}`);
    sentences.push(depth === null ? "no network attack evaluated" : `fewest layers behind a network attack: ${depth}`);
    const letters = (ls: string[]): string => ls.map((l) => LAYER_LETTERS[l as keyof typeof LAYER_LETTERS]).join("") || "none";
    if (depth !== null) sentences.push(`layers blocking every network attack alone: ${letters(cross.holdingLayers)}; some: ${letters(cross.partialLayers)}`);
  }
  if (violated > 0) sentences.push(`${plural(violated, "attack")} NOT denied by the model`);
  if (breaches > 0) sentences.push(`${plural(breaches, "probe")} breached in the live run`);
  if (controlsFailed + observedControlFailures > 0) sentences.push(`${controlsFailed + observedControlFailures} positive control(s) failed`);
  if (weak > 0) sentences.push(`${plural(weak, "attack")} below the required depth`);
  if (disagreements > 0) sentences.push(`${plural(disagreements, "observation")} disagree with the prediction`);
  if (unknown > 0) sentences.push(`${plural(unknown, "probe")} inconclusive`);
  if (grant) sentences.push("a grant opens a path here (its port relies on L7)");

  const states = layerStates(verdict, input.cross);
  return {
    tone,
    text: [head, ...flags].join(" "),
    description: sentences.join("; "),
    marks,
    layerStates: states,
    letters: layerLetters(states),
    minDefenseInDepth: depth,
    attacks: cross?.attacks ?? 0,
    attacksBlocked: cross?.attacksBlocked ?? 0,
    controls,
    controlsPassed,
    controlProbes: input.controlRows.map(rowIndex),
    probes: input.crossRows.map(rowIndex),
    ...(input.crossPairs.some((p) => p !== null) ? { probePairs: input.crossPairs } : {}),
  };
}

function observedHeader(input: ReportInput, disagreements: number, unplaced: number): SummaryHeader["observed"] {
  const run = input.observed;
  if (!run) return null;
  const count = (status: ObservedProbe["status"]): number => run.probes.filter((p) => p.status === status).length;
  return {
    context: run.context,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    outcome: run.outcome,
    probes: run.probes.length,
    passed: count("pass"),
    breaches: count("breach"),
    controlsFailed: count("control-failed"),
    unknown: count("unknown"),
    meshOnly: count("mesh-only"),
    mismatches: count("mismatch"),
    skipped: count("skipped"),
    disagreements,
    unplaced,
    controlPlane: run.controlPlane.length,
    controlPlanePassed: run.controlPlane.filter((c) => c.status === "pass").length,
  };
}

function summaryHeader(input: ReportInput, disagreements: number, unplaced: number): SummaryHeader {
  const { verdict } = input;
  const s = verdict.summary;
  const modelResult = verdictPasses(verdict) ? "PASS" : "FAIL";
  const reasons: string[] = [];
  reasons.push(s.intentsMet ? "model: every intent met" : `model: ${s.violations} violated intent(s), ${s.positiveControlsFailed} failed positive control(s)`);
  if (!s.defenseInDepthMet) reasons.push(`model: ${s.weakAttacks} attack(s) below their required defense in depth${verdict.ablated.length > 0 ? " (expected with a layer ablated)" : ""}`);
  let result: SummaryHeader["result"] = modelResult;
  if (input.observed) {
    result = input.observed.outcome === "pass" ? "PASS" : input.observed.outcome === "fail" ? "FAIL" : "INCONCLUSIVE";
    reasons.unshift(...input.observed.reasons.map((r) => `observed: ${r}`));
  }
  const inconclusive = verdict.outcomes.filter((o) => o.result.verdict === "unknown").reduce((sum, o) => sum + o.represents, 0);
  return {
    result,
    reasons,
    modelResult,
    tenants: s.tenants,
    classes: verdict.classes.length,
    grouped: verdict.grouped,
    probes: s.probes,
    attacks: s.attacks,
    attacksBlocked: s.attacks - s.attacksAllowed,
    positiveControls: s.positiveControls,
    positiveControlsPassed: s.positiveControls - s.positiveControlsFailed,
    violations: s.violations,
    minDefenseInDepth: s.minDefenseInDepth,
    requiredDefenseInDepth: REQUIRED_DEFENSE_IN_DEPTH,
    weakAttacks: s.weakAttacks,
    grantedPortAttacks: s.grantedPortAttacks,
    minDefenseInDepthOnGrantedPorts: s.minDefenseInDepthOnGrantedPorts,
    ablated: [...verdict.ablated],
    standIns: verdict.probeStandIns,
    standInNotice: verdict.probeStandIns ? standInNotice(verdict) : null,
    meshAbsentNotice: input.observed?.meshAbsent ? meshAbsentSentence(input.observed.meshAbsent) : verdict.absent ? meshAbsentNotice(verdict.absent) : null,
    inconclusiveProbes: inconclusive,
    warnings: [...verdict.warnings],
    observed: observedHeader(input, disagreements, unplaced),
  };
}

function classLabel(tenants: string[]): string {
  return tenants.length === 1 ? tenants[0] : `${tenants[0]} +${tenants.length - 1}`;
}

/** The page's data: header, legend, classes, the run-length-encoded grid of cell views, probe rows. */
export function buildReportPageData(input: ReportInput): ReportPageData {
  const { verdict } = input;
  const n = verdict.classes.length;
  const observedById = new Map((input.observed?.probes ?? []).map((p) => [p.id, p]));
  const usedObservations = new Set<string>();

  const outcomesByCell = new Map<string, ProbeOutcome[]>();
  const unplacedOutcomes: string[] = [];
  for (const outcome of verdict.outcomes) {
    const key = cellKey(verdict, outcome);
    if (key === undefined) {
      unplacedOutcomes.push(outcome.probe.id);
      continue;
    }
    const list = outcomesByCell.get(key) ?? [];
    list.push(outcome);
    outcomesByCell.set(key, list);
  }
  const cellsByKey = mergeCellsByKey(verdict.cells);

  const pairInterner = new Interner<[string, string]>();
  const rowsOf = (key: string, cell: ClassCell | undefined, representatives: Record<string, [string, string]>, defaults: [string, string]): { rows: ProbeRow[]; pairs: (number | null)[] } => {
    const attacker = cell?.attacker ?? defaults[0];
    const victim = cell?.self ? attacker : (cell?.victim ?? defaults[1]);
    if (cell && (attacker !== defaults[0] || victim !== defaults[1])) representatives[key] = [attacker, victim];
    const rows: ProbeRow[] = [];
    const pairs: (number | null)[] = [];
    for (const outcome of outcomesByCell.get(key) ?? []) {
      const observed = observedById.get(outcome.probe.id);
      if (observed) usedObservations.add(observed.id);
      // A cross row of another evaluated pair than the representative one (pair classes) is stored
      // with its own names as placeholders, and its pair beside it.
      const own = !cell?.self && (outcome.probe.attacker !== attacker || outcome.probe.victim !== victim) && verdict.classOf[outcome.probe.attacker] !== undefined && verdict.classOf[outcome.probe.victim] !== undefined;
      rows.push(own ? probeRow(outcome, outcome.probe.attacker, outcome.probe.victim, observed) : probeRow(outcome, attacker, victim, observed));
      pairs.push(own ? pairInterner.add([outcome.probe.attacker, outcome.probe.victim]) : null);
    }
    return { rows, pairs };
  };

  const rowInterner = new Interner<ProbeRow>();
  const viewInterner = new Interner<CellView>();
  const representatives: Record<string, [string, string]> = {};
  const cellInputs: CellInput[] = [];
  for (let a = 0; a < n; a++) {
    const members = verdict.classes[a].tenants;
    for (let v = 0; v < n; v++) {
      const victims = verdict.classes[v].tenants;
      const crossKey = `${a},${v}`;
      const cross = cellsByKey.get(crossKey);
      const crossDefaults: [string, string] = a === v ? [members[0], members[1] ?? members[0]] : [members[0], victims[0]];
      const crossed = cross || outcomesByCell.has(crossKey) ? rowsOf(crossKey, cross, representatives, crossDefaults) : { rows: [], pairs: [] };
      const selfKey = `${a},self`;
      const controlRows = a === v ? rowsOf(selfKey, cellsByKey.get(selfKey), representatives, [members[0], members[0]]).rows : [];
      cellInputs.push({ diagonal: a === v, cross, self: a === v ? cellsByKey.get(selfKey) : undefined, crossRows: crossed.rows, crossPairs: crossed.pairs, controlRows, extraObserved: [] });
    }
  }
  // Observations of pairs the model grouped (not evaluated one by one) are listed, and still mark their cell.
  const unplacedObservations: ProbeEvidence[] = [];
  // Probes the run did not make (e.g. they need a mesh the cluster lacks) are listed on their own, with why.
  const notRunProbes: ReportPageData["notRunProbes"] = [];
  for (const observed of input.observed?.probes ?? []) {
    if (usedObservations.has(observed.id)) continue;
    if (observed.status === "skipped") {
      notRunProbes.push({ id: observed.id, from: observed.from, reason: observed.observed.reason });
      continue;
    }
    unplacedObservations.push(evidenceOf(observed, `in ${observed.from}: ${observed.url}`));
    const pair = pairOfId(observed.id, verdict);
    if (pair) cellInputs[pair.a * n + pair.v].extraObserved.push(observed);
  }
  const grid = cellInputs.map((cell) => viewInterner.add(cellView(verdict, cell, (row) => rowInterner.add(row))));
  const disagreements = cellInputs.reduce((sum, c) => sum + [...c.crossRows, ...c.controlRows].filter((r) => r.disagreement).length, 0);

  const header = summaryHeader(input, disagreements, unplacedObservations.length);
  if (unplacedOutcomes.length > 0) header.warnings.push(`${unplacedOutcomes.length} evaluated probe(s) name no tenant of the verdict and are not drawn: ${unplacedOutcomes.slice(0, 5).join(", ")}`);
  return {
    format: "hard-tenancy-report/1",
    title: input.title,
    mode: input.mode ?? (input.observed ? "live" : "offline"),
    generatedAt: input.generatedAt,
    header,
    layers: ENFORCEMENT_LAYERS.map((id) => ({ id, letter: LAYER_LETTERS[id], active: verdict.activeLayers.includes(id) })),
    legend: legend(),
    classes: verdict.classes.map((c) => ({ label: classLabel(c.tenants), tenants: [...c.tenants] })),
    grid: runLengthEncode(grid),
    representatives,
    pairs: pairInterner.items,
    views: viewInterner.items,
    probes: rowInterner.items,
    unplacedObservations,
    notRunProbes,
    controlPlane: [...(input.observed?.controlPlane ?? [])],
  };
}

/**
 * The verdict's cells by drawn position. With pair classes (lab/model/pair-classes.ts) several cells
 * share one attacker-class × victim-class position (the pairs without a grant, and each pair with
 * one): they are merged so the drawn cell is never better than its worst part — counts add up,
 * violations and weak attacks are united, a layer holds only where it holds in every part, and
 * the depth is the smallest.
 */
export function mergeCellsByKey(cells: readonly ClassCell[]): Map<string, ClassCell> {
  const byKey = new Map<string, ClassCell>();
  for (const c of cells) {
    const key = c.self ? `${c.attackerClass},self` : `${c.attackerClass},${c.victimClass}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? mergeTwoCells(seen, c) : c);
  }
  return byKey;
}

function mergeTwoCells(a: ClassCell, b: ClassCell): ClassCell {
  const x = a.cell;
  const y = b.cell;
  const holding = x.holdingLayers.filter((l) => y.holdingLayers.includes(l));
  const partial = [...new Set([...x.partialLayers, ...y.partialLayers, ...x.holdingLayers, ...y.holdingLayers])].filter((l) => !holding.includes(l));
  const depths = [x.minDefenseInDepth, y.minDefenseInDepth].filter((d): d is number => d !== null);
  return {
    ...a,
    represents: a.represents + b.represents,
    ...(a.pairs || b.pairs ? { pairs: [...(a.pairs ?? []), ...(b.pairs ?? [])] } : {}),
    cell: {
      attacks: x.attacks + y.attacks,
      attacksBlocked: x.attacksBlocked + y.attacksBlocked,
      controls: x.controls + y.controls,
      controlsPassed: x.controlsPassed + y.controlsPassed,
      violations: [...new Set([...x.violations, ...y.violations])],
      holdingLayers: holding,
      partialLayers: partial,
      minDefenseInDepth: depths.length > 0 ? Math.min(...depths) : null,
      weakAttacks: [...new Set([...x.weakAttacks, ...y.weakAttacks])],
      probes: [...x.probes, ...y.probes],
    },
  };
}
