// The node: a network namespace with an uplink veth to the host namespace. Pods' traffic to the
// API server leaves the node through it (routed, like a node's traffic to a control-plane IP); the
// host namespace gets exactly one route back (the pod CIDR via the node), which disappears with
// the veth. Everything Felix and kube-proxy program lives in the node namespace.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { ip, run, sysctl } from "./command";
import { NODE_NETNS, POD_NETNS_PREFIX, UPLINK } from "./topology";

export function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

/** Every network namespace this backend may have created (node and pods), by name. */
export function labNetnsNames(): string[] {
  if (!existsSync("/run/netns")) return [];
  return readdirSync("/run/netns").filter((name) => name === NODE_NETNS || name.startsWith(POD_NETNS_PREFIX));
}

/** Why the dataplane cannot run here, or undefined when it can (root, `ip netns`, iptables, ipset). */
export async function dataplanePrerequisites(): Promise<string | undefined> {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "the dataplane creates network namespaces and veths: run as root";
  for (const [argv, pkg] of [
    [["ip", "netns", "list"], "iproute2"],
    [["iptables-nft", "--version"], "iptables"],
    [["ipset", "--version"], "ipset"],
    [["setpriv", "--version"], "util-linux"],
    [["sysctl", "--version"], "procps"],
  ] as const) {
    const result = await run(argv, { allowFailure: true });
    if (result.code !== 0) return `\`${argv.join(" ")}\` is not available (${result.stderr.trim().split("\n")[0] || `exit ${result.code}`}): install the Debian package ${pkg}`;
  }
  return undefined;
}

/**
 * The node's names are host-wide (one uplink, one pod-CIDR route), so one lab directory owns the
 * dataplane at a time; the owner is recorded next to the namespaces.
 */
export const OWNER_FILE = "/run/hard-tenancy-dataplane.owner";

export function dataplaneOwner(): string | undefined {
  return existsSync(OWNER_FILE) ? readFileSync(OWNER_FILE, "utf8").trim() : undefined;
}

/** Creates the node namespace and the uplink (idempotent: this lab's existing node is reused). */
export async function ensureNode(podCidr: string, labDir: string): Promise<"created" | "reused"> {
  const owner = dataplaneOwner();
  if (owner !== undefined && owner !== labDir) {
    throw new Error(`the local dataplane (netns ${NODE_NETNS}, veth ${UPLINK.hostInterface}) belongs to the lab in ${owner}; run \`npm run lab:down -- --backend local\` there first (or delete ${OWNER_FILE} if that directory is gone, then lab:down here)`);
  }
  if (netnsExists(NODE_NETNS)) return "reused";
  writeFileSync(OWNER_FILE, `${labDir}\n`);
  await ip(undefined, "netns", "add", NODE_NETNS);
  await ip(undefined, "link", "add", UPLINK.hostInterface, "type", "veth", "peer", "name", UPLINK.nodeInterface, "netns", NODE_NETNS);
  await ip(undefined, "addr", "add", `${UPLINK.hostAddress}/${UPLINK.prefixLength}`, "dev", UPLINK.hostInterface);
  await ip(undefined, "link", "set", UPLINK.hostInterface, "up");
  await ip(NODE_NETNS, "link", "set", "lo", "up");
  await ip(NODE_NETNS, "addr", "add", `${UPLINK.nodeAddress}/${UPLINK.prefixLength}`, "dev", UPLINK.nodeInterface);
  await ip(NODE_NETNS, "link", "set", UPLINK.nodeInterface, "up");
  await ip(NODE_NETNS, "route", "add", "default", "via", UPLINK.hostAddress);
  // The host answers pods (the API server's replies) through the node; the route is on the veth,
  // so deleting the veth deletes it.
  await ip(undefined, "route", "add", podCidr, "via", UPLINK.nodeAddress, "dev", UPLINK.hostInterface);
  // A node forwards between its pods and out of its uplink. Per network namespace, so the host's
  // own forwarding setting is untouched.
  await sysctl(NODE_NETNS, { "net.ipv4.ip_forward": "1", "net.ipv4.conf.all.forwarding": "1" });
  return "created";
}

/**
 * Deletes every namespace this backend created (pods first, then the node), the uplink (with its
 * route) and /etc/netns/<pod> resolver files. Idempotent; returns what it removed.
 */
export async function removeDataplaneNetwork(labDir: string): Promise<string[]> {
  const owner = dataplaneOwner();
  if (owner !== undefined && owner !== labDir) return [`left the dataplane alone: it belongs to the lab in ${owner}`];
  const removed: string[] = [];
  const names = labNetnsNames().sort((a, b) => (a === NODE_NETNS ? 1 : b === NODE_NETNS ? -1 : a.localeCompare(b)));
  for (const name of names) {
    await ip(undefined, "netns", "delete", name);
    removed.push(`netns ${name}`);
  }
  const uplink = await run(["ip", "link", "show", UPLINK.hostInterface], { allowFailure: true });
  if (uplink.code === 0) {
    await ip(undefined, "link", "delete", UPLINK.hostInterface);
    removed.push(`veth ${UPLINK.hostInterface}`);
  }
  if (existsSync("/etc/netns")) {
    for (const name of readdirSync("/etc/netns").filter((n) => n === NODE_NETNS || n.startsWith(POD_NETNS_PREFIX))) {
      rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
      removed.push(`/etc/netns/${name}`);
    }
  }
  rmSync(OWNER_FILE, { force: true });
  return removed;
}
