// The report in a real browser: Debian's Chromium, headless, driven by playwright-core. Skips (and
// says why) where Chromium is not installed; .ci/run installs it when it runs as root.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { loadStackSpec } from "../../../../components/spec/stack-config";
import { validatePlatformConfig } from "../../../../components/spec/validate";
import { predictCatalogue, verifyPlatform } from "../../../../lab/model/platform";
import { labSettings } from "../../../../lab/plan/settings";
import { renderReportHtml, type RenderOptions } from "../../../../lab/report/html/render";
import type { ReportInput } from "../../../../lab/report/html/types";
import { runLiveCheck } from "../../../../lab/run/check";
import { chromiumUnavailable, launchChromium, openReport, watchPage, type BrowserSession, type PageWatch } from "../../../support/chromium";
import { labConfig, syntheticConfig } from "../../../fixtures/platform";
import { fakeCluster } from "../../run/fake-cluster";
import { labProbeEndpoints } from "../../../../lab/workloads/probe-endpoints";

const unavailable = chromiumUnavailable();

describe(unavailable ? `HTML report in Chromium (skipped: ${unavailable})` : "HTML report in Chromium", function () {
  this.timeout(120_000);
  let browser: BrowserSession;
  let dir: string;

  before(async function () {
    if (unavailable) this.skip();
    dir = mkdtempSync(join(tmpdir(), "ht-report-browser-"));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string, input: ReportInput, options: RenderOptions = {}): Promise<{ page: Page; watch: PageWatch }> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderReportHtml(input, options));
    const page = await browser.newPage();
    const watch = watchPage(page, `file://${file}`);
    await openReport(page, file);
    return { page, watch };
  }

  const generatedAt = "2026-12-01T00:00:00.000Z";
  const lab = validatePlatformConfig(labConfig());

  it("loads the lab report with no console error, no exception and no network request, one cell per tenant pair", async () => {
    const { page, watch } = await open("lab", { verdict: verifyPlatform(lab, { endpoints: labProbeEndpoints }), title: "stack lab", generatedAt });
    assert.deepEqual(watch, { consoleErrors: [], pageErrors: [], requests: [] });
    assert.equal(await page.locator("#heatmap .cell").count(), lab.tenants.length ** 2);
    assert.equal(await page.locator("#result").textContent(), "PASS");
    await page.close();
  });

  it("shows a cell's attacks, their blocking layers and each layer's verdict on click, and takes a screenshot", async () => {
    const { page, watch } = await open("lab-click", { verdict: verifyPlatform(lab, { endpoints: labProbeEndpoints }), title: "stack lab", generatedAt });
    await page.click("#heatmap .cell[data-a='1'][data-v='0']");
    assert.equal(await page.locator("#drill h3").first().textContent(), "globex → acme");
    const probes = await page.locator("#drill tr[data-probe]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-probe")));
    assert.ok(probes.includes("globex->acme/by-name/sidecar"), probes.join(", "));
    assert.ok(probes.some((id) => id?.startsWith("globex->acme/") && id.endsWith("/within")), "the grant's in-scope probe");
    const row = page.locator("#drill tr[data-probe='globex->acme/by-name/no-sidecar']");
    assert.match((await row.textContent()) ?? "", /deny: curl exit 56.*2 \(needs 2\): peerAuthentication, authorization/);
    assert.equal(await page.locator("#heatmap .cell.selected").count(), 1);
    const shot = join(dir, "lab.png");
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    assert.equal(png.subarray(1, 4).toString(), "PNG");
    assert.ok(png.length > 20_000, `screenshot of ${png.length} bytes`);
    assert.deepEqual(watch.consoleErrors, []);
    await page.close();
  });

  it("draws a platform on canvas above the DOM limit: colours by depth, a click on a pixel opens that cell, no DOM cell", async () => {
    const production = loadStackSpec({ stack: "production" });
    const { page, watch } = await open("production-canvas", { verdict: verifyPlatform(production, { endpoints: labProbeEndpoints }), title: "stack production", generatedAt }, { domClassLimit: 0 });
    assert.deepEqual(watch, { consoleErrors: [], pageErrors: [], requests: [] });
    assert.equal(await page.locator(".cell").count(), 0);
    const canvas = page.locator("#heatmap-canvas");
    const size = Number(await canvas.getAttribute("data-cell"));
    assert.equal(Number(await canvas.getAttribute("data-classes")), production.tenants.length);
    // acme → globex (row 0, column 1): every layer holds, 5 layers: the scale's darkest colour.
    const pixel = await page.evaluate(`[...document.getElementById("heatmap-canvas").getContext("2d").getImageData(${size + 2}, 2, 1, 1).data].slice(0, 3)`);
    assert.deepEqual(pixel, [0x41, 0x44, 0x87]);
    await canvas.click({ position: { x: size / 2, y: size + size / 2 } });
    assert.equal(await page.locator("#drill h3").first().textContent(), "globex → acme");
    assert.ok((await page.locator("#drill tr[data-probe]").count()) > 5);
    assert.ok(Number(await page.evaluate("document.querySelectorAll('*').length")) < 3000);
    await page.close();
  });

  it("highlights what a live run saw differently from the model, with the curl evidence", async () => {
    const spec = validatePlatformConfig(syntheticConfig(3));
    const predictions = predictCatalogue(spec, { endpoints: labProbeEndpoints });
    const breach = "t0001->t0003/by-name/no-sidecar";
    const cluster = fakeCluster(spec, predictions.map((p) => p.probe), { [breach]: { rc: 0, http: 200, body: JSON.stringify({ server: "hard-tenancy-echo", tenant: "t0003", workload: "echo", pod: "e" }) } });
    const io = { run: cluster.run, automation: () => Promise.reject(new Error("no Pulumi")), log: () => undefined, sleep: () => Promise.resolve(), now: () => new Date(generatedAt) };
    const { report } = await runLiveCheck(io, { spec, settings: labSettings(dir), predictions, command: "check" });
    const { page, watch } = await open("live", { verdict: verifyPlatform(spec, { endpoints: labProbeEndpoints }), title: "lab check", generatedAt, observed: report });
    assert.deepEqual(watch, { consoleErrors: [], pageErrors: [], requests: [] });
    assert.equal(await page.locator("#result").textContent(), "FAIL");
    await page.click("#heatmap .cell[data-a='0'][data-v='2']");
    const row = page.locator(`#drill tr[data-probe='${breach}']`);
    assert.equal(await row.getAttribute("class"), "disagreement violated");
    assert.match((await row.textContent()) ?? "", /✗ observed: breach ≠ disagrees.*breach: allow, http 200.*curl -q -s --noproxy '\*' --path-as-is http:\/\/echo\.tenant-t0003/);
    await page.close();
  });
});
