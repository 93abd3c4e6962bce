// Shapes of the HTML isolation report: what goes in (a platform verdict, optionally what a live run
// observed) and the compact, JSON-serialisable data the page is drawn from (embedded in the page).
import type { ProbeStatus } from "../../check/compare";
import type { LayerId, Verdict } from "../../probes/types";
import type { PlatformVerdict } from "../../model/verdict-types";
import type { ProbeReportEntry } from "../report";

/** offline: the model's verdict only; live: `lab check` (observed vs predicted); audit: a real cluster. */
export type ReportMode = "offline" | "live" | "audit";

/** One probe as a live run saw it: `lab check`'s report.json probe entries (an audit writes the same). */
export type ObservedProbe = Pick<ProbeReportEntry, "id" | "from" | "url" | "status" | "observed" | "blockingLayers" | "observationMatchesPrediction">;

/** A non-probe check of a live run (RBAC, admission, token mounts). */
export interface ObservedCheck {
  id: string;
  description: string;
  expected: string;
  observed: string;
  status: ProbeStatus;
}

/** What a live run observed. `lab check`'s CheckReport satisfies it. */
export interface ObservedRun {
  outcome: "pass" | "fail" | "inconclusive";
  reasons: string[];
  context: string;
  startedAt: string;
  finishedAt: string;
  probes: ObservedProbe[];
  controlPlane: ObservedCheck[];
  /** Parts of the run that did not run at all, with why (absent: everything ran). */
  notRun?: string[];
  /** The cluster runs no mesh: the layers it lacks and why (`lab check`'s CheckReport.meshAbsent). */
  meshAbsent?: { reason: string; layers: string[] };
}

export interface ReportInput {
  /** The model's verdict (in live and audit mode: the prediction the observations are compared with). */
  verdict: PlatformVerdict;
  /** What was verified, e.g. "stack lab" or "config prod.yaml". */
  title: string;
  /** ISO time the report was made. */
  generatedAt: string;
  /** Default: "live" with observations, "offline" without. */
  mode?: ReportMode;
  observed?: ObservedRun;
}

/** Colour classes of a heatmap cell; every one has a colour, a text mark and a legend line. */
export type Tone = "violation" | "controls-pass" | "controls-fail" | "no-attacks" | "depth-0" | "depth-1" | "depth-2" | "depth-3" | "depth-4" | "depth-5";

/** What one layer on its own does in a cell: blocks every network attack, some, none; ablated; or there is nothing to block. */
export type LayerState = "all" | "some" | "none" | "ablated" | "n/a";

/** A mark drawn over a cell's colour (each also written out in the cell's text). */
export type CellMark = "grant" | "violation" | "weak" | "breach" | "disagreement" | "unknown" | "controls-failed";

type ObservedFields = ProbeReportEntry["observed"];

/** The evidence of one observed probe (live and audit mode): what ran, where, and what came back. */
export interface ProbeEvidence extends Pick<ObservedProbe, "from" | "url" | "status">, ObservedFields {
  /** The command the run executed (curl argv, quoted), or a description for non-HTTP probes. */
  command: string;
}

/** One probe of a cell, names taken out where the cell stands for several tenant pairs. */
export interface ProbeRow {
  /** Probe id of the evaluated (representative) pair, with "{attacker}"/"{victim}" standing for the pair's names. */
  id: string;
  kind: string;
  category: string;
  intent: "allow" | "deny";
  /** With the same placeholders as `id`. */
  description: string;
  predicted: { verdict: Verdict; observation: string };
  /** Per layer (ENFORCEMENT_LAYERS order): the layer's own verdict. */
  layers: Partial<Record<LayerId, string>>;
  /** Attacks: the layers that deny it alone, and how many it needs. */
  defense: { blockingLayers: LayerId[]; count: number; required: number } | null;
  met: boolean;
  /** Live/audit: what was observed (null: not observed). */
  evidence: ProbeEvidence | null;
  /** The observation contradicts the prediction (verdict or symptom family). */
  disagreement: boolean;
}

/** One heatmap cell's appearance and content. Equal cells share one view. */
export interface CellView {
  tone: Tone;
  /** Short text drawn in the cell (e.g. "4 g", "✓ 3/3", "! 2"). */
  text: string;
  /** Full sentence: the text equivalent of colour and marks. */
  description: string;
  marks: CellMark[];
  /** Per layer (ENFORCEMENT_LAYERS order). */
  layerStates: LayerState[];
  /** The layer states as the terminal table writes them: upper case = all, lower = some, · = none, × = ablated. */
  letters: string;
  minDefenseInDepth: number | null;
  attacks: number;
  attacksBlocked: number;
  controls: number;
  controlsPassed: number;
  /** Indexes into ReportPageData.probes: the tenant's own positive controls (diagonal only). */
  controlProbes: number[];
  /** Indexes into ReportPageData.probes: attacks and grant probes between the cell's pair. */
  probes: number[];
  /**
   * Parallel to `probes` (absent when all are null): the evaluated pair (index into
   * ReportPageData.pairs) a row's `{attacker}`/`{victim}` stand for, where it is not the cell's
   * representative pair — pair classes evaluate every pair with a grant on its own, and storing
   * those rows with their own names in place would keep equal rows from being stored once.
   */
  probePairs?: (number | null)[];
}

export interface SummaryHeader {
  result: "PASS" | "FAIL" | "INCONCLUSIVE";
  /** Why, in words (model result, observed outcome). */
  reasons: string[];
  modelResult: "PASS" | "FAIL";
  tenants: number;
  classes: number;
  grouped: boolean;
  probes: number;
  attacks: number;
  attacksBlocked: number;
  positiveControls: number;
  positiveControlsPassed: number;
  violations: number;
  minDefenseInDepth: number | null;
  requiredDefenseInDepth: number;
  weakAttacks: number;
  grantedPortAttacks: number;
  minDefenseInDepthOnGrantedPorts: number | null;
  ablated: LayerId[];
  standIns: boolean;
  standInNotice: string | null;
  /** Set when the evaluated or observed cluster runs no mesh: the sentence saying so. */
  meshAbsentNotice: string | null;
  /** Probes (expanded) the model or the run could not decide. */
  inconclusiveProbes: number;
  warnings: string[];
  observed: null | {
    context: string;
    startedAt: string;
    finishedAt: string;
    outcome: ObservedRun["outcome"];
    probes: number;
    passed: number;
    breaches: number;
    controlsFailed: number;
    unknown: number;
    /** Without a mesh: attacks only the absent mesh stops (seen as predicted), observations ≠ predictions, probes not run. */
    meshOnly: number;
    mismatches: number;
    skipped: number;
    disagreements: number;
    unplaced: number;
    controlPlane: number;
    controlPlanePassed: number;
  };
}

export interface LegendEntry {
  tone: Tone;
  colour: string;
  textColour: string;
  label: string;
}

export interface ReportPageData {
  format: "hard-tenancy-report/1";
  title: string;
  mode: ReportMode;
  generatedAt: string;
  header: SummaryHeader;
  layers: { id: LayerId; letter: string; active: boolean }[];
  legend: LegendEntry[];
  /** Heatmap rows/columns: classes of interchangeable tenants (one tenant each when not grouped). */
  classes: { label: string; tenants: string[] }[];
  /**
   * classes × classes view indexes, row-major (attacker row, victim column), run-length encoded as
   * [view, count, view, count, …]. The diagonal holds each class's positive controls (and the attacks
   * between its members, when it has several).
   */
  grid: number[];
  /**
   * Evaluated pairs that differ from the default representatives (cross cell: first tenant of each
   * class; diagonal: first → second tenant of the class; controls: first tenant), keyed "a,v" or "a,self".
   */
  representatives: Record<string, [string, string]>;
  /** Evaluated pairs that some rows stand for instead of their cell's representatives (see CellView.probePairs). */
  pairs: [string, string][];
  views: CellView[];
  probes: ProbeRow[];
  /** Live/audit: observations that match no predicted cell (listed, never dropped). */
  unplacedObservations: ProbeEvidence[];
  /** Live: probes the run did not make (status skipped), each with why (e.g. needs the mesh where there is none). */
  notRunProbes: { id: string; from: string; reason: string }[];
  controlPlane: ObservedCheck[];
}
