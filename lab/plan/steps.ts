// Builders for single plan steps. Planners compose them; the runner executes them; tests read them.
import { CONFIG_NAMESPACE } from "../../components/spec/stack-config";
import { LAB_CLUSTER_NAME } from "../kind/cluster";
import { LAB_CONTEXT, pulumiEnv, type LabSettings } from "./settings";
import type { AutomationCall, PlanStep } from "./types";

export function configKey(path: string): string {
  return `${CONFIG_NAMESPACE}:${path}`;
}

export function currentContextStep(): PlanStep {
  return {
    argv: ["kubectl", "config", "current-context"],
    waitsFor: `the current kube context; anything but ${LAB_CONTEXT} stops the command (pass --context NAME to target another)`,
    when: "no --context was given",
  };
}

export function isCurrentContextStep(step: PlanStep): boolean {
  return step.argv.join(" ") === currentContextStep().argv.join(" ");
}

export function kindGetClustersStep(): PlanStep {
  return { argv: ["kind", "get", "clusters"], waitsFor: `the list of kind clusters (is ${LAB_CLUSTER_NAME} there?)` };
}

export function kindCreateClusterStep(settings: LabSettings): PlanStep {
  return {
    // No --wait: without a CNI (disableDefaultCNI) the nodes stay NotReady until Calico runs, so
    // readiness is awaited after `pulumi up` through the rollouts instead.
    argv: ["kind", "create", "cluster", "--name", LAB_CLUSTER_NAME, "--config", settings.kindConfigPath],
    waitsFor: "the node containers and the API server (kind also sets the kube context kind-hard-tenancy-lab)",
    when: `${LAB_CLUSTER_NAME} is not listed by kind get clusters`,
    timeoutSeconds: 600,
  };
}

export function kindExportKubeconfigStep(): PlanStep {
  return {
    argv: ["kind", "export", "kubeconfig", "--name", LAB_CLUSTER_NAME],
    waitsFor: `the kubeconfig entry ${LAB_CONTEXT} to be (re)written`,
    when: `${LAB_CLUSTER_NAME} already exists (reused, never recreated)`,
  };
}

export function kindDeleteClusterStep(): PlanStep {
  return {
    argv: ["kind", "delete", "cluster", "--name", LAB_CLUSTER_NAME],
    waitsFor: `the ${LAB_CLUSTER_NAME} node containers to be removed (no other cluster is touched)`,
    when: `${LAB_CLUSTER_NAME} is listed by kind get clusters`,
    timeoutSeconds: 300,
  };
}

export function controlPlaneContainer(): string {
  return `${LAB_CLUSTER_NAME}-control-plane`;
}

export function dockerInspectControlPlaneStep(): PlanStep {
  return {
    argv: ["docker", "inspect", controlPlaneContainer()],
    waitsFor: "the control-plane node's IP on the kind network (Calico sees the API server there after DNAT)",
  };
}

function pulumiStep(settings: LabSettings, argv: string[], waitsFor: string, automation: AutomationCall): PlanStep {
  return { argv: ["pulumi", ...argv], waitsFor, automation, env: pulumiEnv(settings) };
}

export function selectStackStep(settings: LabSettings): PlanStep {
  return pulumiStep(
    settings,
    ["stack", "select", "--create", settings.stack, "--cwd", settings.repoRoot],
    `the ${settings.stack} stack in the local backend file://${settings.stateDir}`,
    { op: "createOrSelectStack", stackName: settings.stack, workDir: settings.repoRoot },
  );
}

/**
 * `pulumi up` on the lab stack with its config read from `configFile` (a working copy under .lab/,
 * never the committed stack file): Automation API `Stack.up({ configFile, refresh })`, which runs
 * `pulumi up --yes --skip-preview [--refresh] --config-file <file> --stack <stack>` (3.248 stack.js:
 * `up` always skips the separate preview, and `--refresh` is part of the same command, so no other
 * call needs the file).
 */
export function pulumiUpStep(settings: LabSettings, configFile: string, options: { refresh?: boolean } = {}): PlanStep {
  const refresh = options.refresh ?? false;
  return {
    ...pulumiStep(
      settings,
      ["up", "--yes", "--skip-preview", ...(refresh ? ["--refresh"] : []), "--config-file", configFile, "--stack", settings.stack],
      refresh
        ? "the stack to converge after refreshing state from the cluster (re-creates what was deleted by hand)"
        : "every resource of the stack to be created/updated (progress streamed)",
      { op: "up", refresh, configFile },
    ),
    timeoutSeconds: 1800,
  };
}

export function kubectl(settings: LabSettings, ...args: string[]): string[] {
  return ["kubectl", "--context", settings.context, ...args];
}

export function rolloutStatusStep(settings: LabSettings, kind: "deployment" | "daemonset", namespace: string, name: string): PlanStep {
  return {
    argv: kubectl(settings, "rollout", "status", `${kind}/${name}`, "-n", namespace, `--timeout=${settings.rolloutTimeoutSeconds}s`),
    waitsFor: `${kind} ${namespace}/${name} to have every replica updated and available`,
    timeoutSeconds: settings.rolloutTimeoutSeconds + 30,
  };
}

export function listWorkloadsStep(settings: LabSettings): PlanStep {
  return {
    argv: kubectl(settings, "get", "deployments,daemonsets", "-A", "-o", "json"),
    waitsFor: "the list of deployments and daemonsets to wait for",
  };
}

export function listPodsStep(settings: LabSettings): PlanStep {
  return {
    argv: kubectl(settings, "get", "pods", "-A", "-o", "json"),
    waitsFor: "every pod's namespace, labels, IP, readiness and volumes (source pods, pod-IP targets, token mounts)",
  };
}
