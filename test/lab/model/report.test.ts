import { strict as assert } from "node:assert";
import { cellLabel, formatProbeResultsTable } from "../../../lab/model/report";
import type { CellProbe, CellVerdict, ClassCell } from "../../../lab/model/verdict-types";

function cell(overrides: Partial<CellVerdict>, self = false): ClassCell {
  const base: CellVerdict = {
    attacks: 4,
    attacksBlocked: 4,
    controls: 0,
    controlsPassed: 0,
    violations: [],
    holdingLayers: [],
    partialLayers: [],
    minDefenseInDepth: null,
    weakAttacks: [],
    probes: [],
  };
  return { attackerClass: 0, victimClass: self ? 0 : 1, self, attacker: "a", victim: self ? "a" : "b", represents: 1, cell: { ...base, ...overrides } };
}

describe("verdict report", () => {
  it("writes a layer that blocks every attack of a cell in upper case, some in lower case, none as a dot", () => {
    const label = cellLabel(cell({ holdingLayers: ["networkPolicy", "calico", "authorization"], partialLayers: ["peerAuthentication"], minDefenseInDepth: 3 }));
    assert.equal(label, "NC·pA 3");
  });

  it("flags violations, attacks below their required depth and grants in a cell", () => {
    const grantProbe = { category: "grant" } as CellProbe;
    const label = cellLabel(cell({ holdingLayers: ["authorization"], minDefenseInDepth: 1, violations: ["x", "y"], weakAttacks: ["x"], probes: [grantProbe] }));
    assert.equal(label, "····A 1 g !2 w1");
  });

  it("shows a tenant's own cell as its positive controls passed out of total", () => {
    assert.equal(cellLabel(cell({ controls: 3, controlsPassed: 3 }, true)), "ok 3/3");
    assert.equal(cellLabel(cell({ controls: 3, controlsPassed: 2 }, true)), "FAIL 2/3");
  });

  it("tabulates probe results with one column per layer", () => {
    const table = formatProbeResultsTable([
      { id: "p1", verdict: "deny", layers: { networkPolicy: "deny", calico: "allow", peerAuthentication: "not-applicable" }, observation: "curl exit 28" },
    ]);
    const [header, row] = table.trimEnd().split("\n");
    assert.match(header, /^id\s+verdict\s+N\s+C\s+K\s+P\s+A\s+observation$/);
    assert.match(row, /^p1\s+deny\s+DENY\s+allow\s+-\s+-\s+-\s+curl exit 28$/);
  });
});
