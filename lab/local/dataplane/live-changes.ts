// `lab ablate <layer>` and `lab scenario <name>` on the local backend: change the cluster for real
// (remove a layer's objects, or write what the stack renders with the layer off; apply a
// scenario's), wait until the enforcers have taken the change — Felix (its iptables) for the L3/4
// layers, every sidecar (its accepted listener updates) for the mesh layers — check against the
// model of the changed objects, then restore — always, even when the check fails — and wait again.
// The time from the change to the first reprogramming is reported (the policy programming latency).
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
import { sidecarSnapshot, waitUntilDrained } from "../mesh/proxy-sync";
import { localPaths } from "../paths";
import { layerObjects, LOCAL_MESH_LAYERS, meshLayerChange, nodeFilterRules, renderedChange, touchesL34, touchesMesh, removeObjects, waitForReprogramming, writeObjects, type ObjectWriter, type RenderedChange, type WaitOptions } from "./changes";
import { kubectlRunner, podTable } from "./dataplane";
import { runDataplaneCheck, runsSidecars } from "./live-check";

export interface LiveChangeContext {
  spec: PlatformSpec;
  settings: LabSettings;
  tools: { kubectl: string; calicoctl: string; coredns: string };
}

function writerFor(ctx: LiveChangeContext): ObjectWriter {
  const kubeconfig = localPaths(ctx.settings.labDir).kubeconfig;
  return { kubectl: kubectlRunner(ctx.tools, kubeconfig), calicoctl: ctx.tools.calicoctl, kubeconfig };
}

/** Who enforces a change: what to watch, what to call it, and what else must settle before every request sees it. */
interface Enforcer {
  name: string;
  wait: WaitOptions;
  settle?: { name: string; until: () => Promise<number> };
}

const FELIX: Enforcer = { name: "Felix reprogrammed the node", wait: {} };

function sidecarsOf(ctx: LiveChangeContext): Enforcer {
  const records = () => podTable(localPaths(ctx.settings.labDir));
  // istiod debounces (100 ms, up to 10 s) before a push; the quiet period covers proxies pushed later.
  return {
    name: "the sidecars took istiod's new listeners",
    wait: { snapshot: sidecarSnapshot(records), quietMs: 3_000, timeoutMs: 60_000, enforcer: "no sidecar took a new listener or cluster update (see istiod's and the sidecars' logs under .lab/local/logs)" },
    settle: { name: "their old filter chains (and the pooled connections on them) drained", until: () => waitUntilDrained(records) },
  };
}

/** The enforcers of a change to `objects`: Felix for L3/4 objects, the sidecars (when the pods run them) for Istio's. */
function enforcersOf(ctx: LiveChangeContext, objects: readonly K8sObject[]): Enforcer[] {
  const sidecars = runsSidecars(podTable(localPaths(ctx.settings.labDir)));
  return [...(touchesL34(objects) ? [FELIX] : []), ...(sidecars && touchesMesh(objects) ? [sidecarsOf(ctx)] : [])];
}

async function snapshots(enforcers: readonly Enforcer[]): Promise<string[]> {
  return Promise.all(enforcers.map((e) => (e.wait.snapshot ?? nodeFilterRules)()));
}

async function waitAll(io: LabIO, enforcers: readonly Enforcer[], before: readonly string[], when: string): Promise<void> {
  for (const [i, enforcer] of enforcers.entries()) {
    const taken = await waitForReprogramming(before[i], enforcer.wait);
    io.log(`  ${when}: ${enforcer.name} ${taken.firstChangeMs} ms after the change (settled after ${taken.settledMs} ms)`);
    if (enforcer.settle) io.log(`  ${when}: ${enforcer.settle.name} ${((await enforcer.settle.until()) / 1000).toFixed(1)} s later`);
  }
}

/** Applies `change`, runs `check`, then `restore` (always), each followed by waiting for the enforcers of `objects`. */
async function guarded(io: LabIO, what: string, enforcers: readonly Enforcer[], change: () => Promise<void>, check: () => Promise<LiveCheckResult>, restore: () => Promise<void>): Promise<LiveCheckResult> {
  const before = await snapshots(enforcers);
  await change();
  await waitAll(io, enforcers, before, what);
  try {
    return await check();
  } finally {
    const changed = await snapshots(enforcers);
    await restore();
    await waitAll(io, enforcers, changed, "restored");
  }
}

export async function localAblate(io: LabIO, ctx: LiveChangeContext, layer: EnforcementLayer): Promise<LiveCheckResult> {
  const check = () => runDataplaneCheck(io, { spec: ctx.spec, settings: ctx.settings, corednsBinary: ctx.tools.coredns, command: `ablate ${layer} --backend local`, ablated: [layer] });
  const mesh = (LOCAL_MESH_LAYERS as readonly string[]).includes(layer);
  if (mesh && !runsSidecars(podTable(localPaths(ctx.settings.labDir)))) {
    throw new Error(`layer: ${layer} is enforced by the sidecars, and this lab runs none (lab up --backend local --mesh off, or the mesh tools are not built: npm run tools -- --group mesh); ablate one of networkPolicy, calico, clusterNetworkPolicy`);
  }
  const change = mesh ? meshLayerChange(ctx.spec, layer as (typeof LOCAL_MESH_LAYERS)[number]) : { removed: layerObjects(planDeploy(ctx.spec, undefined, { calico: "calicoctl" }), layer), added: [], changed: [] };
  if (change.removed.length + change.changed.length === 0) io.log(`  layer ${layer} has no objects in this stack (layers.${layer} is off): nothing to remove, the check equals \`lab check\``);
  return applyRenderedChange(io, ctx, `ablate ${layer}`, `layer ${layer} off`, change, check);
}

/** Writes a rendered change, waits for its enforcers, runs `check`, then restores (always) and waits again. */
async function applyRenderedChange(io: LabIO, ctx: LiveChangeContext, what: string, title: string, change: RenderedChange, check: () => Promise<LiveCheckResult>): Promise<LiveCheckResult> {
  const writer = writerFor(ctx);
  const { removed, added, changed } = change;
  const keys = (objects: readonly K8sObject[]) => objects.map(objectKey).join(", ") || "nothing";
  if (removed.length + added.length + changed.length > 0) io.log(`  ${title}: removing ${keys(removed)}; adding ${keys(added)}; rewriting ${keys(changed.map((c) => c.before))}`);
  return guarded(
    io,
    what,
    enforcersOf(ctx, [...removed, ...added, ...changed.map((c) => c.before)]),
    async () => {
      await removeObjects(writer, removed);
      await writeObjects(writer, [...changed.map((c) => c.after), ...added]);
    },
    check,
    async () => {
      await removeObjects(writer, added);
      await writeObjects(writer, [...changed.map((c) => c.before), ...removed]);
    },
  );
}

/**
 * The stack redeployed live as `after` renders it (e.g. the shared services' identity propagated by
 * the Lua filter instead of XFCC), checked against the model of exactly those objects, then restored.
 */
export async function localSpecChange(io: LabIO, ctx: LiveChangeContext, after: PlatformSpec, name: string, whileChanged?: () => Promise<void>): Promise<LiveCheckResult> {
  const change = renderedChange(ctx.spec, after);
  const platformObjects = renderableObjects(after, (s) => labProbeEndpoints.deployed(s));
  return applyRenderedChange(io, ctx, name, name, change, async () => {
    const result = await runDataplaneCheck(io, { spec: after, settings: ctx.settings, corednsBinary: ctx.tools.coredns, command: `${name} --backend local`, platformObjects, scenario: name });
    await whileChanged?.();
    return result;
  });
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
    // Only NetworkPolicy, Calico and ClusterNetworkPolicy objects reach Felix; Istio's reach the sidecars (when they run).
    enforcersOf(ctx, [...change.added, ...removedOnly]),
    async () => {
      await removeObjects(writer, removedOnly);
      await writeObjects(writer, change.added, "hard-tenancy-scenario");
    },
    () => runDataplaneCheck(io, { spec: ctx.spec, settings: ctx.settings, corednsBinary: ctx.tools.coredns, command: `scenario ${scenario.name} --backend local`, platformObjects: change.objects, scenario: scenario.name }),
    async () => {
      await removeObjects(writer, change.added.filter((o) => !change.removed.some((r) => objectKey(r) === objectKey(o))));
      await writeObjects(writer, change.removed);
    },
  );
}
