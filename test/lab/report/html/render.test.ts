import { strict as assert } from "node:assert";
import { validatePlatformConfig } from "../../../../components/spec/validate";
import { verifyPlatform } from "../../../../lab/model/platform";
import { renderReportHtml, scriptSafeJson } from "../../../../lab/report/html/render";
import { labProbeEndpoints } from "../../../../lab/workloads/probe-endpoints";
import { labConfig } from "../../../fixtures/platform";

describe("HTML report page", () => {
  const verdict = verifyPlatform(validatePlatformConfig(labConfig()), { endpoints: labProbeEndpoints });
  const input = { verdict, title: "stack <lab>", generatedAt: "2026-12-01T00:00:00.000Z" };
  const html = renderReportHtml(input);

  it("is one file that loads nothing: no src or href but a data: favicon, no url() in its style", () => {
    assert.match(html, /^<!doctype html>/);
    assert.deepEqual(html.match(/\b(?:src|href)\s*=\s*"[^"]*"/g), ['href="data:,"']);
    assert.doesNotMatch(html, /url\(|@import|https?:\/\//);
  });

  it("draws a small platform as DOM cells: one button per tenant pair, each with its text equivalent", () => {
    const cells = [...html.matchAll(/<button type="button" class="cell [^"]*" data-a="(\d+)" data-v="(\d+)"[^>]*aria-label="([^"]*)"/g)];
    assert.equal(cells.length, 9);
    const globexAcme = cells.find((c) => c[1] === "1" && c[2] === "0")!;
    assert.match(globexAcme[3], /^globex → acme: 1 layer behind the weakest attack; .*a grant opens a path here/);
    assert.match(html, /data-render="dom"/);
  });

  it("draws on canvas above the DOM limit, with no DOM cell at all", () => {
    const big = renderReportHtml(input, { domClassLimit: 2 });
    assert.match(big, /<canvas class="heatmap-canvas" id="heatmap-canvas" data-classes="3"/);
    assert.doesNotMatch(big, /class="cell /);
    assert.equal([...big.matchAll(/<canvas class="mini-canvas"/g)].length, 5);
    assert.match(big, /data-render="canvas"/);
  });

  it("serves a live-cluster audit too: same builder, mode audit, said in the page", () => {
    const audit = renderReportHtml({ ...input, mode: "audit" });
    assert.match(audit, /<body data-mode="audit"/);
    assert.match(audit, /live cluster audit: observed vs predicted/);
  });

  it("escapes what it writes into the page", () => {
    assert.match(html, /<h1>Isolation report: stack &lt;lab&gt;<\/h1>/);
    assert.equal(scriptSafeJson({ title: "</script><script>alert(1)</script>" }).includes("</script>"), false);
    assert.deepEqual(JSON.parse(scriptSafeJson({ s: "</script>\u2028" })), { s: "</script>\u2028" });
  });

  it("states the result, the depth and what was ablated or stood in, in the summary header", () => {
    assert.match(html, /<div class="result PASS" id="result">PASS<\/div>/);
    assert.match(html, /≥ 2 layers behind every network attack \(required 2\)/);
    assert.match(html, /<dt>ablated layers<\/dt><dd>none<\/dd>/);
    assert.match(html, /<dt>probe stand-ins<\/dt><dd>no: the stack&#39;s own demo workloads<\/dd>/);
  });
});
