// The lab commands, run for real. Each one follows its plan (lab/plan/*), learning facts (does the
// cluster exist, the node IP, pod IPs) as it goes; `--dry-run` prints the plan instead (cli.ts).
import { existsSync, rmSync } from "node:fs";
import type { EnforcementLayer, PlatformSpec } from "../../components/spec/types";
import { EXIT_CODES } from "../check/compare";
import { LAB_CLUSTER_NAME } from "../kind/cluster";
import { platformObjects, platformObjectsWithStandIns, predictCatalogue, verifyPlatform } from "../model/platform";
import { planAblate } from "../plan/ablate";
import { planCheck } from "../plan/check";
import { stackConfigCopies, workingStackConfigPath } from "../plan/config-copy";
import { planDown } from "../plan/down";
import { planScenario } from "../plan/scenario";
import type { LabSettings } from "../plan/settings";
import { isCurrentContextStep, kindGetClustersStep, rolloutStatusStep, stackInitDir } from "../plan/steps";
import type { PlanStep } from "../plan/types";
import { KIND_API_SERVER_PORT, parseApiEndpoints, parseDockerInspectIp, preflightToolsFor, upPhases } from "../plan/up";
import { formatPreflight, missingToolStatus, runPreflight } from "../preflight";
import { findScenario } from "../scenarios";
import { parsePodList } from "../check/pods";
import { runLiveCheck } from "./check";
import { executeStep, guardContext, parseKindClusters, StepFailed, type LabIO } from "./execute";
import { labProbeEndpoints } from "../workloads/probe-endpoints";

async function refuseUnlessSafe(io: LabIO, settings: LabSettings): Promise<number | undefined> {
  const decision = await guardContext(io, settings);
  if (decision.ok) return undefined;
  io.log(decision.message);
  return EXIT_CODES.unsafeContext;
}

async function clusterExists(io: LabIO, listStep: PlanStep = kindGetClustersStep()): Promise<boolean> {
  const listed = await executeStep(io, listStep);
  return parseKindClusters(listed.result?.stdout ?? "").includes(LAB_CLUSTER_NAME);
}

async function executeAll(io: LabIO, steps: readonly PlanStep[], options: { stream?: boolean } = {}): Promise<void> {
  for (const step of steps) await executeStep(io, step, options);
}

/** Waits for every listed deployment and daemonset (the platform's and the demo's), not just the ones the plan shows. */
async function waitForRollouts(io: LabIO, settings: LabSettings, listStep: PlanStep): Promise<void> {
  const listed = await executeStep(io, listStep);
  const items = (JSON.parse(listed.result?.stdout ?? "{}") as { items?: { kind?: string; metadata?: { name?: string; namespace?: string } }[] }).items ?? [];
  for (const item of items) {
    const kind = item.kind === "DaemonSet" ? "daemonset" : "deployment";
    if (!item.metadata?.name || !item.metadata.namespace) continue;
    await executeStep(io, rolloutStatusStep(settings, kind, item.metadata.namespace, item.metadata.name), { stream: true });
  }
}

/** Walks the plan's phases (lab/plan/up.ts), re-planning as it learns whether the cluster exists and the node IP. */
export async function labUp(io: LabIO, spec: PlatformSpec, settings: LabSettings): Promise<number> {
  const unknown = upPhases(spec, settings);
  const preflight = await runPreflight(io.run, preflightToolsFor(settings));
  io.log(`preflight:\n${formatPreflight(preflight)}`);
  if (!preflight.ok) return preflight.exitCode;
  await executeAll(io, unknown.prepare);
  // With --context the cluster is given: nothing is listed or created with kind.
  const exists = settings.contextExplicit ? true : await clusterExists(io, unknown.cluster[0]);
  if (exists && !settings.contextExplicit) io.log(`kind cluster ${LAB_CLUSTER_NAME} exists: reusing it`);
  await executeAll(io, upPhases(spec, settings, { clusterExists: exists }).cluster.slice(1), { stream: true });
  const unsafe = await refuseUnlessSafe(io, settings);
  if (unsafe !== undefined) return unsafe;
  const [locate] = unknown.locate;
  const located = (await executeStep(io, locate)).result?.stdout ?? "";
  const endpoint = settings.contextExplicit ? parseApiEndpoints(located) : { ip: parseDockerInspectIp(located), port: KIND_API_SERVER_PORT };
  if (endpoint.port !== KIND_API_SERVER_PORT) io.log(`warning: the API server of ${settings.context} listens on ${endpoint.port}; the working stack config allows ${KIND_API_SERVER_PORT} (set hard-tenancy:cluster.apiServerEndpoints in the stack file)`);
  const nodeIp = endpoint.ip;
  const known = upPhases(spec, settings, { clusterExists: exists, controlPlaneIp: nodeIp });
  await executeAll(io, known.deploy);
  await waitForRollouts(io, settings, known.rollouts[0]);
  const [listPods] = known.inventory;
  const pods = parsePodList((await executeStep(io, listPods)).result?.stdout ?? "");
  io.log(`\nlab is up: cluster ${LAB_CLUSTER_NAME}, context ${settings.context}, API ${nodeIp}:6443, Pulumi state file://${settings.stateDir}`);
  io.log(`stack config: ${workingStackConfigPath(settings)} (regenerated from the committed stack file on every lab up)`);
  for (const tenant of spec.tenants) {
    const names = pods.filter((p) => p.namespace === tenant.namespace).map((p) => `${p.name}${p.ready ? "" : " (not ready)"}`);
    io.log(`  ${tenant.name} → namespace ${tenant.namespace}: ${names.join(", ") || "no pods"}`);
  }
  return EXIT_CODES.pass;
}

/** ablate and scenario redeploy the working copy to restore, so it must exist (written by `lab up`). */
function requireWorkingCopy(settings: LabSettings, command: string): void {
  const path = workingStackConfigPath(settings);
  if (!existsSync(path)) throw new Error(`${path} does not exist: run \`lab up\` first (it writes this working copy of the stack config, which ${command} redeploys to restore)`);
}

/** Workloads the model stands in for when the stack deploys no demo workloads: announced in every report. */
function predictionStandIns(spec: PlatformSpec): string[] {
  return platformObjectsWithStandIns(spec, labProbeEndpoints).standIns.workloads;
}

export async function labCheck(io: LabIO, spec: PlatformSpec, settings: LabSettings): Promise<number> {
  const unsafe = await refuseUnlessSafe(io, settings);
  if (unsafe !== undefined) return unsafe;
  return (
    await runLiveCheck(io, { spec, settings, predictions: predictCatalogue(spec, { endpoints: labProbeEndpoints, clientTimeoutSeconds: settings.maxTimeSeconds }), verdict: verifyPlatform(spec, { endpoints: labProbeEndpoints, clientTimeoutSeconds: settings.maxTimeSeconds }), command: "check", predictionStandIns: predictionStandIns(spec) })
  ).exitCode;
}

export async function labAblate(io: LabIO, spec: PlatformSpec, settings: LabSettings, layer: EnforcementLayer): Promise<number> {
  requireWorkingCopy(settings, `lab ablate ${layer}`);
  const unsafe = await refuseUnlessSafe(io, settings);
  if (unsafe !== undefined) return unsafe;
  const plan = planAblate(settings, layer, planCheck({ spec, settings, catalogue: [], nonce: "unusednonce" }));
  let exitCode: number = EXIT_CODES.commandFailed;
  try {
    await executeAll(io, plan.before.filter((s) => !isCurrentContextStep(s)));
    await io.sleep(settings.settleSeconds * 1000);
    const predictions = predictCatalogue(spec, { ablate: [layer], endpoints: labProbeEndpoints, clientTimeoutSeconds: settings.maxTimeSeconds });
    const verdict = verifyPlatform(spec, { ablate: [layer], endpoints: labProbeEndpoints, clientTimeoutSeconds: settings.maxTimeSeconds });
    exitCode = (await runLiveCheck(io, { spec, settings, predictions, verdict, command: `ablate ${layer}`, ablated: [layer], predictionStandIns: predictionStandIns(spec) })).exitCode;
  } finally {
    io.log(`restoring: redeploying ${workingStackConfigPath(settings)} (${layer} as before)`);
    await executeAll(io, plan.restore);
  }
  return exitCode;
}

export async function labScenario(io: LabIO, spec: PlatformSpec, settings: LabSettings, name: string): Promise<number> {
  const scenario = findScenario(name);
  requireWorkingCopy(settings, `lab scenario ${name}`);
  const unsafe = await refuseUnlessSafe(io, settings);
  if (unsafe !== undefined) return unsafe;
  const change = scenario.apply(platformObjects(spec, labProbeEndpoints), spec);
  const plan = planScenario(settings, { name, added: change.added, removed: change.removed }, planCheck({ spec, settings, catalogue: [], nonce: "unusednonce" }));
  io.log(`scenario ${scenario.name}: ${scenario.title}\nexpected: ${scenario.expected}`);
  let exitCode: number = EXIT_CODES.commandFailed;
  try {
    await executeAll(io, plan.before.filter((s) => !isCurrentContextStep(s)));
    await io.sleep(settings.settleSeconds * 1000);
    const predictions = predictCatalogue(spec, { objects: change.objects, clientTimeoutSeconds: settings.maxTimeSeconds });
    const verdict = verifyPlatform(spec, { objects: change.objects, clientTimeoutSeconds: settings.maxTimeSeconds });
    exitCode = (await runLiveCheck(io, { spec, settings, predictions, verdict, command: `scenario ${name}`, scenario: name, predictionStandIns: predictionStandIns(spec) })).exitCode;
  } finally {
    io.log("restoring: deleting the scenario's objects and re-deploying the stack with --refresh");
    await executeAll(io, plan.restore);
  }
  return exitCode;
}

export async function labDown(io: LabIO, settings: LabSettings): Promise<number> {
  const listed = await executeStep(io, { ...kindGetClustersStep(), mayFail: true });
  if (listed.result?.notFound) {
    // Same message and exit code as lab up's preflight.
    const status = missingToolStatus("kind");
    io.log(`  ✘ ${status.message} [exit ${status.exitCode}]`);
    return status.exitCode ?? EXIT_CODES.commandFailed;
  }
  if (!listed.ok) throw new StepFailed(kindGetClustersStep(), `exit ${listed.result?.code}: ${(listed.result?.stderr ?? "").trim().split("\n")[0]}`);
  const exists = parseKindClusters(listed.result?.stdout ?? "").includes(LAB_CLUSTER_NAME);
  for (const step of planDown(settings, { clusterExists: exists }).steps.slice(1)) await executeStep(io, step, { stream: true });
  if (!exists) io.log(`no kind cluster ${LAB_CLUSTER_NAME}: nothing to delete`);
  for (const dir of [settings.stateDir, stackInitDir(settings)]) {
    rmSync(dir, { recursive: true, force: true });
    io.log(`removed ${dir}`);
  }
  for (const copy of stackConfigCopies(settings).filter((path) => existsSync(path))) {
    rmSync(copy, { force: true });
    io.log(`removed ${copy}`);
  }
  return EXIT_CODES.pass;
}
