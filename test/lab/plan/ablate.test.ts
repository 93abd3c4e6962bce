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
    it(`for ${tenants} tenants deploys a copy of the working config with the layer off, checks, then redeploys the working copy`, () => {
      const spec = validatePlatformConfig(syntheticConfig(tenants));
      const check = planCheck({ spec, settings, catalogue: buildProbeCatalogue(spec), nonce: "ablatenonce" });
      const plan = planAblate(settings, "authorization", check);
      assert.deepEqual(plan.before.map((s) => s.argv), [
        ["kubectl", "config", "current-context"],
        [], // in-process: the ablation copy
        ["pulumi", "stack", "select", "--stack", "lab", "--cwd", "/repo"],
        ["pulumi", "up", "--yes", "--skip-preview", "--config-file", "/repo/.lab/Pulumi.lab.ablate-authorization.yaml", "--stack", "lab"],
      ]);
      assert.deepEqual(plan.before[1].inProcess, {
        op: "writeStackConfigCopy",
        from: "/repo/.lab/Pulumi.lab.yaml",
        to: "/repo/.lab/Pulumi.lab.ablate-authorization.yaml",
        edits: [{ key: "hard-tenancy:layers", path: ["authorization"], value: false }],
        header: (plan.before[1].inProcess as { header: string }).header,
      });
      assert.deepEqual(plan.restore.map((s) => s.argv), [["pulumi", "up", "--yes", "--skip-preview", "--config-file", "/repo/.lab/Pulumi.lab.yaml", "--stack", "lab"]]);
      assert.deepEqual(plan.restore[0].automation, { op: "up", refresh: false, configFile: "/repo/.lab/Pulumi.lab.yaml" });
      const execs = plan.steps.filter((s) => s.argv.includes("exec"));
      assert.equal(execs.length, tenants * 3);
      assert.equal(plan.steps.length, plan.before.length + check.steps.length - 1 + plan.restore.length);
      assert.equal(plan.boundSeconds, check.boundSeconds);
    });
  }

  it("writes no stack config through Pulumi: every step is the copy, a select, an up, or the check", () => {
    const spec = validatePlatformConfig(syntheticConfig(3));
    const plan = planAblate(settings, "calico", planCheck({ spec, settings, catalogue: [], nonce: "ablatenonce" }));
    assert.deepEqual(plan.steps.filter((s) => s.automation).map((s) => s.automation!.op), ["selectStack", "up", "up"]);
    assert.ok(!plan.steps.some((s) => s.argv[0] === "pulumi" && s.argv[1] === "config"));
  });

  it("accepts only enforcement layers and names the valid ones otherwise", () => {
    assert.equal(parseLayer("peerAuthentication"), "peerAuthentication");
    assert.equal(layerKey("networkPolicy"), "hard-tenancy:layers.networkPolicy");
    assert.throws(() => parseLayer("quotas"), /"quotas" is not an enforcement layer; use one of networkPolicy, calico, clusterNetworkPolicy, peerAuthentication, authorization/);
    assert.throws(() => parseLayer(undefined), /layer: missing/);
  });
});
