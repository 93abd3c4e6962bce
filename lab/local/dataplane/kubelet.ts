// The local node's "kubelet": for every pod the API server holds for this node it does what the
// kubelet and Calico's CNI plugin do on a real node, minus containers — binds the pod to the node
// (there is no scheduler), gives it a network namespace with a veth named as Calico's CNI names it,
// an address from the IP pool and the CNI's routes, a resolv.conf, starts each container's command
// as that container's user inside the namespace, then writes the pod's status (Running, Ready,
// podIP) through the status subresource, which is what Felix and the EndpointSlice controller read.
// `syncPods` is idempotent: new pods are started, pods gone from the API server are torn down.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isAlive, logTail, pidFileOf, readPid, startDaemon, stopDaemon } from "../processes";
import { inNetns, ip, run, sysctl, type CommandResult } from "./command";
import { containerProcesses, processArgv, type ContainerProcess, resolvConf, runningStatus, runsOnLocalNode, type PodObject } from "./pod-spec";
import { redirectPodTraffic, startPodSidecar, wantsSidecar, type SidecarContext } from "../mesh/sidecar-pod";
import { CALICO_HOST_VETH_MAC, CALICO_POD_GATEWAY, NODE_NETNS, UPLINK, calicoVethName, nextPodIp, podNetnsName } from "./topology";

export interface NodeContext {
  /** The lab directory: containers run as their own users, so the path down to their volumes must be traversable (x only, never r). */
  labDir: string;
  nodeName: string;
  podCidr: string;
  dnsIp: string;
  /** .lab/local/pods: per-pod volumes and the pod table. */
  dir: string;
  logDir: string;
  pidDir: string;
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  log(line: string): void;
  /** With `--mesh sidecars`: what meshed pods' sidecars need (lab/local/mesh/sidecar-pod.ts). */
  sidecars?: Omit<SidecarContext, "kubectl" | "logDir" | "pidDir">;
}

export interface PodRecord {
  namespace: string;
  name: string;
  uid: string;
  netns: string;
  veth: string;
  ip: string;
  /** Daemon names (pid files) of its containers' processes. */
  daemons: string[];
  /**
   * Each container's user (its securityContext's runAsUser/runAsGroup): what `kubectl exec` into
   * that container runs as, so the probes run as it (the bypass client is UID 1337 only this way).
   */
  users?: Record<string, { uid: number; gid: number }>;
}

/** Process names (pid/log files) for one container: unique, and safe as file names. */
export function containerDaemonName(namespace: string, pod: string, container: string): string {
  return `pod_${namespace}_${pod}_${container}`;
}

function tablePath(ctx: Pick<NodeContext, "dir">): string {
  return join(ctx.dir, "pods.json");
}

export function readPodTable(ctx: Pick<NodeContext, "dir">): PodRecord[] {
  const file = tablePath(ctx);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PodRecord[]) : [];
}

function writePodTable(ctx: NodeContext, records: PodRecord[]): void {
  mkdirSync(ctx.dir, { recursive: true });
  writeFileSync(tablePath(ctx), `${JSON.stringify(records, null, 2)}\n`);
}

async function listPods(ctx: NodeContext): Promise<PodObject[]> {
  const listed = await ctx.kubectl(["get", "pods", "--all-namespaces", "-o", "json"]);
  return (JSON.parse(listed.stdout) as { items: PodObject[] }).items;
}

async function listNamespaceLabels(ctx: NodeContext): Promise<Map<string, Record<string, string>>> {
  const listed = await ctx.kubectl(["get", "namespaces", "-o", "json"]);
  const items = (JSON.parse(listed.stdout) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] }).items;
  return new Map(items.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
}

async function bind(ctx: NodeContext, pod: PodObject): Promise<void> {
  const binding = { apiVersion: "v1", kind: "Binding", metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace }, target: { apiVersion: "v1", kind: "Node", name: ctx.nodeName } };
  await ctx.kubectl(["create", "--raw", `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`, "-f", "-"], JSON.stringify(binding));
}

async function plumb(record: PodRecord): Promise<void> {
  const { netns, veth, ip: podIp } = record;
  await ip(undefined, "netns", "add", netns);
  await ip(NODE_NETNS, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns);
  // Host side as Calico's CNI leaves it: fixed MAC, up, proxy ARP answering the pod's gateway
  // 169.254.1.1, and a /32 route to the pod (Felix keeps that route in sync from then on).
  await ip(NODE_NETNS, "link", "set", veth, "address", CALICO_HOST_VETH_MAC, "up");
  await sysctl(NODE_NETNS, {
    [`net.ipv4.conf.${veth}.proxy_arp`]: "1",
    [`net.ipv4.neigh.${veth}.proxy_delay`]: "0",
    [`net.ipv4.conf.${veth}.forwarding`]: "1",
    [`net.ipv4.conf.${veth}.route_localnet`]: "1",
  });
  await ip(NODE_NETNS, "route", "replace", `${podIp}/32`, "dev", veth, "scope", "link");
  await ip(netns, "link", "set", "lo", "up");
  await ip(netns, "addr", "add", `${podIp}/32`, "dev", "eth0");
  await ip(netns, "link", "set", "eth0", "up");
  await ip(netns, "route", "add", CALICO_POD_GATEWAY, "dev", "eth0", "scope", "link");
  await ip(netns, "route", "add", "default", "via", CALICO_POD_GATEWAY, "dev", "eth0");
}

/** A ConfigMap (world-readable) or Secret (owner-only, owned by the container's user) as files. */
async function materialiseVolume(ctx: NodeContext, namespace: string, volume: ContainerProcess["volumes"][number], uid: number, gid: number): Promise<void> {
  if (volume.kind === "emptyDir") {
    // World-writable like a kubelet's emptyDir (0777), so the container's user can write there.
    mkdirSync(volume.hostDir, { recursive: true });
    chmodSync(volume.hostDir, 0o777);
    return;
  }
  const got = await ctx.kubectl(["get", volume.kind === "secret" ? "secret" : "configmap", volume.name, "-n", namespace, "-o", "json"]);
  const object = JSON.parse(got.stdout) as { data?: Record<string, string> };
  mkdirSync(volume.hostDir, { recursive: true });
  chmodSync(volume.hostDir, 0o755);
  for (const [key, value] of Object.entries(object.data ?? {})) {
    const file = join(volume.hostDir, key);
    if (volume.kind === "secret") {
      writeFileSync(file, Buffer.from(value, "base64"), { mode: 0o400 });
      chownSync(file, uid, gid);
    } else writeFileSync(file, value, { mode: 0o644 });
  }
}

async function listeningPorts(netns: string): Promise<Set<number>> {
  const result = await inNetns(netns, ["ss", "-ltnuH"], { allowFailure: true });
  const ports = new Set<number>();
  for (const line of result.stdout.split("\n")) {
    const local = line.trim().split(/\s+/)[4];
    const port = Number(local?.slice(local.lastIndexOf(":") + 1));
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return ports;
}

/** Waits until every declared container port listens in the pod's namespace (or a process dies). */
async function waitForPorts(record: PodRecord, ports: number[], pidDir: string, logDir: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const daemon of record.daemons) {
      const pid = readPid(pidFileOf(pidDir, daemon));
      if (pid === undefined || !isAlive(pid)) {
        throw new Error(`pod ${record.namespace}/${record.name}: ${daemon} exited while starting; last lines of its log:\n${logTail(join(logDir, `${daemon}.log`))}`);
      }
    }
    const listening = await listeningPorts(record.netns);
    const missing = ports.filter((p) => !listening.has(p));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`pod ${record.namespace}/${record.name}: nothing listens on port(s) ${missing.join(", ")} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Adds o+x (search, not read) to `dir` and its ancestors up to and including `root`, where missing. */
function makeTraversable(dir: string, root: string): void {
  for (let current = dir; current.startsWith(root); current = dirname(current)) {
    const mode = statSync(current).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o011);
    if (current === root || current === dirname(current)) break;
  }
}

/**
 * The container's working directory, laid out like its image's root for the paths it mounts: each
 * volume's mount path (relative to this directory) is a symlink to the host directory it was
 * materialised in. Programs that resolve `./etc/...` or `./var/...` against their working
 * directory (Istio's) find their volumes there; owned by the container's user, so it can write its
 * own files (istiod writes ./var/run/secrets/istio-dns).
 */
export function containerRoot(podDir: string, container: ContainerProcess): string {
  const root = join(podDir, "root", container.container);
  mkdirSync(root, { recursive: true });
  for (const volume of container.volumes) {
    const link = join(root, volume.mountPath);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(volume.hostDir, link);
  }
  chownDirectories(root, container.uid, container.gid);
  return root;
}

/** chown of `dir` and every directory below it, never following a symlink (the volumes keep their owners). */
function chownDirectories(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) chownDirectories(join(dir, entry.name), uid, gid);
}

async function startPod(ctx: NodeContext, pod: PodObject, podIp: string, meshed: boolean): Promise<PodRecord> {
  const { namespace, name, uid } = pod.metadata;
  const record: PodRecord = { namespace, name, uid, netns: podNetnsName(namespace, name), veth: calicoVethName(namespace, name), ip: podIp, daemons: [] };
  try {
    return await bringUpPod(ctx, pod, podIp, meshed, record);
  } catch (error) {
    // Not in the pod table yet: whatever started is stopped here, or `down` would never see it.
    await stopPod(ctx, record);
    throw error;
  }
}

async function bringUpPod(ctx: NodeContext, pod: PodObject, podIp: string, meshed: boolean, record: PodRecord): Promise<PodRecord> {
  const { namespace, name } = pod.metadata;
  if (!pod.spec.nodeName) await bind(ctx, pod);
  await plumb(record);
  const sidecars = meshed && ctx.sidecars ? { ...ctx.sidecars, kubectl: (args: string[], input?: string) => ctx.kubectl(args, input), logDir: ctx.logDir, pidDir: ctx.pidDir } : undefined;
  if (sidecars) await redirectPodTraffic(sidecars, record.netns);
  mkdirSync(`/etc/netns/${record.netns}`, { recursive: true });
  writeFileSync(`/etc/netns/${record.netns}/resolv.conf`, resolvConf(namespace, ctx.dnsIp));
  const podDir = join(ctx.dir, `${namespace}_${name}`);
  mkdirSync(podDir, { recursive: true });
  makeTraversable(podDir, ctx.labDir);
  record.users = {};
  for (const container of containerProcesses(pod, podIp, podDir)) {
    record.users[container.container] = { uid: container.uid, gid: container.gid };
    for (const volume of container.volumes) await materialiseVolume(ctx, namespace, volume, container.uid, container.gid);
    const daemon = containerDaemonName(namespace, name, container.container);
    const argv = processArgv(record.netns, container);
    const cwd = containerRoot(podDir, container);
    makeTraversable(cwd, ctx.labDir);
    startDaemon({
      name: daemon,
      binary: argv[0],
      args: argv.slice(1),
      // A container gets its image's environment, not the host's: PATH and HOME plus its own env.
      env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/tmp", ...container.env },
      cleanEnv: true,
      cwd,
      logDir: ctx.logDir,
      pidDir: ctx.pidDir,
    });
    record.daemons.push(daemon);
  }
  const startedAt = new Date().toISOString();
  const patchStatus = (ready: boolean) => ctx.kubectl(["patch", "pod", name, "-n", namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify(runningStatus(pod, podIp, UPLINK.nodeAddress, startedAt, ready))]);
  await patchStatus(false);
  const ports = pod.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
  await waitForPorts(record, ports, ctx.pidDir, ctx.logDir, 60_000);
  if (sidecars) record.daemons.push(await startPodSidecar(sidecars, pod, record.netns, podIp, podDir));
  await patchStatus(true);
  return record;
}

export async function stopPod(ctx: Pick<NodeContext, "pidDir">, record: PodRecord): Promise<void> {
  for (const daemon of record.daemons) await stopDaemon(pidFileOf(ctx.pidDir, daemon), 5_000);
  // Deleting the namespace deletes its end of the veth, and with it the host end and its route.
  await run(["ip", "netns", "delete", record.netns], { allowFailure: true });
  rmSync(`/etc/netns/${record.netns}`, { recursive: true, force: true });
}

export interface SyncResult {
  started: PodRecord[];
  stopped: PodRecord[];
  running: PodRecord[];
}

/** Brings the node's pods in line with the API server (start new ones, tear down deleted ones). */
export async function syncPods(ctx: NodeContext): Promise<SyncResult> {
  // The mesh namespace's pods first: a meshed pod's sidecar needs istiod.
  const meshNamespace = ctx.sidecars?.spec.meshNamespace;
  const pods = (await listPods(ctx)).filter((pod) => runsOnLocalNode(pod, ctx.nodeName)).sort((a, b) => Number(b.metadata.namespace === meshNamespace) - Number(a.metadata.namespace === meshNamespace));
  const namespaceLabels = ctx.sidecars ? await listNamespaceLabels(ctx) : new Map<string, Record<string, string>>();
  const table = readPodTable(ctx);
  const wanted = new Set(pods.map((p) => p.metadata.uid));
  const stopped: PodRecord[] = [];
  const kept: PodRecord[] = [];
  for (const record of table) {
    if (wanted.has(record.uid) && existsSync(`/run/netns/${record.netns}`)) kept.push(record);
    else {
      await stopPod(ctx, record);
      stopped.push(record);
    }
  }
  const used = new Set(kept.map((r) => r.ip));
  const started: PodRecord[] = [];
  const have = new Set(kept.map((r) => r.uid));
  for (const pod of pods.filter((p) => !have.has(p.metadata.uid))) {
    const podIp = nextPodIp(ctx.podCidr, used);
    used.add(podIp);
    const record = await startPod(ctx, pod, podIp, wantsSidecar(pod, namespaceLabels.get(pod.metadata.namespace) ?? {}));
    started.push(record);
    kept.push(record);
    writePodTable(ctx, kept);
    ctx.log(`  pod ${record.namespace}/${record.name}: ${record.ip} on ${record.veth} (${record.daemons.length} process(es)${record.daemons.some((d) => d.endsWith("_istio-proxy")) ? ", with a sidecar" : ""})`);
  }
  writePodTable(ctx, kept);
  return { started, stopped, running: kept };
}

/** Stops every pod process and removes every pod namespace in the table. */
export async function stopAllPods(ctx: Pick<NodeContext, "dir" | "pidDir">): Promise<number> {
  const table = readPodTable(ctx);
  for (const record of table) await stopPod(ctx, record);
  rmSync(tablePath(ctx), { force: true });
  return table.length;
}
