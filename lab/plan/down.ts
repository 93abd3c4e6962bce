// `lab down`: delete the lab's kind cluster (by name: never another cluster, whatever the current
// kube context), the lab's local Pulumi state and its working copies of the stack config. Reports are kept.
import { workingStackConfigPath } from "./config-copy";
import type { LabSettings } from "./settings";
import { kindDeleteClusterStep, kindGetClustersStep, stackInitDir } from "./steps";
import type { Plan } from "./types";

export function planDown(settings: LabSettings, facts: { clusterExists?: boolean } = {}): Plan {
  const steps = [kindGetClustersStep()];
  if (facts.clusterExists !== false) steps.push(kindDeleteClusterStep());
  return {
    command: "down",
    steps,
    notes: [
      `remove ${settings.stateDir} (the lab's local Pulumi state only; .lab/reports stays)`,
      `remove ${stackInitDir(settings)} (the program-less project lab up creates the stack from)`,
      `remove the working stack config copies (${workingStackConfigPath(settings)} and its .ablate-<layer> variants; lab up writes them again)`,
    ],
  };
}
