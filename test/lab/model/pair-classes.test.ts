import { strict as assert } from "node:assert";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { planPairClasses, planTenantClasses, tenantShape } from "../../../lab/model/pair-classes";
import { verifyPlatform } from "../../../lab/model/platform";
import { singletonClasses } from "../../../lab/model/tenant-classes";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";
import { heterogeneousConfig } from "../../fixtures/heterogeneous-platform";
import { syntheticConfig } from "../../fixtures/platform";

describe("pair classes", () => {
  it("classes tenants by the shared services they may call, whatever their quotas, labels or gateway ingress", () => {
    const config = syntheticConfig(4);
    config.tenants[1].quota = { pods: 7 };
    config.tenants[2].labels = { "example.com/team": "blue" };
    config.tenants[3].sharedServices = [];
    const spec = validatePlatformConfig(config);
    const shapes = spec.tenants.map((t) => tenantShape(spec, t));
    assert.equal(shapes[0], shapes[1]);
    assert.equal(shapes[0], shapes[2]);
    assert.notEqual(shapes[0], shapes[3]);
    assert.deepEqual(planPairClasses(spec).classes.map((c) => c.tenants.map((t) => t.name)), [["t0001", "t0002", "t0003"], ["t0004"]]);
  });

  it("never merges two tenants that differ only in apiServerAccess: their API-server controls have opposite intents", () => {
    const config = syntheticConfig(3, { grants: [] });
    config.tenants[1].apiServerAccess = true;
    const spec = validatePlatformConfig(config);
    assert.notEqual(tenantShape(spec, spec.tenants[0]), tenantShape(spec, spec.tenants[1]));
    assert.deepEqual(planPairClasses(spec).classes.map((c) => c.tenants.map((t) => t.name)), [["t0001", "t0003"], ["t0002"]]);
    const grouped = verifyPlatform(spec, { endpoints: labProbeEndpoints, grouping: true });
    const everyPair = verifyPlatform(spec, { endpoints: labProbeEndpoints, grouping: false });
    assert.deepEqual(grouped.summary, everyPair.summary);
    assert.equal(grouped.summary.positiveControls, 10);
  });

  it("stands every ordered pair for exactly one cell: class pairs count their pairs without a grant, granted pairs are listed", () => {
    const spec = validatePlatformConfig(heterogeneousConfig(40, { seed: 3 }));
    const plan = planPairClasses(spec);
    const controls = plan.cells.filter((c) => c.self).reduce((n, c) => n + c.represents, 0);
    const pairs = plan.cells.filter((c) => !c.self).reduce((n, c) => n + c.represents, 0);
    assert.equal(controls, 40);
    assert.equal(pairs, 40 * 39);
    const granted = new Set(spec.grants.map((g) => `${g.from}>${g.to}`));
    const listed = plan.cells.flatMap((c) => c.pairs ?? []).map(([a, v]) => `${a}>${v}`);
    assert.deepEqual([...new Set(listed)].sort(), [...granted].sort());
    assert.equal(listed.length, granted.size);
  });

  it("evaluates a class pair on a representative pair without a grant from attacker to victim", () => {
    const spec = validatePlatformConfig(heterogeneousConfig(40, { seed: 3 }));
    const granted = new Set(spec.grants.map((g) => `${g.from}>${g.to}`));
    for (const cell of planPairClasses(spec).cells.filter((c) => !c.self && !c.pairs)) {
      assert.notEqual(cell.attacker.name, cell.victim.name);
      assert.ok(!granted.has(`${cell.attacker.name}>${cell.victim.name}`), `${cell.attacker.name} -> ${cell.victim.name}`);
    }
  });

  it("puts granted pairs with the same grant scopes and shapes in one cell, and different scopes apart", () => {
    const config = syntheticConfig(4);
    config.grants = [
      { from: "t0001", to: "t0002", workload: "api", port: 9000, methods: ["GET"], paths: ["/v1/*"], reason: "same" },
      { from: "t0003", to: "t0004", workload: "api", port: 9000, methods: ["GET"], paths: ["/v1/*"], reason: "same" },
      { from: "t0002", to: "t0001", workload: "api", port: 9000, methods: ["POST"], paths: ["/v1/*"], reason: "other method" },
    ];
    const related = planPairClasses(validatePlatformConfig(config)).cells.filter((c) => c.pairs);
    assert.deepEqual(related.map((c) => c.pairs), [[["t0001", "t0002"], ["t0003", "t0004"]], [["t0002", "t0001"]]]);
    assert.deepEqual(related.map((c) => c.represents), [2, 1]);
  });

  it("plans a subset of the tenants only", () => {
    const spec = validatePlatformConfig(heterogeneousConfig(20, { seed: 5 }));
    const subset = spec.tenants.slice(0, 5);
    const plan = planPairClasses(spec, subset);
    assert.equal(plan.cells.filter((c) => !c.self).reduce((n, c) => n + c.represents, 0), 5 * 4);
    assert.ok(plan.cells.every((c) => subset.includes(c.attacker) && subset.includes(c.victim)));
  });

  it("with every tenant its own class, plans every ordered pair once (the full catalogue)", () => {
    const spec = validatePlatformConfig(syntheticConfig(3));
    const plan = planTenantClasses(singletonClasses(spec));
    assert.deepEqual(plan.cells.map((c) => `${c.attacker.name}>${c.victim.name}${c.self ? " self" : ""}`), [
      "t0001>t0001 self", "t0002>t0002 self", "t0003>t0003 self",
      "t0001>t0002", "t0001>t0003", "t0002>t0001", "t0002>t0003", "t0003>t0001", "t0003>t0002",
    ]);
  });
});
