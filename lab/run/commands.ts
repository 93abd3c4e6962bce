// The lab commands, run for real. Each one follows its plan (lab/plan/*), learning facts (does the
// cluster exist, the node IP, pod IPs) as it goes; `--dry-run` prints the plan instead (cli.ts).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { EnforcementLayer, PlatformSpec } from "../../components/spec/types";
import { EXIT_CODES } from "../check/compare";
import { kindClusterConfigYaml, LAB_CLUSTER_NAME } from "../kind/cluster";
import { platformObjects, predictCatalogue } from "../model/platform";
import { layerKey, planAblate } from "../plan/ablate";
import { planCheck } from "../plan/check";
import { planDown } from "../plan/down";
import { planScenario } from "../plan/scenario";
import type { LabSettings } from "../plan/settings";
import {
  configKey,
  dockerInspectControlPlaneStep,
  getConfigStep,
  isCurrentContextStep,
  kindCreateClusterStep,
  kindGetClustersStep,
  listPodsStep,
  listWorkloadsStep,
  pulumiUpStep,
  removeConfigStep,
  rolloutStatusStep,
  selectStackStep,
  setConfigStep,
} from "../plan/steps";
import { labStackConfig, parseDockerInspectIp } from "../plan/up";
import { formatPreflight, runPreflight } from "../preflight";
import { findScenario } from "../scenarios";
import { parsePodList } from "../check/pods";
import { runLiveCheck } from "./check";
import { executeStep, guardContext, parseKindClusters, type LabIO } from "./execute";

async function refuseUnlessSafe(io: LabIO, settings: LabSettings): Promise<number | undefined> {
  const decision = await guardContext(io, settings);
  if (decision.ok) return undefined;
  io.log(decision.message);
  return EXIT_CODES.unsafeContext;
}

async function clusterExists(io: LabIO): Promise<boolean> {
  const listed = await executeStep(io, kindGetClustersStep());
  return parseKindClusters(listed.result?.stdout ?? "").includes(LAB_CLUSTER_NAME);
}

/** Waits for every listed deployment and daemonset (the platform's and the demo's). */
async function waitForRollouts(io: LabIO, settings: LabSettings): Promise<void> {
  const listed = await executeStep(io, listWorkloadsStep(settings));
  const items = (JSON.parse(listed.result?.stdout ?? "{}") as { items?: { kind?: string; metadata?: { name?: string; namespace?: string } }[] }).items ?? [];
  for (const item of items) {
    const kind = item.kind === "DaemonSet" ? "daemonset" : "deployment";
    if (!item.metadata?.name || !item.metadata.namespace) continue;
    await executeStep(io, rolloutStatusStep(settings, kind, item.metadata.namespace, item.metadata.name), { stream: true });
  }
}

export async function labUp(io: LabIO, spec: PlatformSpec, settings: LabSettings): Promise<number> {
  const preflight = await runPreflight(io.run);
  io.log(`preflight:\n${formatPreflight(preflight)}`);
  if (!preflight.ok) return preflight.exitCode;
  mkdirSync(settings.stateDir, { recursive: true });
  mkdirSync(dirname(settings.kindConfigPath), { recursive: true });
  writeFileSync(settings.kindConfigPath, kindClusterConfigYaml(spec));
  if (await clusterExists(io)) io.log(`kind cluster ${LAB_CLUSTER_NAME} exists: reusing it`);
  else await executeStep(io, kindCreateClusterStep(settings), { stream: true });
  const unsafe = await refuseUnlessSafe(io, settings);
  if (unsafe !== undefined) return unsafe;
  const inspected = await executeStep(io, dockerInspectControlPlaneStep());
  const nodeIp = parseDockerInspectIp(inspected.result?.stdout ?? "");
  await executeStep(io, selectStackStep(settings));
  await executeStep(io, removeConfigStep(settings, configKey("cluster.apiServerEndpoints"), "old API endpoints dropped"));
  await executeStep(io, setConfigStep(settings, labStackConfig(settings, nodeIp), "stack config points at the kind API endpoint"));
  await executeStep(io, pulumiUpStep(settings));
  await waitForRollouts(io, settings);
  const pods = parsePodList((await executeStep(io, listPodsStep(settings))).result?.stdout ?? "");
  io.log(`\nlab is up: cluster ${LAB_CLUSTER_NAME}, context ${settings.context}, API ${nodeIp}:6443, Pulumi state file://${settings.stateDir}`);
  for (const tenant of spec.tenants) {
    const names = pods.filter((p) => p.namespace === tenant.namespace).map((p) => `${p.name}${p.ready ? "" : " (not ready)"}`);
    io.log(`  ${tenant.name} → namespace ${tenant.namespace}: ${names.join(", ") || "no pods"}`);
  }
  return EXIT_CODES.pass;
}

export async function labCheck(io: LabIO, spec: PlatformSpec, settings: LabSettings): Promise<number> {
  const unsafe = await refuseUnlessSafe(io, settings);
  if (unsafe !== undefined) return unsafe;
  return (await runLiveCheck(io, { spec, settings, predictions: predictCatalogue(spec), command: "check" })).exitCode;
}

export async function labAblate(io: LabIO, spec: PlatformSpec, settings: LabSettings, layer: EnforcementLayer): Promise<number> {
  const unsafe = await refuseUnlessSafe(io, settings);
  if (unsafe !== undefined) return unsafe;
  const key = layerKey(layer);
  await executeStep(io, selectStackStep(settings));
  const previous = (await executeStep(io, getConfigStep(settings, key, "value to restore"))).automation?.value;
  const plan = planAblate(settings, layer, planCheck({ spec, settings, catalogue: [], nonce: "unusednonce" }), previous);
  let exitCode: number = EXIT_CODES.commandFailed;
  try {
    await executeStep(io, setConfigStep(settings, { [key]: "false" }, `${key} off`));
    await executeStep(io, pulumiUpStep(settings));
    await io.sleep(settings.settleSeconds * 1000);
    const predictions = predictCatalogue(spec, { ablate: [layer] });
    exitCode = (await runLiveCheck(io, { spec, settings, predictions, command: `ablate ${layer}`, ablated: [layer] })).exitCode;
  } finally {
    io.log(`restoring ${key}${previous === undefined ? " (to its default)" : ` = ${previous}`}`);
    for (const step of plan.restore) await executeStep(io, step);
  }
  return exitCode;
}

export async function labScenario(io: LabIO, spec: PlatformSpec, settings: LabSettings, name: string): Promise<number> {
  const scenario = findScenario(name);
  const unsafe = await refuseUnlessSafe(io, settings);
  if (unsafe !== undefined) return unsafe;
  const change = scenario.apply(platformObjects(spec), spec);
  const plan = planScenario(settings, { name, added: change.added, removed: change.removed }, planCheck({ spec, settings, catalogue: [], nonce: "unusednonce" }));
  io.log(`scenario ${scenario.name}: ${scenario.title}\nexpected: ${scenario.expected}`);
  let exitCode: number = EXIT_CODES.commandFailed;
  try {
    for (const step of plan.before.filter((s) => !isCurrentContextStep(s))) await executeStep(io, step);
    await io.sleep(settings.settleSeconds * 1000);
    const predictions = predictCatalogue(spec, { objects: change.objects });
    exitCode = (await runLiveCheck(io, { spec, settings, predictions, command: `scenario ${name}`, scenario: name })).exitCode;
  } finally {
    io.log("restoring: deleting the scenario's objects and re-deploying the stack with --refresh");
    for (const step of plan.restore) await executeStep(io, step);
  }
  return exitCode;
}

export async function labDown(io: LabIO, settings: LabSettings): Promise<number> {
  const exists = await clusterExists(io);
  for (const step of planDown(settings, { clusterExists: exists }).steps.slice(1)) await executeStep(io, step, { stream: true });
  if (!exists) io.log(`no kind cluster ${LAB_CLUSTER_NAME}: nothing to delete`);
  rmSync(settings.stateDir, { recursive: true, force: true });
  io.log(`removed ${settings.stateDir}`);
  return EXIT_CODES.pass;
}
