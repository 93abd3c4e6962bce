// Peer matchers built from Kubernetes label selectors and CIDR blocks, shared by the
// NetworkPolicy and ClusterNetworkPolicy layers. Each caches its workload set on first use.
import { cidrContains, parseCidrOrAddress, type ParsedCidr } from "../../../components/spec/cidr";
import { ALL_IDS, NO_IDS, andIds, onlyIds, orIds, type IdSet } from "../idset";
import { endpointIps, type ModelIndex } from "../model-index";
import { matchesLabelSelector, type LabelSelector } from "../selectors";
import type { Endpoint } from "../types";
import type { PeerMatcher } from "./engine";

function lazy(compute: () => IdSet): () => IdSet {
  let value: IdSet | undefined;
  return () => (value ??= compute());
}

/**
 * A policy's CIDR ("a.b.c.d/n", IPv6 likewise, or a bare address as a host route), parsed by the
 * project's one IP implementation (components/spec/cidr.ts); `field` names it in the error.
 */
export function parsePolicyCidr(text: unknown, field: string): ParsedCidr {
  const parsed = typeof text === "string" ? parseCidrOrAddress(text.trim()) : undefined;
  if (!parsed) throw new Error(`${field}: ${JSON.stringify(text)} is not a valid CIDR; use e.g. "10.0.0.0/8" or "fd00::/8"`);
  return parsed;
}

/** A /0 block: matches every address of its family, so it also matches pods whose IPs are unknown. */
export function isWholeFamily(cidr: ParsedCidr): boolean {
  return cidr.prefixLength === 0;
}

export const ANY_PEER: PeerMatcher = { matches: () => true, workloadIds: () => ALL_IDS };
export const NO_PEER: PeerMatcher = { matches: () => false, workloadIds: () => NO_IDS };

/**
 * Pods selected by namespace and pod label selectors. `namespace` fixes one namespace (used when
 * no namespace selector is given); an absent selector means "all" for that dimension.
 */
export function podPeer(index: ModelIndex, scope: { namespace?: string; namespaceSelector?: LabelSelector; podSelector?: LabelSelector }): PeerMatcher {
  const { namespace, namespaceSelector, podSelector } = scope;
  const namespaceOk = (ns: string): boolean => {
    if (namespaceSelector) {
      const info = index.model.namespaces.get(ns);
      return matchesLabelSelector(namespaceSelector, info?.labels ?? { "kubernetes.io/metadata.name": ns });
    }
    return namespace === undefined || ns === namespace;
  };
  return {
    matches: (ep) => ep.type === "workload" && namespaceOk(ep.workload.namespace) && (!podSelector || matchesLabelSelector(podSelector, ep.workload.podLabels)),
    workloadIds: lazy(() => {
      let namespaces: IdSet;
      if (namespaceSelector) namespaces = index.namespaceLabels.select(namespaceSelector);
      else if (namespace !== undefined) {
        const id = index.namespaceId(namespace);
        namespaces = id === undefined ? NO_IDS : onlyIds([id]);
      } else namespaces = ALL_IDS;
      const inNamespaces = index.workloadsInNamespaces(namespaces);
      return podSelector ? andIds(inNamespaces, index.podLabels.select(podSelector)) : inNamespaces;
    }),
  };
}

/**
 * IP blocks. A workload matches when one of its IPs (the connection's IP if given, else its
 * known pod IPs) is inside `cidr` and outside every `except`. Pod IPs are often unknown in
 * manifests: then only a whole-family block (0.0.0.0/0, ::/0) without exceptions matches, since
 * it contains every address; any narrower block (or one with exceptions) cannot be decided and
 * is treated as not matching the pod.
 */
export function cidrPeer(index: ModelIndex, cidr: ParsedCidr, except: ParsedCidr[] = []): PeerMatcher {
  const ipMatches = (ip: string): boolean => cidrContains(cidr, ip) && !except.some((e) => cidrContains(e, ip));
  const matchesUnknownIp = isWholeFamily(cidr) && except.length === 0;
  return {
    matches(ep: Endpoint) {
      const ips = endpointIps(ep);
      return ips.length === 0 ? matchesUnknownIp : ips.some(ipMatches);
    },
    workloadIds: lazy(() => {
      if (matchesUnknownIp) return ALL_IDS;
      return onlyIds(index.workloadsWithIps.filter((id) => index.workloads[id].podIPs.some(ipMatches)));
    }),
  };
}

export function anyOfPeers(peers: PeerMatcher[]): PeerMatcher {
  if (peers.length === 1) return peers[0];
  return {
    matches: (ep) => peers.some((p) => p.matches(ep)),
    workloadIds: lazy(() => peers.reduce<IdSet>((acc, p) => orIds(acc, p.workloadIds()), NO_IDS)),
  };
}
