// Is every process the dataplane's verdicts depend on still alive? Read before and after a check:
// a probe whose answer may have come from a dead process (a refused connection because its echo
// server was killed, a packet that crossed while Felix was down) is inconclusive, never a block.
import { join } from "node:path";
import { isAlive, pidFileOf, readPid } from "../processes";
import type { LocalPaths } from "../paths";
import { readPodTable, type PodRecord } from "./kubelet";
import { DATAPLANE_AGENTS } from "./topology";

export interface DataplaneHealth {
  /** Node agents (calico-felix, kube-proxy) that are not running. */
  deadAgents: string[];
  /** Pods with at least one container process not running, as "namespace/pod". */
  deadPods: { pod: PodRecord; daemons: string[] }[];
}

function alive(pidDir: string, name: string): boolean {
  const pid = readPid(pidFileOf(pidDir, name));
  return pid !== undefined && isAlive(pid);
}

export function dataplaneHealth(paths: LocalPaths): DataplaneHealth {
  const pods = readPodTable({ dir: join(paths.root, "dataplane", "pods") });
  return {
    deadAgents: DATAPLANE_AGENTS.filter((name) => !alive(paths.pids, name)),
    deadPods: pods.map((pod) => ({ pod, daemons: pod.daemons.filter((d) => !alive(paths.pids, d)) })).filter((p) => p.daemons.length > 0),
  };
}

/**
 * Why an observation involving these namespaces cannot be trusted, or undefined when the node's
 * agents and every pod in them lived. Conservative: any dead process in the source's or the
 * destination's namespace makes the probe inconclusive (a Service may front any of its pods).
 */
export function inconclusiveBecause(health: DataplaneHealth, namespaces: readonly string[]): string | undefined {
  if (health.deadAgents.length > 0) return `${health.deadAgents.join(" and ")} stopped during the check: the node's policy was not being kept, so the observation is not evidence either way`;
  const gone = health.deadPods.filter((p) => namespaces.includes(p.pod.namespace)).map((p) => `${p.pod.namespace}/${p.pod.name}`);
  if (gone.length > 0) return `a process of ${gone.join(", ")} stopped during the check: a refused or dropped connection there says nothing about policy`;
  return undefined;
}
