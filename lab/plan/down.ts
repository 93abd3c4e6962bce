// `lab down`: delete the lab's kind cluster (by name: never another cluster, whatever the current
// kube context) and the lab's local Pulumi state. Reports are kept.
import type { LabSettings } from "./settings";
import { kindDeleteClusterStep, kindGetClustersStep } from "./steps";
import type { Plan } from "./types";

export function planDown(settings: LabSettings, facts: { clusterExists?: boolean } = {}): Plan {
  const steps = [kindGetClustersStep()];
  if (facts.clusterExists !== false) steps.push(kindDeleteClusterStep());
  return { command: "down", steps, notes: [`remove ${settings.stateDir} (the lab's local Pulumi state only; .lab/reports stays)`] };
}
