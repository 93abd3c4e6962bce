import { strict as assert } from "node:assert";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { verifyPlatform } from "../../../lab/model/platform";
import { verdictToJson } from "../../../lab/model/report";
import { formatProgress, streamVerdictJson } from "../../../lab/model/verdict-stream";
import { heterogeneousConfig } from "../../fixtures/heterogeneous-platform";
import { labConfig } from "../../fixtures/platform";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

describe("streamed verdict JSON", () => {
  for (const [name, config, grouping] of [
    ["the lab stack", labConfig(), false],
    ["a 30-tenant heterogeneous platform grouped into pair classes", heterogeneousConfig(30, { seed: 2, sharedServiceCount: 2 }), true],
  ] as const) {
    it(`writes ${name} in chunks that parse to the report verdictToJson builds in memory`, () => {
      const spec = validatePlatformConfig(config);
      const chunks: string[] = [];
      const streamed = streamVerdictJson(spec, { endpoints: labProbeEndpoints, grouping }, (chunk) => chunks.push(chunk));
      const expected = verdictToJson(verifyPlatform(spec, { endpoints: labProbeEndpoints, grouping }));
      const parsed = JSON.parse(chunks.join("")) as Record<string, unknown>;
      const { pairClasses, ...rest } = parsed;
      assert.equal(pairClasses, grouping ? true : undefined);
      assert.deepEqual(rest, expected);
      assert.deepEqual(streamed.outcomes.filter((o) => o.met), [], "passing outcomes are written, not kept");
    });
  }
});

describe("verdict progress line", () => {
  it("says how many cells are done, what they cover, the rate and the time left", () => {
    const line = formatProgress({ cellsDone: 250, cellsTotal: 1000, pairsDone: 600_000, pairsTotal: 1_000_000, probesEvaluated: 7500, elapsedMs: 2500 });
    assert.equal(line, "verify: 250/1,000 cells (25 %) covering 600,000/1,000,000 tenant pairs and controls, 7,500 probes evaluated (3,000/s), ETA 8 s\n");
  });
});
