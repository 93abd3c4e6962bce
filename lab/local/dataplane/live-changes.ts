// `lab ablate <layer>` and `lab scenario <name>` on the local backend: change the cluster for real
// (remove a layer's objects; apply a scenario's), wait until Felix has reprogrammed the node, check
// against the model of the changed objects without a mesh, then restore — always, even when the
// check fails — and wait for Felix again. The time from the change to Felix's first reprogramming
// is reported (the policy programming latency).
import type { K8sObject } from "../../../components/k8s/object";
import { objectKey } from "../../../components/k8s/object";
import { renderableObjects } from "../../../components/render";
import type { EnforcementLayer, PlatformSpec } from "../../../components/spec/types";
import type { LabSettings } from "../../plan/settings";
import type { LiveCheckResult } from "../../run/check";
import type { LabIO } from "../../run/execute";
import { findScenario } from "../../scenarios";
import { labProbeEndpoints } from "../../workloads/probe-endpoints";
import { planDeploy } from "../deploy";
import { localPaths } from "../paths";
import { layerObjects, nodeFilterRules, touchesL34, removeObjects, waitForReprogramming, writeObjects, type ObjectWriter } from "./changes";
import { kubectlRunner } from "./dataplane";
import { runDataplaneCheck } from "./live-check";

export interface LiveChangeContext {
  spec: PlatformSpec;
  settings: LabSettings;
  tools: { kubectl: string; calicoctl: string; coredns: string };
}

function writerFor(ctx: LiveChangeContext): ObjectWriter {
  const kubeconfig = localPaths(ctx.settings.labDir).kubeconfig;
  return { kubectl: kubectlRunner(ctx.tools, kubeconfig), calicoctl: ctx.tools.calicoctl, kubeconfig };
}

/** Applies `change`, runs `check`, then `restore` (always), each change followed by Felix's reprogramming. */
async function guarded(io: LabIO, what: string, change: () => Promise<boolean>, check: () => Promise<LiveCheckResult>, restore: () => Promise<void>): Promise<LiveCheckResult> {
  const before = await nodeFilterRules();
  const changed = await change();
  if (changed) {
    const programmed = await waitForReprogramming(before);
    io.log(`  ${what}: Felix reprogrammed the node ${programmed.firstChangeMs} ms after the change (settled after ${programmed.settledMs} ms)`);
  }
  try {
    return await check();
  } finally {
    const changedRules = await nodeFilterRules();
    await restore();
    if (changed) {
      const back = await waitForReprogramming(changedRules);
      io.log(`  restored: Felix reprogrammed the node ${back.firstChangeMs} ms after the restore`);
    }
  }
}

export async function localAblate(io: LabIO, ctx: LiveChangeContext, layer: EnforcementLayer): Promise<LiveCheckResult> {
  const objects = layerObjects(planDeploy(ctx.spec, undefined, { calico: "calicoctl" }), layer);
  if (objects.length === 0) io.log(`  layer ${layer} has no objects in this stack (layers.${layer} is off): nothing to remove, the check equals \`lab check\``);
  else io.log(`  removing the ${objects.length} object(s) of layer ${layer}: ${objects.map(objectKey).join(", ")}`);
  const writer = writerFor(ctx);
  return guarded(
    io,
    `ablate ${layer}`,
    async () => (objects.length > 0 ? (await removeObjects(writer, objects), true) : false),
    () => runDataplaneCheck(io, { spec: ctx.spec, settings: ctx.settings, corednsBinary: ctx.tools.coredns, command: `ablate ${layer} --backend local`, ablated: [layer] }),
    () => writeObjects(writer, objects),
  );
}

export async function localScenario(io: LabIO, ctx: LiveChangeContext, name: string): Promise<LiveCheckResult> {
  const scenario = findScenario(name);
  const platform = renderableObjects(ctx.spec, (s) => labProbeEndpoints.deployed(s));
  const change = scenario.apply(platform, ctx.spec);
  const addedKeys = new Set(change.added.map(objectKey));
  const removedOnly: K8sObject[] = change.removed.filter((o) => !addedKeys.has(objectKey(o)));
  io.log(`  scenario ${scenario.name}: ${scenario.title}; adds ${change.added.map(objectKey).join(", ") || "nothing"}, removes ${removedOnly.map(objectKey).join(", ") || "nothing"}`);
  const writer = writerFor(ctx);
  return guarded(
    io,
    `scenario ${scenario.name}`,
    async () => {
      await removeObjects(writer, removedOnly);
      await writeObjects(writer, change.added, "hard-tenancy-scenario");
      // Only NetworkPolicy, Calico and ClusterNetworkPolicy objects reach Felix; a mesh-only scenario changes no packet here.
      return touchesL34([...change.added, ...removedOnly]);
    },
    () => runDataplaneCheck(io, { spec: ctx.spec, settings: ctx.settings, corednsBinary: ctx.tools.coredns, command: `scenario ${scenario.name} --backend local`, platformObjects: change.objects, scenario: scenario.name }),
    async () => {
      await removeObjects(writer, change.added.filter((o) => !change.removed.some((r) => objectKey(r) === objectKey(o))));
      await writeObjects(writer, change.removed);
    },
  );
}
