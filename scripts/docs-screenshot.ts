// `npm run docs:screenshot`: regenerates docs/report-lab.png, a screenshot of the lab stack's offline
// HTML report in headless Chromium with the globex → acme cell open (the lab's one grant). Needs
// Debian's chromium (apt-get install -y chromium).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadStackSpec } from "../components/spec/stack-config";
import { verifyPlatform } from "../lab/model/platform";
import { renderReportHtml } from "../lab/report/html/render";
import { chromiumUnavailable, launchChromium, openReport, watchPage } from "../test/support/chromium";
import { labProbeEndpoints } from "../lab/workloads/probe-endpoints";

async function main(): Promise<number> {
  const unavailable = chromiumUnavailable();
  if (unavailable) {
    process.stderr.write(`docs:screenshot: ${unavailable}\n`);
    return 1;
  }
  const scratch = mkdtempSync(join(tmpdir(), "ht-docs-"));
  const html = join(scratch, "report-lab.html");
  const png = join(__dirname, "..", "docs", "report-lab.png");
  const verdict = verifyPlatform(loadStackSpec({ stack: "lab" }), { endpoints: labProbeEndpoints });
  writeFileSync(html, renderReportHtml({ verdict, title: "stack lab", generatedAt: new Date().toISOString().slice(0, 10) }));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ width: 1400, height: 1200 });
    const watch = watchPage(page, `file://${html}`);
    await openReport(page, html);
    await page.click("#heatmap .cell[data-a='1'][data-v='0']");
    await page.screenshot({ path: png, clip: { x: 0, y: 0, width: 1400, height: 1200 } });
    const problems = [...watch.consoleErrors, ...watch.pageErrors, ...watch.requests.map((r) => `request ${r}`)];
    if (problems.length > 0) {
      process.stderr.write(`docs:screenshot: the page misbehaved:\n${problems.map((p) => `  ${p}\n`).join("")}`);
      return 1;
    }
  } finally {
    await browser.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`wrote ${png}\n`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`docs:screenshot: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
