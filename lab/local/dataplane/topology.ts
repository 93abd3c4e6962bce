// The local dataplane's names and addresses, pure. One "node" network namespace stands for the
// cluster's only node: Felix, kube-proxy and every pod's host-side veth live there, so the host's
// own routing and packet-filter tables are never written (only one uplink veth and one route in the
// host namespace, both removed with the veth). Pods are network namespaces of their own.
import { createHash } from "node:crypto";
import { formatIp, parseCidr, type ParsedCidr } from "../../../components/spec/cidr";

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

/** The pod CIDR as the spec's CIDR parser reads it: IPv4 only here, host bits clear. */
export function podPool(podCidr: string): ParsedCidr {
  const cidr = parseCidr(podCidr);
  if (!cidr || cidr.family !== 4 || cidr.prefixLength < 8 || cidr.prefixLength > 30) throw new Error(`podCidr: ${podCidr} must be an IPv4 CIDR between /8 and /30 for the local dataplane`);
  if (!cidr.hostBitsZero) throw new Error(`podCidr: ${podCidr} has host bits set; use ${cidr.canonical}`);
  return cidr;
}

/** The next free pod address in the pool: lowest first, skipping the network address and `used`. */
export function nextPodIp(podCidr: string, used: ReadonlySet<string>): string {
  const pool = podPool(podCidr);
  const size = 1n << BigInt(32 - pool.prefixLength);
  for (let offset = 2n; offset < size - 1n; offset++) {
    const ip = formatIp(4, pool.network + offset);
    if (!used.has(ip)) return ip;
  }
  throw new Error(`podCidr: ${podCidr} has no free address left for another pod`);
}
