// `lab up`: preflight, kind cluster (created once, then reused), the lab stack through the Pulumi
// Automation API on a local backend with its config read from a working copy under .lab/ (the
// committed stack file plus the discovered API endpoint and context), every rollout awaited, then
// what is where.
import type { PlatformSpec } from "../../components/spec/types";
import { kindClusterConfigYaml } from "../kind/cluster";
import { PREFLIGHT_TOOLS } from "../preflight";
import { BYPASS, CLIENT, DEBUG, ECHO } from "../workloads/names";
import { CONTROL_PLANE_IP_PLACEHOLDER, workingStackConfigPath, writeWorkingConfigStep } from "./config-copy";
import type { LabSettings } from "./settings";
import {
  apiEndpointsStep,
  currentContextStep,
  dockerInspectControlPlaneStep,
  kindCreateClusterStep,
  kindGetClustersStep,
  listPodsStep,
  createStackStep,
  listWorkloadsStep,
  pulumiUpStep,
  rolloutStatusStep,
  selectStackStep,
  writeStackInitProjectStep,
} from "./steps";
import type { Plan, PlanStep } from "./types";

export { CONTROL_PLANE_IP_PLACEHOLDER, KIND_API_SERVER_PORT } from "./config-copy";

/** What is known before planning (a dry run knows nothing; the runner re-plans as it learns). */
export interface UpFacts {
  clusterExists?: boolean;
  controlPlaneIp?: string;
}

/**
 * `docker inspect <container>` prints a JSON array of container objects; the node's address on
 * kind's network is `[0].NetworkSettings.Networks.kind.IPAddress` (the network is named "kind"
 * unless KIND_EXPERIMENTAL_DOCKER_NETWORK says otherwise, so any network with an IPv4 is the fallback).
 */
export function parseDockerInspectIp(json: string, network = "kind"): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`docker inspect: output is not JSON (${(error as Error).message})`);
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  const networks = (first as { NetworkSettings?: { Networks?: Record<string, { IPAddress?: unknown }> } } | undefined)?.NetworkSettings?.Networks;
  if (!networks) throw new Error("docker inspect: no NetworkSettings.Networks in the output; is the kind node container running?");
  const preferred = networks[network]?.IPAddress;
  const candidates = [preferred, ...Object.values(networks).map((n) => n.IPAddress)];
  const ip = candidates.find((value): value is string => typeof value === "string" && /^\d+\.\d+\.\d+\.\d+$/.test(value));
  if (!ip) throw new Error(`docker inspect: no IPv4 address on network "${network}" or any other network of the container`);
  return ip;
}

/**
 * `kubectl get endpoints kubernetes -o json`: the first address and port of the first subset, the
 * API server as Calico sees it after DNAT.
 */
export function parseApiEndpoints(json: string): { ip: string; port: number } {
  let parsed: { subsets?: { addresses?: { ip?: unknown }[]; ports?: { port?: unknown }[] }[] };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch (error) {
    throw new Error(`kubectl get endpoints kubernetes: output is not JSON (${(error as Error).message})`);
  }
  const subset = parsed.subsets?.[0];
  const ip = subset?.addresses?.[0]?.ip;
  const port = subset?.ports?.[0]?.port;
  if (typeof ip !== "string" || typeof port !== "number") throw new Error("kubectl get endpoints kubernetes: no address and port; is the API server registered in its own Service?");
  return { ip, port };
}

/** Deployments the lab stack is known to create (the runner waits on the live list, which also has the platform's own). */
export function expectedDemoDeployments(spec: PlatformSpec): { namespace: string; name: string }[] {
  if (!spec.demoWorkloads) return [];
  const deployments: { namespace: string; name: string }[] = spec.tenants.flatMap((t) =>
    [ECHO, CLIENT, DEBUG, BYPASS].map((w) => ({ namespace: t.namespace, name: w.name as string })),
  );
  if (spec.sharedServices.enabled) {
    deployments.push(...spec.sharedServices.services.map((s) => ({ namespace: spec.sharedServices.namespace, name: s.name })));
  }
  return deployments;
}

/**
 * `lab up` in phases, the single description of the command: `planUp` lists them for --dry-run,
 * `labUp` (lab/run/commands.ts) walks them, re-planning with what it learned (does the cluster
 * exist, the node IP). Only the rollout waits depend on the live list; the plan shows the demo's.
 */
export interface UpPhases {
  /** Read-only tool checks (run by runPreflight, which reports every missing tool at once). */
  preflight: PlanStep[];
  /** In-process: the state directory and the kind config. */
  prepare: PlanStep[];
  /** `kind get clusters`, then `kind create cluster` unless it is listed; none with --context (the cluster is given). */
  cluster: PlanStep[];
  /** The current-context guard (absent with --context). */
  guard: PlanStep[];
  /** `docker inspect` of the control-plane node, for its IP; with --context the kubernetes Service's endpoints. */
  locate: PlanStep[];
  /** The working stack config copy, stack creation (from .lab/stack-init), selection, `pulumi up --config-file <copy>`. */
  deploy: PlanStep[];
  /** The workload list, then one rollout wait per listed deployment/daemonset. */
  rollouts: PlanStep[];
  /** The pod list behind the closing summary. */
  inventory: PlanStep[];
}

/** kind and docker only matter when lab up makes the kind cluster; with --context kubectl and pulumi do. */
export function preflightToolsFor(settings: LabSettings): typeof PREFLIGHT_TOOLS {
  return settings.contextExplicit ? PREFLIGHT_TOOLS.filter((t) => t.name === "kubectl" || t.name === "pulumi") : PREFLIGHT_TOOLS;
}

export function upPhases(spec: PlatformSpec, settings: LabSettings, facts: UpFacts = {}): UpPhases {
  return {
    preflight: preflightToolsFor(settings).map((tool) => ({ argv: [...tool.argv], waitsFor: `${tool.name} to answer with its version (missing: stop with an install hint)` })),
    prepare: [
      { argv: [], inProcess: { op: "makeDirectory", path: settings.stateDir }, waitsFor: "the local Pulumi backend directory (no login; empty passphrase, no prompt)" },
      {
        argv: [],
        inProcess: { op: "writeFile", path: settings.kindConfigPath, content: kindClusterConfigYaml(spec), what: "the kind cluster config rendered from the spec (kindClusterConfigYaml)" },
        waitsFor: "the kind config kind create reads",
      },
    ],
    // A given context means "use this cluster": no kind cluster is listed or created.
    cluster: settings.contextExplicit ? [] : [kindGetClustersStep(), ...(facts.clusterExists === true ? [] : [kindCreateClusterStep(settings)])],
    guard: settings.contextExplicit ? [] : [currentContextStep()],
    locate: settings.contextExplicit ? [apiEndpointsStep(settings)] : [dockerInspectControlPlaneStep()],
    deploy: [
      writeWorkingConfigStep(settings, facts.controlPlaneIp ?? CONTROL_PLANE_IP_PLACEHOLDER),
      writeStackInitProjectStep(settings),
      createStackStep(settings),
      selectStackStep(settings),
      pulumiUpStep(settings, workingStackConfigPath(settings)),
    ],
    rollouts: [
      listWorkloadsStep(settings),
      ...expectedDemoDeployments(spec).map((d) => ({ ...rolloutStatusStep(settings, "deployment", d.namespace, d.name), when: "listed (the run waits on every listed deployment and daemonset)" })),
    ],
    inventory: [listPodsStep(settings)],
  };
}

export function planUp(spec: PlatformSpec, settings: LabSettings, facts: UpFacts = {}): Plan {
  const phases = upPhases(spec, settings, facts);
  return {
    command: "up",
    steps: [...phases.preflight, ...phases.prepare, ...phases.cluster, ...phases.guard, ...phases.locate, ...phases.deploy, ...phases.rollouts, ...phases.inventory],
    notes: ["print what is where: cluster, context, state, working stack config, each tenant's namespace and pods"],
  };
}
