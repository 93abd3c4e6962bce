// The platform verdict as streamed JSON, and progress lines for long verdicts. A big platform's
// probes are written as they are evaluated and never kept: memory follows the cells, not the
// probes. The document has the same fields as verdictToJson (report.ts); `summary`, the lists of
// failing probes and the warnings come last, once they are known.
import type { PlatformSpec } from "../../components/spec/types";
import { verifyPlatform, type VerdictPlan, type VerifyOptions } from "./platform";
import type { VerdictProgress } from "./platform-evaluation";
import { cellToJson, probeToJson, resultLine } from "./report";
import type { PlatformVerdict } from "./verdict-types";

const FLUSH_BYTES = 1 << 16;

/** Buffers small writes into chunks of about 64 KiB. */
export class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly write: (chunk: string) => void) {}

  add(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.write(this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
}

function headerJson(plan: VerdictPlan): string {
  const fields: Record<string, unknown> = {
    tenants: plan.tenants,
    ...(plan.platformTenants !== plan.tenants.length ? { platformTenants: plan.platformTenants } : {}),
    grouped: plan.grouped,
    ...(plan.pairClasses ? { pairClasses: true } : {}),
    probeStandIns: plan.probeStandIns,
    classes: plan.classes,
    ablated: plan.ablated,
    activeLayers: plan.activeLayers,
    ...(plan.absent ? { absent: plan.absent } : {}),
    ...(plan.conformance ? { conformance: plan.conformance } : {}),
  };
  return JSON.stringify(fields).slice(1, -1);
}

/**
 * Evaluates the platform and writes its JSON report through `write` while it runs (`leadingWarnings`,
 * e.g. the manifest loader's, come before the model's). Returns the verdict without the passing
 * outcomes (they were written, not kept).
 */
export function streamVerdictJson(
  spec: PlatformSpec,
  options: VerifyOptions,
  write: (chunk: string) => void,
  leadingWarnings: readonly string[] = [],
  /** Sets what the caller knows after the evaluation (a dump's missing layers, its schema check) before the tail is written. */
  decorate?: (verdict: PlatformVerdict) => void,
): PlatformVerdict {
  const out = new ChunkedWriter(write);
  let first = true;
  const verdict = verifyPlatform(spec, {
    ...options,
    keepOutcomes: false,
    onPlan: (plan) => {
      options.onPlan?.(plan);
      out.add(`{${headerJson(plan)},"probes":[`);
    },
    onOutcome: (outcome) => {
      options.onOutcome?.(outcome);
      out.add(`${first ? "" : ","}${JSON.stringify(probeToJson(outcome))}`);
      first = false;
    },
  });
  verdict.warnings = [...new Set([...leadingWarnings, ...verdict.warnings])];
  decorate?.(verdict);
  out.add(`],"cells":[`);
  verdict.cells.forEach((c, i) => out.add(`${i === 0 ? "" : ","}${JSON.stringify(cellToJson(c, verdict.defenseInDepthEvaluated))}`));
  const tail = {
    // What report.ts's verdictToJson puts in its head, known only now: stand-ins, missing layers, the result.
    probeStandIns: verdict.probeStandIns,
    standIns: verdict.standIns,
    missingLayers: verdict.missingLayers ?? [],
    ...(verdict.schema ? { schema: verdict.schema } : {}),
    result: resultLine(verdict),
    summary: verdict.summary,
    ...(verdict.defenseInDepthEvaluated ? {} : { defenseInDepth: "not evaluated (--no-ablation)" }),
    violations: verdict.violations.map((o) => o.probe.id),
    positiveControlFailures: verdict.positiveControlFailures.map((o) => o.probe.id),
    warnings: verdict.warnings,
  };
  out.add(`],${JSON.stringify(tail).slice(1)}\n`);
  out.flush();
  return verdict;
}

const count = (n: number): string => n.toLocaleString("en-US");

/** One progress line: cells done (each a class of pairs, or a pair), the pairs they stand for, rate, time left. */
export function formatProgress(p: VerdictProgress): string {
  const share = p.cellsTotal > 0 ? Math.floor((100 * p.cellsDone) / p.cellsTotal) : 100;
  const rate = p.elapsedMs > 0 ? (p.probesEvaluated * 1000) / p.elapsedMs : 0;
  const cellsLeft = p.cellsTotal - p.cellsDone;
  const eta = p.cellsDone > 0 ? Math.ceil(((p.elapsedMs / p.cellsDone) * cellsLeft) / 1000) : undefined;
  return `verify: ${count(p.cellsDone)}/${count(p.cellsTotal)} cells (${share} %) covering ${count(p.pairsDone)}/${count(p.pairsTotal)} tenant pairs and controls, ${count(p.probesEvaluated)} probes evaluated (${count(Math.round(rate))}/s), ETA ${eta === undefined ? "?" : `${eta} s`}\n`;
}
