// `lab scenario <name>`: apply one of the article's misconfigurations by hand (kubectl apply of the
// scenario's added objects, kubectl delete of the removed ones), check against the model's
// prediction for the scenario's objects, then restore: delete what was added and `pulumi up
// --refresh` with the working stack config copy `lab up` wrote (refresh first, so Pulumi notices
// what was deleted by hand and re-creates it).
import { stringify } from "yaml";
import { objectKey, type K8sObject } from "../../components/k8s/object";
import { guardedCheckPlan, type CheckPlan, type GuardedCheckPlan } from "./check";
import { workingStackConfigPath } from "./config-copy";
import type { LabSettings } from "./settings";
import { kubectl, pulumiUpStep, selectStackStep } from "./steps";
import type { PlanStep } from "./types";

export interface ScenarioChange {
  name: string;
  added: K8sObject[];
  removed: K8sObject[];
}

export type ScenarioPlan = GuardedCheckPlan;

export function manifestsYaml(objects: readonly K8sObject[]): string {
  return objects.map((o) => stringify(o)).join("---\n");
}

export function planScenario(settings: LabSettings, change: ScenarioChange, check: CheckPlan): ScenarioPlan {
  const addedKeys = new Set(change.added.map(objectKey));
  // An object both removed and added is a modification: `apply` replaces it; deleting it first would only add churn.
  const removedOnly = change.removed.filter((o) => !addedKeys.has(objectKey(o)));
  const before: PlanStep[] = [];
  if (change.added.length > 0) {
    before.push({
      argv: kubectl(settings, "apply", "-f", "-"),
      stdin: manifestsYaml(change.added),
      waitsFor: `the API server to accept ${change.added.length} object(s): ${change.added.map(objectKey).join(", ")}`,
    });
  }
  if (removedOnly.length > 0) {
    before.push({
      argv: kubectl(settings, "delete", "--ignore-not-found", "--wait=true", "-f", "-"),
      stdin: manifestsYaml(removedOnly),
      waitsFor: `${removedOnly.length} object(s) to be gone: ${removedOnly.map(objectKey).join(", ")}`,
    });
  }
  const restore: PlanStep[] = [];
  if (change.added.length > 0) {
    restore.push({
      argv: kubectl(settings, "delete", "--ignore-not-found", "--wait=true", "-f", "-"),
      stdin: manifestsYaml(change.added),
      waitsFor: "the scenario's objects to be gone",
      mayFail: true,
    });
  }
  restore.push(selectStackStep(settings), pulumiUpStep(settings, workingStackConfigPath(settings), { refresh: true }));
  return guardedCheckPlan("scenario", settings, {
    change: before,
    check,
    restore,
    note: `scenario ${change.name}: wait ${settings.settleSeconds} s for proxies and policy agents, then check against predictCatalogue(spec, { objects: scenario objects })`,
  });
}
