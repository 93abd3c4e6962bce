import assert from "node:assert/strict";
import { summarise } from "../../../lab/model/cells";
import type { ProbeOutcome } from "../../../lab/model/verdict-types";
import type { CataloguedProbe } from "../../../lab/probes/types";

function attack(id: string, category: CataloguedProbe["category"], count: number, required: number): ProbeOutcome {
  const probe = { id, category, intent: "deny", from: "a/client", to: { service: "b/echo", port: 80 }, protocol: "HTTP", description: id } as unknown as CataloguedProbe;
  return {
    probe,
    result: { id, verdict: count > 0 ? "deny" : "allow", layers: {}, observation: "x" },
    met: count > 0,
    defense: { blockingLayers: [], count, required, holdsWithout: {} },
    represents: 1,
  };
}

describe("verdict summary", () => {
  it("takes the defense-in-depth minimum over every attack that requires two layers, so it agrees with the attacks listed below it", () => {
    const s = summarise(2, [attack("cross", "cross-tenant", 3, 2), attack("shared", "shared-service", 0, 2)]);
    assert.equal(s.minDefenseInDepth, 0);
    assert.equal(s.weakAttacks, 1);
    assert.equal(s.defenseInDepthMet, false);
  });
});
