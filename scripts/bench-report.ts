// HTML report benchmark: page size and load time in headless Chromium for the lab stack, the
// production stack and a 1,000-tenant heterogeneous platform (test/fixtures/heterogeneous-platform.ts,
// seeded; a stop-gap until issue 8's generator lands). Each page must stay under PAGE_BUDGET_BYTES,
// load (navigation until the page's script has drawn everything) under LOAD_BUDGET_MS, hold fewer
// than DOM_NODE_BUDGET elements, and make no network request and log no error. Without Chromium
// the load figures are skipped and say why. Called by scripts/bench.ts; runnable alone with
// `npm run bench:report` (BENCH_REPORT_TENANTS=N changes the big platform's size).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadStackSpec } from "../components/spec/stack-config";
import type { PlatformSpec } from "../components/spec/types";
import { validatePlatformConfig } from "../components/spec/validate";
import { verifyPlatform } from "../lab/model/platform";
import { renderReportHtml } from "../lab/report/html/render";
import { heterogeneousConfig } from "../test/fixtures/heterogeneous-platform";
import { chromiumUnavailable, launchChromium, openReport, watchPage, type BrowserSession } from "../test/support/chromium";
import { labProbeEndpoints } from "../lab/workloads/probe-endpoints";

export const PAGE_BUDGET_BYTES = 3 * 1024 ** 2;
export const LOAD_BUDGET_MS = 5_000;
export const DOM_NODE_BUDGET = 20_000;

interface PageMeasurement {
  name: string;
  tenants: number;
  classes: number;
  verdictMs: number;
  renderMs: number;
  bytes: number;
  render: string;
  load?: { ms: number; domNodes: number; problems: string[] };
}

async function measure(name: string, spec: PlatformSpec, dir: string, browser: BrowserSession | undefined): Promise<PageMeasurement> {
  const t0 = performance.now();
  const verdict = verifyPlatform(spec, { endpoints: labProbeEndpoints });
  const t1 = performance.now();
  const html = renderReportHtml({ verdict, title: name, generatedAt: new Date().toISOString() });
  const t2 = performance.now();
  const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, "-")}.html`);
  writeFileSync(file, html);
  const result: PageMeasurement = {
    name,
    tenants: spec.tenants.length,
    classes: verdict.classes.length,
    verdictMs: t1 - t0,
    renderMs: t2 - t1,
    bytes: Buffer.byteLength(html),
    render: /data-render="(\w+)"/.exec(html)?.[1] ?? "?",
  };
  if (browser) {
    const page = await browser.newPage();
    const watch = watchPage(page, `file://${file}`);
    const ms = await openReport(page, file);
    const domNodes = Number(await page.evaluate("document.querySelectorAll('*').length"));
    result.load = { ms, domNodes, problems: [...watch.consoleErrors, ...watch.pageErrors, ...watch.requests.map((r) => `request ${r}`)] };
    await page.close();
  }
  return result;
}

const kB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

/** Runs the benchmark, prints one PASS/FAIL line per figure; returns true if all pass. */
export async function benchReport(log: (line: string) => void = console.log): Promise<boolean> {
  const tenants = Number(process.env.BENCH_REPORT_TENANTS ?? 1000);
  const unavailable = chromiumUnavailable();
  const dir = mkdtempSync(join(tmpdir(), "ht-bench-report-"));
  const browser = unavailable ? undefined : await launchChromium();
  const runs: PageMeasurement[] = [];
  try {
    runs.push(await measure("stack lab", loadStackSpec({ stack: "lab" }), dir, browser));
    runs.push(await measure("stack production", loadStackSpec({ stack: "production" }), dir, browser));
    runs.push(await measure(`${tenants} heterogeneous tenants (seed 1)`, validatePlatformConfig(heterogeneousConfig(tenants)), dir, browser));
  } finally {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  log("report benchmark: verify --format html, opened in headless Chromium (load = navigation until the page's script has drawn)");
  log("platform                               tenants  classes  drawn   verdict ms  page ms  size        load ms  DOM nodes");
  for (const r of runs) {
    log(
      `${r.name.padEnd(38)} ${String(r.tenants).padStart(7)}  ${String(r.classes).padStart(7)}  ${r.render.padEnd(6)}  ${r.verdictMs.toFixed(0).padStart(10)}  ${r.renderMs.toFixed(0).padStart(7)}  ${kB(r.bytes).padStart(10)}  ${r.load ? r.load.ms.toFixed(0).padStart(7) : "skipped".padStart(7)}  ${r.load ? String(r.load.domNodes).padStart(9) : "-"}`,
    );
  }
  const checks: [string, boolean][] = [];
  for (const r of runs) {
    checks.push([`${r.name}: page ${kB(r.bytes)} (budget ${kB(PAGE_BUDGET_BYTES)})`, r.bytes < PAGE_BUDGET_BYTES]);
    if (r.load) {
      checks.push([`${r.name}: loads in ${r.load.ms.toFixed(0)} ms (budget ${LOAD_BUDGET_MS} ms) with ${r.load.domNodes} DOM nodes (budget ${DOM_NODE_BUDGET})`, r.load.ms < LOAD_BUDGET_MS && r.load.domNodes < DOM_NODE_BUDGET]);
      checks.push([`${r.name}: no network request, no console error${r.load.problems.length > 0 ? ` (${r.load.problems.slice(0, 3).join("; ")})` : ""}`, r.load.problems.length === 0]);
    }
  }
  for (const [label, ok] of checks) log(`${ok ? "PASS" : "FAIL"}  ${label}`);
  if (unavailable) log(`skip  load times: ${unavailable}`);
  return checks.every(([, ok]) => ok);
}

if (require.main === module) {
  benchReport().then(
    (ok) => (process.exitCode = ok ? 0 : 1),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
