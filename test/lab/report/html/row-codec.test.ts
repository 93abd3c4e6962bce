import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { validatePlatformConfig } from "../../../../components/spec/validate";
import { verifyPlatform } from "../../../../lab/model/platform";
import { buildReportPageData } from "../../../../lab/report/html/page-data";
import { packRows, type PackedRows } from "../../../../lab/report/html/row-codec";
import type { ProbeRow } from "../../../../lab/report/html/types";
import { labProbeEndpoints } from "../../../../lab/workloads/probe-endpoints";
import { heterogeneousConfig } from "../../../fixtures/heterogeneous-platform";
import { labConfig } from "../../../fixtures/platform";

/** The page's own unpacker (row-unpack.mjs), evaluated as the browser does. */
const unpackInPage = runInNewContext(`${readFileSync(join(__dirname, "../../../../lab/report/html/row-unpack.mjs"), "utf8")}; unpackRows;`) as (packed: PackedRows) => ProbeRow[];
// Objects made in the page's context have its prototypes: compared as plain JSON values.
const unpackRows = (packed: PackedRows): ProbeRow[] => JSON.parse(JSON.stringify(unpackInPage(packed))) as ProbeRow[];

describe("HTML report probe rows, packed for the page", () => {
  for (const [name, config] of [
    ["the lab stack", labConfig()],
    ["a 40-tenant heterogeneous platform with grants", heterogeneousConfig(40, { seed: 5 })],
  ] as const) {
    it(`unpack in the page to exactly the rows the data holds: ${name}`, () => {
      const verdict = verifyPlatform(validatePlatformConfig(config), { endpoints: labProbeEndpoints });
      const rows = buildReportPageData({ verdict, title: name, generatedAt: "2026-12-02T00:00:00Z" }).probes;
      assert.ok(rows.length > 10);
      assert.deepEqual(unpackRows(JSON.parse(JSON.stringify(packRows(rows))) as PackedRows), rows);
    });
  }

  it("keeps observed evidence and disagreements, and writes each layer's verdict as one letter", () => {
    const row: ProbeRow = {
      id: "{attacker}->{victim}/by-name/no-sidecar",
      kind: "by-name/no-sidecar",
      category: "cross-tenant",
      intent: "deny",
      description: "d",
      predicted: { verdict: "deny", observation: "curl exit 28" },
      layers: { networkPolicy: "deny", authorization: "not-applicable" },
      defense: { blockingLayers: ["networkPolicy"], count: 1, required: 2 },
      met: true,
      evidence: { status: "breach", verdict: "allow", observation: "http 200", layer: "none", reason: "r", httpCode: 200, exitCode: 0, errorMessage: "", body: "b", command: "c" } as never,
      disagreement: true,
    };
    const packed = packRows([row]);
    assert.equal(packed.rows[0][1], 0, "the kind is the id's tail: left out");
    assert.equal(packed.rows[0][7], "d---n");
    assert.deepEqual(unpackRows(packed), [row]);
  });
});
