// Live changes to a layer on the local cluster, for `lab ablate` and `lab scenario`: which deployed
// objects make up a layer, how an object is written or removed (kubectl for Kubernetes APIs,
// calicoctl for projectcalico.org/v3, which has no API server here), and how long the enforcer takes
// to have programmed the change — Felix in its iptables, the sidecars in their accepted listener
// updates (lab/local/mesh/proxy-sync.ts) — observed, never assumed after a fixed sleep.
import type { K8sObject } from "../../../components/k8s/object";
import { objectKey } from "../../../components/k8s/object";
import type { EnforcementLayer, PlatformSpec } from "../../../components/spec/types";
import { planDeploy, type DeployPlan } from "../deploy";
import { inNetns, run, type CommandResult } from "./command";
import { calicoctlEnv } from "./felix";
import { NODE_NETNS } from "./topology";

/** The L3/4 layers the local dataplane enforces (or would, for clusterNetworkPolicy: see below). */
export const LOCAL_ABLATABLE_LAYERS = ["networkPolicy", "calico", "clusterNetworkPolicy"] as const satisfies readonly EnforcementLayer[];
/** The mesh layers, enforced on the local backend when its pods run real sidecars (`--mesh sidecars`). */
export const LOCAL_MESH_LAYERS = ["peerAuthentication", "authorization"] as const satisfies readonly EnforcementLayer[];

export interface RenderedChange {
  /** Deployed before, gone after: deleted by the change, re-created by the restore. */
  removed: K8sObject[];
  /** Deployed after only: created by the change, deleted by the restore. */
  added: K8sObject[];
  /** Deployed either way, but different after: the change writes `after`, the restore `before`. */
  changed: { before: K8sObject; after: K8sObject }[];
}

/** What the stack deploys for `after` that differs from what it deploys for `before`, object by object. */
export function renderedChange(before: PlatformSpec, after: PlatformSpec): RenderedChange {
  const deployed = (s: PlatformSpec) => new Map(planDeploy(s, undefined, { calico: "calicoctl" }).phases.flatMap((p) => p.objects).map((o) => [objectKey(o), o] as const));
  const was = deployed(before);
  const now = deployed(after);
  const removed = [...was].filter(([key]) => !now.has(key)).map(([, o]) => o);
  const added = [...now].filter(([key]) => !was.has(key)).map(([, o]) => o);
  const changed = [...was].flatMap(([key, o]) => {
    const other = now.get(key);
    return other && JSON.stringify(other) !== JSON.stringify(o) ? [{ before: o, after: other }] : [];
  });
  return { removed, added, changed };
}

/**
 * What turning a mesh layer off changes in what the stack deploys, exactly as the builders render it
 * with `layers.<layer>: false` (the kind lab's ablation redeploys the stack so): the objects only the
 * layer adds, and the ones it shapes.
 */
export function meshLayerChange(spec: PlatformSpec, layer: (typeof LOCAL_MESH_LAYERS)[number]): RenderedChange {
  return renderedChange(spec, { ...spec, layers: { ...spec.layers, [layer]: false } });
}

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
      throw new Error(`layer: ${layer} is a mesh layer: meshLayerChange gives what turning it off changes`);
  }
}

/** Does a change to these objects change what istiod sends the sidecars (Istio's security and networking APIs)? */
export function touchesMesh(objects: readonly K8sObject[]): boolean {
  return objects.some((o) => groupOf(o) === "security.istio.io" || groupOf(o) === "networking.istio.io" || groupOf(o) === "telemetry.istio.io");
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

export interface WaitOptions {
  timeoutMs?: number;
  quietMs?: number;
  expectChange?: boolean;
  /** What is watched (default: the node's filter rules, i.e. Felix). */
  snapshot?: () => Promise<string>;
  /** Who should have changed it, and where to look, for the error. */
  enforcer?: string;
}

/**
 * Waits until the snapshot (default: the node's filter rules) differs from `before` and then stays
 * unchanged for `quietMs` (Felix applies a change in one batch, istiod pushes a change to each
 * proxy it selects; a quiet period means it is done). Returns the milliseconds from the call to the
 * first change, or throws naming what it waited for.
 */
export async function waitForReprogramming(before: string, options: WaitOptions = {}): Promise<{ firstChangeMs: number | null; settledMs: number }> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const quietMs = options.quietMs ?? 1_000;
  const snapshot = options.snapshot ?? nodeFilterRules;
  let last = before;
  let lastChangeAt = started;
  let firstChangeMs: number | null = null;
  for (;;) {
    const now = await snapshot();
    if (now !== last) {
      if (firstChangeMs === null) firstChangeMs = Date.now() - started;
      last = now;
      lastChangeAt = Date.now();
    }
    const changed = firstChangeMs !== null || options.expectChange === false;
    if (changed && Date.now() - lastChangeAt >= quietMs) return { firstChangeMs, settledMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) {
      const enforcer = options.enforcer ?? "Felix did not reprogram the node's iptables (see .lab/local/logs/calico-felix.log)";
      throw new Error(`${enforcer} within ${timeoutMs / 1000} s of the policy change (${firstChangeMs === null ? "no change seen" : "still changing"})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
