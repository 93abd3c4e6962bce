// `lab ablate <layer>`: deploy a copy of the working stack config with one enforcement layer off,
// check against the model's prediction with that layer removed, then redeploy the working copy,
// even when the check fails. No stack config is written through Pulumi: the committed
// stacks/Pulumi.<stack>.yaml is never touched, so an interrupted run leaves nothing to undo there.
import { ENFORCEMENT_LAYERS, type EnforcementLayer } from "../../components/spec/types";
import { guardedCheckPlan, type CheckPlan, type GuardedCheckPlan } from "./check";
import { ablatedStackConfigPath, workingStackConfigPath, writeAblatedConfigStep } from "./config-copy";
import type { LabSettings } from "./settings";
import { configKey, pulumiUpStep, selectStackStep } from "./steps";

export function parseLayer(value: string | undefined): EnforcementLayer {
  if (value && (ENFORCEMENT_LAYERS as readonly string[]).includes(value)) return value as EnforcementLayer;
  throw new Error(`layer: ${value === undefined ? "missing" : JSON.stringify(value)} is not an enforcement layer; use one of ${ENFORCEMENT_LAYERS.join(", ")}`);
}

export function layerKey(layer: EnforcementLayer): string {
  return configKey(`layers.${layer}`);
}

export type AblatePlan = GuardedCheckPlan;

export function planAblate(settings: LabSettings, layer: EnforcementLayer, check: CheckPlan): AblatePlan {
  const change = [writeAblatedConfigStep(settings, layer), selectStackStep(settings), pulumiUpStep(settings, ablatedStackConfigPath(settings, layer))];
  const restore = [{ ...pulumiUpStep(settings, workingStackConfigPath(settings)), waitsFor: `the stack to be back to the working copy (${layerKey(layer)} as before)` }];
  return guardedCheckPlan("ablate", settings, {
    change,
    check,
    restore,
    note: `wait ${settings.settleSeconds} s after the up for proxies to receive the new policy, then check against predictCatalogue(spec, { ablate: ["${layer}"] })`,
  });
}
