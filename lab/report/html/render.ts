// The self-contained HTML isolation report: one file, inline CSS and script, the page's data
// embedded as JSON; no request leaves the page (no CDN, fonts, images; the favicon is a data URL).
//
// The reusable entry point for every producer: `verify --format html` (offline verdict), `lab
// check` (observed vs predicted) and a live-cluster audit (a verdict of the cluster's dump, plus
// what it observed, mode "audit"):
//
//   writeFileSync("report.html", renderReportHtml({ verdict, title, generatedAt, observed }));
//
// Small platforms get a DOM heatmap (one focusable cell per class pair, text in every cell);
// above DOM_CLASS_LIMIT classes the heatmap and the small multiples are drawn on canvases, so a
// 1,000-tenant page never holds more DOM nodes than it has classes' labels.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildReportPageData, runLengthDecode } from "./page-data";
import { classListSection, controlPlaneSection, escapeHtml, heatmapDom, legendSection, multiplesSection, notRunSection, summarySection, unplacedSection } from "./sections";
import type { ReportInput, ReportPageData } from "./types";
import { packRows } from "./row-codec";

/** Largest number of heatmap rows (classes) drawn as DOM cells; above it, canvas. */
export const DOM_CLASS_LIMIT = 40;

export interface RenderOptions {
  /** Override DOM_CLASS_LIMIT (tests draw small platforms on canvas with 0). */
  domClassLimit?: number;
}

function asset(name: string): string {
  return readFileSync(join(__dirname, name), "utf8");
}

/** JSON that is safe inside <script>: no "</script>", no "<!--", no U+2028/9 line breaks. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Canvas edge per class for an n × n canvas heatmap (at least 1 px, about 900 px wide). */
export function canvasCellSize(n: number): number {
  return Math.max(1, Math.min(28, Math.floor(900 / Math.max(1, n))));
}

function heatmapCanvas(data: ReportPageData): string {
  const n = data.classes.length;
  const size = canvasCellSize(n);
  const options = data.classes.map((c, i) => `<option value="${i}">${escapeHtml(c.label)}</option>`).join("");
  return `<form class="pick" id="pick" aria-label="choose a cell"><label>attacker <select id="pick-attacker">${options}</select></label>
<label>victim <select id="pick-victim">${options}</select></label><button type="submit">show cell</button></form>
<canvas class="heatmap-canvas" id="heatmap-canvas" data-classes="${n}" data-cell="${size}" width="${n * size}" height="${n * size}" aria-label="attacker × victim heatmap, ${n} × ${n} classes"></canvas>
<div id="hover-readout" aria-live="polite">Hover or click a cell; or choose attacker and victim above.</div>
<p class="axis-note">Rows: attacker class (top to bottom in the order of the class list); columns: victim class; ${n * n} cells, one per class pair.</p>`;
}

/** The page's data for a verdict (and observations), then the page. */
export function renderReportHtml(input: ReportInput, options: RenderOptions = {}): string {
  return renderReportPage(buildReportPageData(input), options);
}

export function renderReportPage(data: ReportPageData, options: RenderOptions = {}): string {
  const n = data.classes.length;
  const dom = n <= (options.domClassLimit ?? DOM_CLASS_LIMIT);
  const grid = runLengthDecode(data.grid);
  const modeWords = { offline: "offline model verdict", live: "live lab check: observed vs predicted", audit: "live cluster audit: observed vs predicted" }[data.mode];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hard-tenancy">
<title>Isolation report: ${escapeHtml(data.title)} — ${data.header.result}</title>
<link rel="icon" href="data:,">
<style>
${asset("page.css")}
</style>
</head>
<body data-mode="${data.mode}" data-render="${dom ? "dom" : "canvas"}">
<main>
<h1>Isolation report: ${escapeHtml(data.title)}</h1>
<p class="muted">${escapeHtml(modeWords)} · generated ${escapeHtml(data.generatedAt)} · hard-tenancy</p>
${summarySection(data)}
${legendSection(data)}
<h2>Attacker × victim</h2>
<div class="layout">
<div>${dom ? heatmapDom(data, grid) : heatmapCanvas(data)}
${classListSection(data)}</div>
<aside class="drill" id="drill" aria-live="polite"><h3>Drill-down</h3><p class="muted">Click a cell to see its attacks, which layers block each${data.mode === "offline" ? "" : ", the evidence of the run and where it disagrees with the model"}.</p></aside>
</div>
${multiplesSection(data, grid, dom)}
${controlPlaneSection(data)}
${unplacedSection(data)}
${notRunSection(data)}
<footer>One self-contained file: no network requests. Data format ${data.format}.</footer>
</main>
<script id="report-data" type="application/json">${scriptSafeJson({ ...data, probes: packRows(data.probes) })}</script>
<script type="module">
${asset("row-unpack.mjs")}
${asset("client.mjs")}
</script>
</body>
</html>
`;
}
