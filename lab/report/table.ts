// The terminal table: one row per probe (source, target, intent, observed, layer, predicted, status),
// then the control-plane checks and the run's verdict.
import { serverSideEntry } from "../check/envoy-evidence";
import { meshAbsentSentence, type CheckReport } from "./report";

const STATUS_MARK: Record<string, string> = { pass: "ok", breach: "BREACH", "control-failed": "CONTROL FAILED", unknown: "??", skipped: "skipped", "mesh-only": "MESH ONLY", mismatch: "≠ MODEL" };

function pad(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function renderTable(report: CheckReport, options: { width?: number } = {}): string {
  const columns: [string, number][] = [
    ["probe", 44],
    ["intent", 6],
    ["observed", 32],
    ["layer(s)", 26],
    ["predicted", 32],
    ["status", 14],
  ];
  const maxWidth = options.width ?? 160;
  const line = (cells: string[]): string => columns.map(([, w], i) => pad(cells[i] ?? "", w)).join(" ").slice(0, maxWidth).trimEnd();
  const rows = [...(report.meshAbsent ? [meshAbsentSentence(report.meshAbsent), ""] : []), line(columns.map(([title]) => title)), line(columns.map(([, w]) => "-".repeat(w)))];
  for (const p of report.probes) {
    const layers = p.blockingLayers.length > 0 ? p.blockingLayers.join("+") : p.observed.layer === "none" ? "-" : p.observed.layer;
    const predicted = p.predicted ? `${p.predicted.observation}${p.observationMatchesPrediction === false ? " (differs)" : ""}` : "-";
    rows.push(line([p.id, p.intent, p.observed.observation, layers, predicted, STATUS_MARK[p.status] ?? p.status]));
  }
  const denials = report.probes.flatMap((p) => (p.observed.httpCode === 403 ? [{ id: p.id, server: serverSideEntry(p.observed.envoy) }] : []));
  if (denials.some((d) => d.server)) {
    rows.push("", "Envoy's response_code_details of each 403 (the server's sidecar, from its access log):");
    for (const d of denials) rows.push(`  ${pad(d.id, 44)} ${d.server ? `${d.server.responseCodeDetails} (${d.server.sidecar})` : "not in the server sidecar's access log"}`);
  }
  if (report.controlPlane.length > 0) {
    rows.push("", "control plane:");
    for (const c of report.controlPlane) rows.push(`  ${pad(STATUS_MARK[c.status] ?? c.status, 14)} ${c.description}: expected ${c.expected}, observed ${c.observed}`);
  }
  const s = report.summary;
  if (report.notRun.length > 0) rows.push("", "not run:", ...report.notRun.map((part) => `  ${part}`));
  if (report.predictionStandIns.length > 0) rows.push("", `STAND-INS: the model's predictions used stand-ins for ${report.predictionStandIns.length} workload(s): ${report.predictionStandIns.join(", ")}`);
  rows.push(
    "",
    `${report.outcome.toUpperCase()} (exit ${report.exitCode}): ${s.passed}/${s.probes} probes as intended, ${s.breaches} breach(es), ${s.controlsFailed} failed control(s), ${s.unknown} unclear, ${s.observationMismatches} differ from the model's observation${meshCounts(report)}; control plane ${s.controlPlanePassed}/${s.controlPlane}`,
    ...report.reasons.map((r) => `  - ${r}`),
  );
  return rows.join("\n");
}

/** Without a mesh: MESH ONLY = stopped only by the mesh (absent here), ≠ MODEL = observed ≠ predicted. */
function meshCounts(report: CheckReport): string {
  const s = report.summary;
  if (!report.meshAbsent) return "";
  return `, ${s.meshOnly ?? 0} stopped only by the mesh (absent here), ${s.mismatches ?? 0} observed ≠ predicted, ${s.skipped ?? 0} not run (need the mesh)`;
}
