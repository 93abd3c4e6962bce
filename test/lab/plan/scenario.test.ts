import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { objectKey } from "../../../components/k8s/object";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { platformObjects } from "../../../lab/model/platform";
import { planCheck } from "../../../lab/plan/check";
import { planScenario } from "../../../lab/plan/scenario";
import { labSettings } from "../../../lab/plan/settings";
import { buildProbeCatalogue } from "../../../lab/probes/catalogue";
import { SCENARIOS } from "../../../lab/scenarios";
import { syntheticConfig } from "../../fixtures/platform";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

const settings = labSettings("/repo");
const CTX = ["kubectl", "--context", "kind-hard-tenancy-lab"];

function keysOf(yaml: string | undefined): string[] {
  return parseAllDocuments(yaml ?? "").map((d) => objectKey(d.toJSON()));
}

describe("lab scenario plan", () => {
  for (const tenants of [3, 20]) {
    const spec = validatePlatformConfig(syntheticConfig(tenants));
    const objects = platformObjects(spec, labProbeEndpoints);
    const check = planCheck({ spec, settings, catalogue: buildProbeCatalogue(spec), nonce: "scenarionce" });
    for (const scenario of SCENARIOS) {
      it(`for ${tenants} tenants, ${scenario.name}: applies the added objects, deletes the removed ones, checks, then deletes the added and re-deploys with --refresh`, () => {
        const change = scenario.apply(objects, spec);
        const plan = planScenario(settings, { name: scenario.name, added: change.added, removed: change.removed }, check);
        const addedKeys = change.added.map(objectKey);
        const removedOnly = change.removed.map(objectKey).filter((k) => !addedKeys.includes(k));
        const expectedBefore = [
          ["kubectl", "config", "current-context"],
          ...(addedKeys.length ? [[...CTX, "apply", "-f", "-"]] : []),
          ...(removedOnly.length ? [[...CTX, "delete", "--ignore-not-found", "--wait=true", "-f", "-"]] : []),
        ];
        assert.deepEqual(plan.before.map((s) => s.argv), expectedBefore);
        const apply = plan.before.find((s) => s.argv.includes("apply"));
        if (apply) assert.deepEqual(keysOf(apply.stdin), addedKeys);
        const del = plan.before.find((s) => s.argv.includes("delete"));
        if (del) assert.deepEqual(keysOf(del.stdin), removedOnly);
        assert.deepEqual(plan.restore.map((s) => s.argv), [
          ...(addedKeys.length ? [[...CTX, "delete", "--ignore-not-found", "--wait=true", "-f", "-"]] : []),
          ["pulumi", "stack", "select", "--stack", "lab", "--cwd", "/repo"],
          ["pulumi", "up", "--yes", "--skip-preview", "--refresh", "--config-file", "/repo/.lab/Pulumi.lab.yaml", "--stack", "lab"],
        ]);
        assert.equal(plan.steps.filter((s) => s.argv.includes("exec")).length, tenants * 3);
      });
    }
  }
});
