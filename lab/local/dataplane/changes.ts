// Live changes to an L3/4 layer on the local cluster, for `lab ablate` and `lab scenario`: which
// deployed objects make up a layer, how an object is written or removed (kubectl for Kubernetes
// APIs, calicoctl for projectcalico.org/v3, which has no API server here), and how long Felix takes
// to have programmed the change — observed in its iptables, never assumed after a fixed sleep.
import type { K8sObject } from "../../../components/k8s/object";
import type { EnforcementLayer } from "../../../components/spec/types";
import type { DeployPlan } from "../deploy";
import { inNetns, run, type CommandResult } from "./command";
import { calicoctlEnv } from "./felix";
import { NODE_NETNS } from "./topology";

/** The L3/4 layers the local dataplane enforces (or would, for clusterNetworkPolicy: see below). */
export const LOCAL_ABLATABLE_LAYERS = ["networkPolicy", "calico", "clusterNetworkPolicy"] as const satisfies readonly EnforcementLayer[];

const groupOf = (o: K8sObject): string => (o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "");

/** The deployed objects that make up `layer` (the ones an ablation removes). */
export function layerObjects(plan: DeployPlan, layer: EnforcementLayer): K8sObject[] {
  const all = plan.phases.flatMap((p) => p.objects);
  switch (layer) {
    case "networkPolicy":
      return all.filter((o) => groupOf(o) === "networking.k8s.io" && o.kind === "NetworkPolicy");
    case "calico":
      // Policies and the sets they reference; the tier goes too (a tier without policies denies nothing
      // itself — its defaultAction applies only to endpoints a policy in it selects).
      return all.filter((o) => groupOf(o) === "projectcalico.org");
    case "clusterNetworkPolicy":
      return all.filter((o) => groupOf(o) === "policy.networking.k8s.io");
    default:
      throw new Error(`layer: ${layer} is a mesh layer; the local backend runs no mesh, so there is nothing of it to remove (use --backend kind, or ablate one of ${LOCAL_ABLATABLE_LAYERS.join(", ")})`);
  }
}

/** Does a change to these objects change what Felix programs (NetworkPolicy, Calico, ClusterNetworkPolicy)? */
export function touchesL34(objects: readonly K8sObject[]): boolean {
  return objects.some((o) => (groupOf(o) === "networking.k8s.io" && o.kind === "NetworkPolicy") || groupOf(o) === "projectcalico.org" || groupOf(o) === "policy.networking.k8s.io");
}

export interface ObjectWriter {
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  calicoctl: string;
  kubeconfig: string;
}

function yamlOf(objects: readonly K8sObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join("\n---\n");
}

/** Writes objects: Kubernetes ones by server-side apply, Calico v3 ones by calicoctl (in the given order). */
export async function writeObjects(writer: ObjectWriter, objects: readonly K8sObject[], fieldManager = "hard-tenancy"): Promise<void> {
  const kube = objects.filter((o) => groupOf(o) !== "projectcalico.org");
  const calico = objects.filter((o) => groupOf(o) === "projectcalico.org");
  if (kube.length > 0) await writer.kubectl(["apply", "--server-side", "--force-conflicts", `--field-manager=${fieldManager}`, "-f", "-"], yamlOf(kube));
  if (calico.length > 0) await run([writer.calicoctl, "apply", "--allow-version-mismatch", "-f", "-"], { input: yamlOf(calico), env: calicoctlEnv(writer.kubeconfig), timeoutMs: 120_000 });
}

/** Removes objects (policies before the tier that holds them: reverse order). Missing ones are fine. */
export async function removeObjects(writer: ObjectWriter, objects: readonly K8sObject[]): Promise<void> {
  const kube = objects.filter((o) => groupOf(o) !== "projectcalico.org");
  const calico = objects.filter((o) => groupOf(o) === "projectcalico.org").reverse();
  if (kube.length > 0) await writer.kubectl(["delete", "--ignore-not-found", "--wait=true", "-f", "-"], yamlOf(kube));
  for (const object of calico) {
    await run([writer.calicoctl, "delete", "--allow-version-mismatch", "--skip-not-exists", "-f", "-"], { input: yamlOf([object]), env: calicoctlEnv(writer.kubeconfig), timeoutMs: 60_000 });
  }
}

/** Felix's (and kube-proxy's) filter table in the node namespace, counters stripped. */
export async function nodeFilterRules(): Promise<string> {
  const saved = await inNetns(NODE_NETNS, ["iptables-nft-save", "-t", "filter"]);
  return saved.stdout
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .map((line) => line.replace(/\[\d+:\d+\]/g, ""))
    .join("\n");
}

/**
 * Waits until the node's filter rules differ from `before` and then stay unchanged for `quietMs`
 * (Felix applies a change in one batch; a quiet period means it is done). Returns the milliseconds
 * from the call to the first change, or throws naming what it waited for.
 */
export async function waitForReprogramming(before: string, options: { timeoutMs?: number; quietMs?: number; expectChange?: boolean } = {}): Promise<{ firstChangeMs: number | null; settledMs: number }> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const quietMs = options.quietMs ?? 1_000;
  let last = before;
  let lastChangeAt = started;
  let firstChangeMs: number | null = null;
  for (;;) {
    const now = await nodeFilterRules();
    if (now !== last) {
      if (firstChangeMs === null) firstChangeMs = Date.now() - started;
      last = now;
      lastChangeAt = Date.now();
    }
    const changed = firstChangeMs !== null || options.expectChange === false;
    if (changed && Date.now() - lastChangeAt >= quietMs) return { firstChangeMs, settledMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Felix did not reprogram the node's iptables within ${timeoutMs / 1000} s of the policy change (${firstChangeMs === null ? "no change seen" : "still changing"}); see .lab/local/logs/calico-felix.log`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
