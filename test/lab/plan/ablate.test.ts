import assert from "node:assert/strict";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { layerKey, parseLayer, planAblate } from "../../../lab/plan/ablate";
import { planCheck } from "../../../lab/plan/check";
import { labSettings } from "../../../lab/plan/settings";
import { buildProbeCatalogue } from "../../../lab/probes/catalogue";
import { syntheticConfig } from "../../fixtures/platform";

const settings = labSettings("/repo");

describe("lab ablate plan", () => {
  for (const tenants of [3, 20]) {
    it(`for ${tenants} tenants switches the layer off, redeploys, checks, then restores and redeploys`, () => {
      const spec = validatePlatformConfig(syntheticConfig(tenants));
      const check = planCheck({ spec, settings, catalogue: buildProbeCatalogue(spec), nonce: "ablatenonce" });
      const plan = planAblate(settings, "authorization", check, "true");
      assert.deepEqual(plan.before.map((s) => s.argv), [
        ["kubectl", "config", "current-context"],
        ["pulumi", "stack", "select", "--create", "lab", "--cwd", "/repo"],
        ["pulumi", "config", "get", "--path", "hard-tenancy:layers.authorization", "--stack", "lab"],
        ["pulumi", "config", "set-all", "--path", "--plaintext", "hard-tenancy:layers.authorization=false", "--stack", "lab"],
        ["pulumi", "up", "--yes", "--skip-preview", "--stack", "lab"],
      ]);
      assert.deepEqual(plan.restore.map((s) => s.argv), [
        ["pulumi", "config", "set-all", "--path", "--plaintext", "hard-tenancy:layers.authorization=true", "--stack", "lab"],
        ["pulumi", "up", "--yes", "--skip-preview", "--stack", "lab"],
      ]);
      const execs = plan.steps.filter((s) => s.argv.includes("exec"));
      assert.equal(execs.length, tenants * 3);
      assert.equal(plan.steps.length, plan.before.length + check.steps.length - 1 + plan.restore.length);
      assert.equal(plan.boundSeconds, check.boundSeconds);
    });
  }

  it("removes the key on restore when it was not set before", () => {
    const spec = validatePlatformConfig(syntheticConfig(3));
    const plan = planAblate(settings, "calico", planCheck({ spec, settings, catalogue: [], nonce: "ablatenonce" }));
    assert.deepEqual(plan.restore[0].argv, ["pulumi", "config", "rm", "--path", "hard-tenancy:layers.calico", "--stack", "lab"]);
    assert.deepEqual(plan.restore[0].automation, { op: "removeConfig", key: "hard-tenancy:layers.calico", path: true });
  });

  it("accepts only enforcement layers and names the valid ones otherwise", () => {
    assert.equal(parseLayer("peerAuthentication"), "peerAuthentication");
    assert.equal(layerKey("networkPolicy"), "hard-tenancy:layers.networkPolicy");
    assert.throws(() => parseLayer("quotas"), /"quotas" is not an enforcement layer; use one of networkPolicy, calico, clusterNetworkPolicy, peerAuthentication, authorization/);
    assert.throws(() => parseLayer(undefined), /layer: missing/);
  });
});
