// The local dataplane's names and addresses, pure. One "node" network namespace stands for the
// cluster's only node: Felix, kube-proxy and every pod's host-side veth live there, so the host's
// own routing and packet-filter tables are never written (only one uplink veth and one route in the
// host namespace, both removed with the veth). Pods are network namespaces of their own.
import { createHash } from "node:crypto";

/** The node agents the dataplane runs as daemons (pid files of these names). */
export const DATAPLANE_AGENTS = ["calico-felix", "kube-proxy"] as const;

/** The node's network namespace. */
export const NODE_NETNS = "ht-node";
/** Every pod namespace starts with this, so `down` can find leftovers by name. */
export const POD_NETNS_PREFIX = "ht-pod-";

/**
 * The link between the host namespace (where the API server runs) and the node namespace. The API
 * server binds the host side: pods reach it after kube-proxy's DNAT of the `kubernetes` Service
 * VIP, routed out of the node like a real node's traffic to a control-plane endpoint.
 */
export const UPLINK = {
  hostInterface: "ht-uplink",
  nodeInterface: "eth0",
  hostAddress: "172.31.255.1",
  nodeAddress: "172.31.255.2",
  prefixLength: 30,
} as const;

/** The gateway address Calico's CNI gives every pod (answered by proxy ARP on the host veth). */
export const CALICO_POD_GATEWAY = "169.254.1.1";
/** The MAC Calico's CNI sets on every host-side veth. */
export const CALICO_HOST_VETH_MAC = "ee:ee:ee:ee:ee:ee";
/** Felix's workload interface prefix (FELIX_INTERFACEPREFIX); also the CNI's veth name prefix. */
export const CALICO_INTERFACE_PREFIX = "cali";

/**
 * The host-side veth name Calico's CNI gives a pod and Felix expects: "cali" + the first 11 hex
 * digits of sha1("<namespace>.<pod>") (libcalico-go conversion.VethNameForWorkload).
 */
export function calicoVethName(namespace: string, pod: string): string {
  return CALICO_INTERFACE_PREFIX + createHash("sha1").update(`${namespace}.${pod}`).digest("hex").slice(0, 11);
}

/** A pod's network namespace: readable, and unique per pod (pod names are unique per namespace). */
export function podNetnsName(namespace: string, pod: string): string {
  return `${POD_NETNS_PREFIX}${namespace}.${pod}`;
}

function ipToNumber(ip: string): number {
  const octets = ip.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new Error(`${JSON.stringify(ip)} is not an IPv4 address`);
  return (((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]) >>> 0;
}

function numberToIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

export function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split("/");
  const prefix = Number(bits);
  if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`podCidr: ${cidr} must be an IPv4 CIDR between /8 and /30`);
  const size = 2 ** (32 - prefix);
  const base = ipToNumber(ip);
  if (base % size !== 0) throw new Error(`podCidr: ${cidr} has host bits set; use ${numberToIp(base - (base % size))}/${prefix}`);
  return { base, size };
}

/**
 * The next free pod address in the pool: lowest first, skipping the network address, the first
 * /26 block's low addresses are used in order (so IPs read well in the report), and `used`.
 */
export function nextPodIp(podCidr: string, used: ReadonlySet<string>): string {
  const { base, size } = parseCidr(podCidr);
  for (let offset = 2; offset < size - 1; offset++) {
    const ip = numberToIp(base + offset);
    if (!used.has(ip)) return ip;
  }
  throw new Error(`podCidr: ${podCidr} has no free address left for another pod`);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { base, size } = parseCidr(cidr);
  const value = ipToNumber(ip);
  return value >= base && value < base + size;
}
