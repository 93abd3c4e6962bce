// The local backend's dataplane, start to finish: Calico's bootstrap objects, Felix and kube-proxy
// in the node namespace, CoreDNS and istiod (the real one when the mesh tools are built, else its
// stand-in) as pods, then every pod of the stack
// started by the local "kubelet", and a wait until Felix has programmed each pod's policy chains.
// `down` removes every process, namespace, veth, route and resolver file it created.
import { ensureMeshCa, meshCaDir, pluginCaSecret } from "../mesh/plugin-ca";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import type { K8sObject } from "../../../components/k8s/object";
import type { PlatformSpec } from "../../../components/spec/types";
import { pidFileOf, stopDaemon } from "../processes";
import { LOCAL_NODE_NAME, type LocalPaths } from "../paths";
import type { MeshBinaries } from "../mesh/host-mesh";
import { istiodPodObjects, ISTIOD_KUBECONFIG_SECRET } from "../mesh/istiod-pod";
import { corednsObjects, COREDNS_KUBECONFIG_SECRET, dnsClusterIp, istiodStandInObjects } from "./addons";
import { inNetns, run, type CommandResult } from "./command";
import { calicoBootstrapObjects, calicoctlApply, clusterInformation, startFelix } from "./felix";
import { startKubeProxy } from "./kube-proxy";
import { readPodTable, stopAllPods, syncPods, type NodeContext, type PodRecord } from "./kubelet";
import { ensureNode, removeDataplaneNetwork } from "./node";
import { DATAPLANE_AGENTS, NODE_NETNS, UPLINK } from "./topology";

export interface DataplaneTools {
  kubectl: string;
  calicoctl: string;
  felix: string;
  kubeProxy: string;
  coredns: string;
  /** The mesh tools, when built: the real istiod runs instead of the stand-in. */
  mesh?: MeshBinaries;
}

export interface DataplaneContext {
  paths: LocalPaths;
  tools: DataplaneTools;
  spec: PlatformSpec;
  /** The API server's URL as pods and the node reach it (the uplink's host address). */
  apiUrl: string;
  caFile: string;
  log(line: string): void;
  /** With `--mesh sidecars`: meshed pods get a real sidecar. */
  sidecars?: NodeContext["sidecars"];
}

export function dataplaneDir(paths: LocalPaths): string {
  return join(paths.root, "dataplane");
}

export function kubectlRunner(tools: Pick<DataplaneTools, "kubectl">, kubeconfig: string): (args: string[], input?: string) => Promise<CommandResult> {
  return (args, input) => run([tools.kubectl, "--kubeconfig", kubeconfig, ...args], { ...(input !== undefined ? { input } : {}), timeoutMs: 120_000 });
}

export function nodeContext(ctx: Pick<DataplaneContext, "paths" | "tools" | "spec" | "log" | "sidecars">): NodeContext {
  return {
    labDir: dirname(ctx.paths.root),
    nodeName: LOCAL_NODE_NAME,
    podCidr: ctx.spec.cluster.podCidr,
    dnsIp: dnsClusterIp(ctx.spec.cluster.serviceCidr),
    dir: join(dataplaneDir(ctx.paths), "pods"),
    logDir: ctx.paths.logs,
    pidDir: ctx.paths.pids,
    kubectl: kubectlRunner(ctx.tools, ctx.paths.kubeconfig),
    log: ctx.log,
    ...(ctx.sidecars ? { sidecars: ctx.sidecars } : {}),
  };
}

/**
 * The node-level objects the local dataplane adds to the stack (the model gets them too): CoreDNS,
 * and the real istiod when the mesh tools are built, else the istiod stand-in.
 */
export function localNodeAddons(spec: PlatformSpec, corednsBinary: string, mesh?: MeshBinaries): K8sObject[] {
  return [...corednsObjects(spec, corednsBinary), ...(mesh ? istiodPodObjects(spec, mesh) : istiodStandInObjects(spec))];
}

/** Step 1, before the control plane starts: the node namespace and the uplink the API server binds. */
export async function prepareNode(spec: PlatformSpec, labDir: string): Promise<"created" | "reused"> {
  return ensureNode(spec.cluster.podCidr, labDir);
}

export interface CalicoStart {
  felixReadyMs: number;
  kubeProxyReadyMs: number;
}

/** Step 2, once the CRDs are installed: Calico's bootstrap objects, Felix, kube-proxy. */
export async function startNodeAgents(ctx: DataplaneContext): Promise<CalicoStart> {
  const kubectl = kubectlRunner(ctx.tools, ctx.paths.kubeconfig);
  const dir = dataplaneDir(ctx.paths);
  mkdirSync(dir, { recursive: true });
  // A kubelet reports its node's addresses; kube-proxy waits (30 s) for an InternalIP otherwise.
  const addresses = { status: { addresses: [{ type: "InternalIP", address: UPLINK.nodeAddress }, { type: "Hostname", address: LOCAL_NODE_NAME }] } };
  await kubectl(["patch", "node", LOCAL_NODE_NAME, "--subresource=status", "--type=merge", "-p", JSON.stringify(addresses)]);
  await kubectl(["apply", "--server-side", "--field-manager=hard-tenancy-lab", "-f", "-"], stringify(clusterInformation()));
  await calicoctlApply({ kubeconfig: ctx.paths.kubeconfig, calicoctl: ctx.tools.calicoctl }, calicoBootstrapObjects(ctx.spec.cluster.podCidr));
  const felixConfig = join(dir, "felix.cfg");
  // Felix reads /etc/calico/felix.cfg by default: an empty file of our own keeps the host's out.
  writeFileSync(felixConfig, "");
  const felix = await startFelix({ binary: ctx.tools.felix, configFile: felixConfig, nodeName: LOCAL_NODE_NAME, kubeconfig: ctx.paths.kubeconfig, logDir: ctx.paths.logs, pidDir: ctx.paths.pids });
  ctx.log(`  calico-felix ready in ${(felix.readyMs / 1000).toFixed(1)} s (Kubernetes datastore, iptables/nft dataplane in netns ${NODE_NETNS})`);
  const proxy = await startKubeProxy({ binary: ctx.tools.kubeProxy, configFile: join(dir, "kube-proxy.yaml"), kubeconfig: ctx.paths.kubeconfig, nodeName: LOCAL_NODE_NAME, podCidr: ctx.spec.cluster.podCidr, logDir: ctx.paths.logs, pidDir: ctx.paths.pids });
  ctx.log(`  kube-proxy ready in ${(proxy.readyMs / 1000).toFixed(1)} s (iptables mode)`);
  return { felixReadyMs: felix.readyMs, kubeProxyReadyMs: proxy.readyMs };
}

function tokenKubeconfig(apiUrl: string, caPem: string, user: string, token: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server: apiUrl, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: "local", context: { cluster: "local", user } }],
    "current-context": "local",
  });
}

/** Step 3, after the platform is applied: CoreDNS and istiod (or its stand-in), each with a token of its own. */
export async function applyNodeAddons(ctx: DataplaneContext, caPem: string): Promise<void> {
  const kubectl = kubectlRunner(ctx.tools, ctx.paths.kubeconfig);
  const addons = localNodeAddons(ctx.spec, ctx.tools.coredns, ctx.tools.mesh);
  await kubectl(["apply", "--server-side", "--field-manager=hard-tenancy-lab", "-f", "-"], addons.map((o) => stringify(o)).join("---\n"));
  // istiod's plug-in CA, in the layout the platform ships, before istiod's pod starts (it reads it only at start).
  if (ctx.tools.mesh) await kubectl(["apply", "--server-side", "--field-manager=hard-tenancy-lab", "-f", "-"], stringify(pluginCaSecret(ctx.spec.meshNamespace, await ensureMeshCa(meshCaDir(ctx.paths)))));
  const kubeconfigs = [{ serviceAccount: "coredns", namespace: ctx.spec.cluster.dns.namespace, secret: COREDNS_KUBECONFIG_SECRET }];
  if (ctx.tools.mesh) kubeconfigs.push({ serviceAccount: "istiod", namespace: ctx.spec.meshNamespace, secret: ISTIOD_KUBECONFIG_SECRET });
  for (const { serviceAccount, namespace, secret: name } of kubeconfigs) {
    const token = (await kubectl(["create", "token", serviceAccount, "-n", namespace, "--duration=24h"])).stdout.trim();
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type: "Opaque", stringData: { kubeconfig: tokenKubeconfig(ctx.apiUrl, caPem, serviceAccount, token) } };
    await kubectl(["apply", "--server-side", "--field-manager=hard-tenancy-lab", "-f", "-"], stringify(secret));
  }
}

/** Felix has programmed a workload's policy when its to/from-workload chains exist. */
export async function unprogrammedEndpoints(records: readonly PodRecord[]): Promise<PodRecord[]> {
  const saved = (await inNetns(NODE_NETNS, ["iptables-nft-save", "-t", "filter"])).stdout;
  return records.filter((r) => !saved.includes(`:cali-tw-${r.veth} `) || !saved.includes(`:cali-fw-${r.veth} `));
}

/** Step 4: run every pod the API server has for the node, then wait until Felix programmed each. */
export async function runPods(ctx: DataplaneContext, timeoutMs = 60_000): Promise<PodRecord[]> {
  const node = nodeContext(ctx);
  const synced = await syncPods(node);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = await unprogrammedEndpoints(synced.running);
    if (missing.length === 0) return synced.running;
    if (Date.now() > deadline) {
      throw new Error(`Felix has not programmed the policy chains of ${missing.map((r) => `${r.namespace}/${r.name} (${r.veth})`).join(", ")} after ${timeoutMs / 1000} s; see ${ctx.paths.logs}/calico-felix.log`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function podTable(paths: LocalPaths): PodRecord[] {
  return readPodTable({ dir: join(dataplaneDir(paths), "pods") });
}

/** Everything the dataplane created, removed; idempotent. Returns what it did, for the log. */
export async function dataplaneDown(paths: LocalPaths, labDir: string): Promise<string[]> {
  const done: string[] = [];
  const pods = await stopAllPods({ dir: join(dataplaneDir(paths), "pods"), pidDir: paths.pids });
  if (pods > 0) done.push(`${pods} pod(s) stopped`);
  for (const name of DATAPLANE_AGENTS) {
    if ((await stopDaemon(pidFileOf(paths.pids, name))) === "stopped") done.push(`${name} stopped`);
  }
  done.push(...(await removeDataplaneNetwork(labDir)));
  if (existsSync(dataplaneDir(paths))) rmSync(dataplaneDir(paths), { recursive: true, force: true });
  return done;
}

/** Waits until the ReplicaSet controller has created every Deployment's pods (or said why not). */
export async function waitForPodsCreated(ctx: DataplaneContext, timeoutMs = 60_000): Promise<void> {
  const kubectl = kubectlRunner(ctx.tools, ctx.paths.kubeconfig);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = JSON.parse((await kubectl(["get", "deployments", "--all-namespaces", "-o", "json"])).stdout) as {
      items: { metadata: { namespace: string; name: string }; spec: { replicas?: number }; status?: { replicas?: number; conditions?: { type: string; status: string; message?: string }[] } }[];
    };
    const waiting = list.items.filter((d) => (d.status?.replicas ?? 0) < (d.spec.replicas ?? 1) && !d.status?.conditions?.some((c) => c.type === "ReplicaFailure" && c.status === "True"));
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`pods of ${waiting.map((d) => `${d.metadata.namespace}/${d.metadata.name}`).join(", ")} were not created within ${timeoutMs / 1000} s (kube-controller-manager's ReplicaSet controller)`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
