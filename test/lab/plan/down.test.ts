import assert from "node:assert/strict";
import { planDown } from "../../../lab/plan/down";
import { labSettings } from "../../../lab/plan/settings";

describe("lab down plan", () => {
  it("deletes only the lab cluster by name and removes only .lab/state and the working stack config copies", () => {
    const plan = planDown(labSettings("/repo"));
    assert.deepEqual(plan.steps.map((s) => s.argv), [
      ["kind", "get", "clusters"],
      ["kind", "delete", "cluster", "--name", "hard-tenancy-lab"],
    ]);
    assert.deepEqual(plan.notes, [
      "remove /repo/.lab/state (the lab's local Pulumi state only; .lab/reports stays)",
      "remove /repo/.lab/stack-init (the program-less project lab up creates the stack from)",
      "remove the working stack config copies (/repo/.lab/Pulumi.lab.yaml and its .ablate-<layer> variants; lab up writes them again)",
    ]);
  });

  it("skips the delete when kind does not list the cluster", () => {
    assert.deepEqual(planDown(labSettings("/repo"), { clusterExists: false }).steps.map((s) => s.argv), [["kind", "get", "clusters"]]);
  });
});
