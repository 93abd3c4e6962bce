import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validatePlatformConfig } from "../../../../components/spec/validate";
import { loadStackSpec } from "../../../../components/spec/stack-config";
import { platformObjects, predictCatalogue, verifyPlatform } from "../../../../lab/model/platform";
import { cellLabel } from "../../../../lab/model/report";
import type { PlatformVerdict } from "../../../../lab/model/verdict-types";
import { labSettings } from "../../../../lab/plan/settings";
import { buildReportPageData, mergeCellsByKey, runLengthDecode, runLengthEncode } from "../../../../lab/report/html/page-data";
import { depthTone } from "../../../../lab/report/html/palette";
import { fillNames } from "../../../../lab/report/html/rows";
import type { ReportPageData } from "../../../../lab/report/html/types";
import { runLiveCheck } from "../../../../lab/run/check";
import type { LabIO } from "../../../../lab/run/execute";
import { findScenario } from "../../../../lab/scenarios";
import { labConfig, syntheticConfig } from "../../../fixtures/platform";
import { fakeCluster, type Answer } from "../../run/fake-cluster";
import { labProbeEndpoints } from "../../../../lab/workloads/probe-endpoints";
import { heterogeneousConfig } from "../../../fixtures/heterogeneous-platform";

/** Decoded grid access and every probe id a page's cells name, filled with their evaluated pairs (as the page does). */
function inspect(data: ReportPageData) {
  const n = data.classes.length;
  const grid = runLengthDecode(data.grid);
  const viewAt = (a: number, v: number) => data.views[grid[a * n + v]];
  const pair = (key: string, fallback: [string, string]): [string, string] => data.representatives[key] ?? fallback;
  const ids: string[] = [];
  for (let a = 0; a < n; a++) {
    const members = data.classes[a].tenants;
    for (let v = 0; v < n; v++) {
      const view = viewAt(a, v);
      const [attacker, victim] = pair(`${a},${v}`, a === v ? [members[0], members[1] ?? members[0]] : [members[0], data.classes[v].tenants[0]]);
      ids.push(
        ...view.probes.map((i, k) => {
          // A row of another evaluated pair than the cell's (pair classes) carries its own.
          const own = view.probePairs?.[k];
          const [rowAttacker, rowVictim] = own === null || own === undefined ? [attacker, victim] : data.pairs[own];
          return fillNames(data.probes[i].id, rowAttacker, rowVictim);
        }),
      );
      const [self] = pair(`${a},self`, [members[0], members[0]]);
      ids.push(...view.controlProbes.map((i) => fillNames(data.probes[i].id, self, self)));
    }
  }
  return { n, grid, viewAt, ids };
}

function page(verdict: PlatformVerdict): ReportPageData {
  return buildReportPageData({ verdict, title: "test", generatedAt: "2026-12-01T00:00:00.000Z" });
}

describe("HTML report data", () => {
  const lab = validatePlatformConfig(labConfig());
  const labVerdict = verifyPlatform(lab, { endpoints: labProbeEndpoints });
  const labPage = page(labVerdict);
  const index = (name: string): number => labPage.classes.findIndex((c) => c.tenants[0] === name);

  it("has one cell per tenant pair, the diagonal holding each tenant's positive controls", () => {
    const { n, grid, viewAt } = inspect(labPage);
    assert.equal(n, 3);
    assert.equal(grid.length, 9);
    for (let t = 0; t < n; t++) {
      assert.equal(viewAt(t, t).tone, "controls-pass");
      assert.equal(viewAt(t, t).text, "✓ 3/3");
      // The three positive controls, plus the tenant's API-server probe (its reach to the platform).
      assert.equal(viewAt(t, t).controlProbes.length, 4);
    }
  });

  it("colours every other cell by the fewest layers behind its weakest network attack, and writes the layer letters of the terminal table", () => {
    const { viewAt } = inspect(labPage);
    for (const cell of labVerdict.cells.filter((c) => !c.self)) {
      const view = viewAt(cell.attackerClass, cell.victimClass);
      assert.equal(view.minDefenseInDepth, cell.cell.minDefenseInDepth);
      assert.equal(view.tone, depthTone(cell.cell.minDefenseInDepth!));
      assert.equal(view.letters, cellLabel(cell).split(" ")[0]);
    }
    assert.equal(viewAt(index("acme"), index("globex")).text, "4");
  });

  it("marks the granted pair: globex → acme relies on L7 alone on the granted port", () => {
    const view = inspect(labPage).viewAt(index("globex"), index("acme"));
    assert.deepEqual(view.marks, ["grant"]);
    assert.equal(view.text, "1 g");
    assert.equal(view.letters, "···pA");
    assert.match(view.description, /a grant opens a path here/);
    assert.ok(view.probes.map((i) => labPage.probes[i]).some((row) => row.category === "grant" && row.intent === "allow" && row.met));
  });

  it("lists every evaluated probe exactly once, with the evaluated pair's names filled back in", () => {
    const { ids } = inspect(labPage);
    assert.deepEqual([...ids].sort(), labVerdict.outcomes.map((o) => o.probe.id).sort());
  });

  it("gives each attack its blocking layers and each probe every layer's own verdict", () => {
    const { viewAt } = inspect(labPage);
    const rows = viewAt(index("acme"), index("initech")).probes.map((i) => labPage.probes[i]);
    const byName = rows.find((r) => r.kind === "by-name/sidecar")!;
    const outcome = labVerdict.outcomes.find((o) => o.probe.id === "acme->initech/by-name/sidecar")!;
    assert.deepEqual(byName.defense?.blockingLayers, outcome.defense?.blockingLayers);
    assert.equal(byName.layers.networkPolicy, outcome.result.layers.networkPolicy);
    assert.equal(fillNames(byName.description, "acme", "initech"), outcome.probe.description);
    assert.equal(byName.evidence, null);
  });

  it("takes the summary header from the verdict: counts, depth, result", () => {
    const h = labPage.header;
    const s = labVerdict.summary;
    assert.deepEqual(
      [h.result, h.tenants, h.probes, h.attacks, h.attacksBlocked, h.positiveControls, h.violations, h.minDefenseInDepth, h.grantedPortAttacks, h.standIns, h.observed],
      ["PASS", 3, s.probes, s.attacks, s.attacks, s.positiveControls, 0, 2, s.grantedPortAttacks, false, null],
    );
    assert.equal(labPage.mode, "offline");
  });

  it("shows an ablated layer as ablated in every cell, and the stand-ins of a stack without demo workloads", () => {
    const production = loadStackSpec({ stack: "production" });
    const data = page(verifyPlatform(production, { ablate: ["authorization"], endpoints: labProbeEndpoints }));
    const layer = data.layers.findIndex((l) => l.id === "authorization");
    assert.equal(data.layers[layer].active, false);
    assert.deepEqual(data.header.ablated, ["authorization"]);
    assert.ok(data.views.every((v) => v.layerStates[layer] === "ablated"));
    assert.equal(data.header.standIns, true);
    assert.match(data.header.standInNotice ?? "", /stand-ins/);
  });

  it("turns violated intents into violation cells and a FAIL result (scenario shared-service-open)", () => {
    const change = findScenario("shared-service-open").apply(platformObjects(lab, labProbeEndpoints), lab);
    const verdict = verifyPlatform(lab, { objects: change.objects });
    const data = page(verdict);
    const { viewAt } = inspect(data);
    assert.equal(data.header.result, "FAIL");
    assert.ok(data.header.violations > 0);
    for (const cell of verdict.cells.filter((c) => !c.self)) {
      const view = viewAt(cell.attackerClass, cell.victimClass);
      const violated = cell.cell.probes.filter((p) => p.intent === "deny" && !p.met).length;
      assert.equal(view.tone === "violation", violated > 0, `${cell.attacker} → ${cell.victim}`);
      if (violated > 0) {
        assert.ok(view.marks.includes("violation"));
        assert.match(view.text, new RegExp(`!${violated}`));
      }
    }
  });

  it("groups interchangeable tenants: one row per class, equal cells stored once, every evaluated probe still listed", () => {
    const spec = validatePlatformConfig(heterogeneousConfig(30, { seed: 3 }));
    const verdict = verifyPlatform(spec, { grouping: true, endpoints: labProbeEndpoints });
    const data = page(verdict);
    const { n, grid, ids } = inspect(data);
    assert.equal(n, verdict.classes.length);
    assert.ok(n > 1 && n < 30, `${n} classes`);
    assert.equal(grid.length, n * n);
    assert.ok(data.views.length < n * n, `${data.views.length} views for ${n * n} cells`);
    assert.deepEqual([...ids].sort(), verdict.outcomes.map((o) => o.probe.id).sort());
    const big = data.classes.find((c) => c.tenants.length > 1)!;
    assert.equal(big.label, `${big.tenants[0]} +${big.tenants.length - 1}`);
    assert.equal(data.header.grouped, true);
  });

  describe("in live mode (lab check)", () => {
    const spec = validatePlatformConfig(syntheticConfig(3));
    const verdict = verifyPlatform(spec, { endpoints: labProbeEndpoints });
    const predictions = predictCatalogue(spec, { endpoints: labProbeEndpoints });
    let root: string;
    beforeEach(() => (root = mkdtempSync(join(tmpdir(), "ht-html-"))));
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    async function observe(overrides: Record<string, Answer>) {
      const cluster = fakeCluster(spec, predictions.map((p) => p.probe), overrides);
      const io: LabIO = { run: cluster.run, automation: () => assert.fail("no Pulumi"), log: () => undefined, sleep: () => Promise.resolve(), now: () => new Date("2026-12-01T10:00:00Z") };
      return (await runLiveCheck(io, { spec, settings: labSettings(root), predictions, command: "check" })).report;
    }

    it("attaches each observation to its probe with the curl it ran, and marks breaches and disagreements", async () => {
      const breach = "t0001->t0003/by-name/no-sidecar";
      const report = await observe({ [breach]: { rc: 0, http: 200, body: JSON.stringify({ server: "hard-tenancy-echo", tenant: "t0003", workload: "echo", pod: "e" }) } });
      const data = buildReportPageData({ verdict, title: "lab check", generatedAt: report.finishedAt, observed: report });
      const { viewAt } = inspect(data);
      const view = viewAt(0, 2);
      assert.equal(view.tone, "violation");
      assert.ok(view.marks.includes("breach") && view.marks.includes("disagreement"));
      const row = view.probes.map((i) => data.probes[i]).find((r) => r.kind === "by-name/no-sidecar")!;
      assert.equal(row.disagreement, true);
      assert.equal(row.evidence?.status, "breach");
      assert.equal(row.evidence?.httpCode, 200);
      assert.match(row.evidence?.command ?? "", /^in tenant-t0001\/debug: curl -q -s --noproxy '\*' --path-as-is http:\/\/echo\.tenant-t0003\.svc\.cluster\.local:80\/$/);
      assert.equal(data.header.result, "FAIL");
      assert.equal(data.header.observed?.breaches, 1);
      assert.equal(data.mode, "live");
      assert.ok(data.controlPlane.length > 0);
      assert.equal(viewAt(1, 0).marks.includes("breach"), false);
    });

    it("lists observations that match no evaluated probe instead of dropping them, and still marks their cell", async () => {
      const report = await observe({});
      const extra = { ...report.probes[0], id: "t0002->t0001/made-up-probe", status: "breach" as const };
      const data = buildReportPageData({ verdict, title: "lab check", generatedAt: report.finishedAt, observed: { ...report, probes: [...report.probes, extra] } });
      assert.equal(data.unplacedObservations.length, 1);
      assert.equal(data.header.observed?.unplaced, 1);
      assert.ok(inspect(data).viewAt(1, 0).marks.includes("breach"));
    });
  });

  it("run-length encodes the grid losslessly", () => {
    const values = [3, 3, 3, 1, 0, 0, 3];
    assert.deepEqual(runLengthEncode(values), [3, 3, 1, 1, 0, 2, 3, 1]);
    assert.deepEqual(runLengthDecode(runLengthEncode(values)), values);
  });
});

describe("HTML report data on pair classes", () => {
  it("draws several cells of one class pair as one, never better than its worst part", () => {
    const cell = (holding: string[], depth: number | null, violations: string[], pairs?: [string, string][]) => ({
      attackerClass: 0,
      victimClass: 1,
      self: false,
      attacker: "a",
      victim: "b",
      represents: pairs ? pairs.length : 10,
      ...(pairs ? { pairs } : {}),
      cell: { attacks: 4, attacksBlocked: 4 - violations.length, controls: 0, controlsPassed: 0, violations, holdingLayers: holding, partialLayers: [], minDefenseInDepth: depth, weakAttacks: [], probes: [] },
    });
    const merged = mergeCellsByKey([cell(["networkPolicy", "calico", "authorization"], 4, []), cell(["networkPolicy", "authorization"], 1, ["grant-beyond-scope"], [["c", "b"]])] as never).get("0,1")!;
    assert.deepEqual(merged.cell.holdingLayers, ["networkPolicy", "authorization"]);
    assert.deepEqual(merged.cell.partialLayers, ["calico"]);
    assert.equal(merged.cell.minDefenseInDepth, 1);
    assert.deepEqual(merged.cell.violations, ["grant-beyond-scope"]);
    assert.equal(merged.represents, 11);
    assert.deepEqual(merged.pairs, [["c", "b"]]);
  });
});
