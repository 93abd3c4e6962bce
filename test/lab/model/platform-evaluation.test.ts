import { strict as assert } from "node:assert";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { HEAP_PER_TENANT, VerdictBudgetError, verifyPlatform } from "../../../lab/model/platform";
import { syntheticConfig } from "../../fixtures/platform";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

describe("platform evaluation limits", () => {
  const spec = validatePlatformConfig(syntheticConfig(4));

  it("stops with what to narrow when the evaluation outgrows its heap budget, instead of a V8 heap crash", () => {
    // Enough for the rendering estimate, far below what the process already uses.
    const budget = spec.tenants.length * HEAP_PER_TENANT + 1;
    assert.throws(
      () => verifyPlatform(spec, { endpoints: labProbeEndpoints, heapBudgetBytes: budget }),
      (err: unknown) =>
        err instanceof VerdictBudgetError &&
        /the verdict needs more memory than its budget \(\d+ MiB heap\) after 1 of \d+ cells: 4 tenants, 4 tenant classes/.test(err.message) &&
        err.message.includes("--tenants a,b") &&
        err.message.includes("--no-ablation"),
    );
  });

  it("evaluates each attack once with --no-ablation and counts it, without a defense-in-depth figure", () => {
    const full = verifyPlatform(spec, { endpoints: labProbeEndpoints });
    const quick = verifyPlatform(spec, { endpoints: labProbeEndpoints, defenseInDepth: false });
    assert.equal(quick.defenseInDepthEvaluated, false);
    assert.equal(quick.summary.attacks, full.summary.attacks);
    assert.equal(quick.summary.attacksAllowed, full.summary.attacksAllowed);
    assert.equal(quick.summary.minDefenseInDepth, null);
    assert.ok(quick.outcomes.every((o) => o.defense === undefined));
  });
});
