// `lab ablate <layer>`: switch one enforcement layer off through the Automation API, redeploy,
// check against the model's prediction with that layer removed, then restore the previous config
// and redeploy, even when the check fails.
import { ENFORCEMENT_LAYERS, type EnforcementLayer } from "../../components/spec/types";
import type { CheckPlan } from "./check";
import type { LabSettings } from "./settings";
import { configKey, currentContextStep, isCurrentContextStep, getConfigStep, pulumiUpStep, removeConfigStep, selectStackStep, setConfigStep } from "./steps";
import type { Plan, PlanStep } from "./types";

export function parseLayer(value: string | undefined): EnforcementLayer {
  if (value && (ENFORCEMENT_LAYERS as readonly string[]).includes(value)) return value as EnforcementLayer;
  throw new Error(`layer: ${value === undefined ? "missing" : JSON.stringify(value)} is not an enforcement layer; use one of ${ENFORCEMENT_LAYERS.join(", ")}`);
}

export function layerKey(layer: EnforcementLayer): string {
  return configKey(`layers.${layer}`);
}

export interface AblatePlan extends Plan {
  /** Steps before the check (select, read, switch off, up). */
  before: PlanStep[];
  check: CheckPlan;
  /** Steps that always run after the check (restore, up). */
  restore: PlanStep[];
}

/** `previous`: the layer's value in the stack config before ablation (undefined = not set / unknown). */
export function planAblate(settings: LabSettings, layer: EnforcementLayer, check: CheckPlan, previous?: string): AblatePlan {
  const key = layerKey(layer);
  const before: PlanStep[] = [];
  if (!settings.contextExplicit) before.push(currentContextStep());
  before.push(
    selectStackStep(settings),
    getConfigStep(settings, key, `the current value of ${key}, to restore it afterwards (absent = default)`),
    setConfigStep(settings, { [key]: "false" }, `${key} to be false in the stack config`),
    pulumiUpStep(settings),
  );
  const restoreConfig =
    previous === undefined
      ? { ...removeConfigStep(settings, key, `${key} to be back to its default (it was not set before)`), when: "it was not set before ablation" }
      : setConfigStep(settings, { [key]: previous }, `${key} to be ${previous} again`);
  const restore = [restoreConfig, pulumiUpStep(settings)];
  const checkSteps = check.steps.filter((step) => !isCurrentContextStep(step));
  return {
    command: "ablate",
    before,
    check,
    restore,
    steps: [...before, ...checkSteps, ...restore],
    boundSeconds: check.boundSeconds,
    notes: [
      `wait ${settings.settleSeconds} s after the up for proxies to receive the new policy, then check against predictCatalogue(spec, { ablate: ["${layer}"] })`,
      "restore runs even when the check fails",
      ...check.notes,
    ],
  };
}
