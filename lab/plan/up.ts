// `lab up`: preflight, kind cluster (created once, then reused), the lab stack through the Pulumi
// Automation API on a local backend, every rollout awaited, then what is where.
import type { PlatformSpec } from "../../components/spec/types";
import { PREFLIGHT_TOOLS } from "../preflight";
import { BYPASS, CLIENT, DEBUG, ECHO } from "../workloads/names";
import type { LabSettings } from "./settings";
import {
  configKey,
  currentContextStep,
  dockerInspectControlPlaneStep,
  kindCreateClusterStep,
  kindGetClustersStep,
  listPodsStep,
  listWorkloadsStep,
  pulumiUpStep,
  removeConfigStep,
  rolloutStatusStep,
  selectStackStep,
  setConfigStep,
} from "./steps";
import type { Plan, PlanStep } from "./types";

/** kind's API server listens on 6443 on the control-plane node. */
export const KIND_API_SERVER_PORT = 6443;
export const CONTROL_PLANE_IP_PLACEHOLDER = "<control-plane-ip>";

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

/** Config the lab sets on the stack before `pulumi up`: the real API endpoint and the target context. */
export function labStackConfig(settings: LabSettings, controlPlaneIp: string): Record<string, string> {
  return {
    [configKey("cluster.apiServerEndpoints[0].cidr")]: `${controlPlaneIp}/32`,
    [configKey("cluster.apiServerEndpoints[0].port")]: String(KIND_API_SERVER_PORT),
    [configKey("cluster.kubeContext")]: settings.context,
  };
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

export function planUp(spec: PlatformSpec, settings: LabSettings, facts: UpFacts = {}): Plan {
  const steps: PlanStep[] = PREFLIGHT_TOOLS.map((tool) => ({ argv: [...tool.argv], waitsFor: `${tool.name} to answer with its version (missing: stop with an install hint)` }));
  steps.push(kindGetClustersStep());
  if (facts.clusterExists !== true) steps.push(kindCreateClusterStep(settings));
  if (!settings.contextExplicit) steps.push(currentContextStep());
  steps.push(dockerInspectControlPlaneStep(), selectStackStep(settings));
  steps.push(removeConfigStep(settings, configKey("cluster.apiServerEndpoints"), "old API endpoints to be dropped (absent: nothing to do)"));
  const config = labStackConfig(settings, facts.controlPlaneIp ?? CONTROL_PLANE_IP_PLACEHOLDER);
  steps.push(setConfigStep(settings, config, "the stack config to point at the kind API endpoint and context"));
  steps.push(pulumiUpStep(settings), listWorkloadsStep(settings));
  for (const d of expectedDemoDeployments(spec)) steps.push({ ...rolloutStatusStep(settings, "deployment", d.namespace, d.name), when: "listed (the run waits on every listed deployment and daemonset)" });
  steps.push(listPodsStep(settings));
  return {
    command: "up",
    steps,
    notes: [
      `write ${settings.kindConfigPath} from the spec (kindClusterConfigYaml) before kind create`,
      `create ${settings.stateDir} (local Pulumi backend, no login; empty passphrase, no prompt)`,
      "print what is where: cluster, context, state, each tenant's namespace and pods",
    ],
  };
}
