// `cluster.*`: CIDRs, the post-DNAT API endpoints, trust domain, DNS.
import { DEFAULT_CLUSTER } from "./defaults";
import { cidrsOverlap, parseCidr, parseIp, type ParsedCidr } from "./cidr";
import { labelKeyError, labelValueError, isDnsLabel } from "./names";
import { child } from "./problems";
import { isPlainObject, type ConfigReader, type RawMap } from "./reader";
import type { ClusterSpec } from "./types";

const CLUSTER_KEYS = ["name", "podCidr", "serviceCidr", "apiServerEndpoints", "trustDomain", "dns", "kubeContext"] as const;
const DNS_KEYS = ["namespace", "podLabels"] as const;
const ENDPOINT_KEYS = ["cidr", "port"] as const;

export const API_ENDPOINT_FIX =
  "list where the API server really is after DNAT (Calico never sees the 10.96.0.1 VIP): on kind, the control-plane node IP/32 " +
  "(docker inspect <cluster>-control-plane) or at most the /24 of the kind docker network the nodes are in (e.g. 172.18.0.0/24) with port 6443; " +
  "on other clusters, the API server addresses and port (kubectl get endpoints kubernetes -n default)";

// SPIFFE trust domain names: lowercase letters, digits, ".", "-" and "_" (SPIFFE ID spec §2.1).
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;

/** Reads a CIDR string, reporting syntax and host-bit problems. */
export function readCidr(r: ConfigReader, value: unknown, field: string): ParsedCidr | undefined {
  if (typeof value !== "string") {
    r.add(field, `must be a CIDR string, got ${value === null ? "null" : typeof value}`, 'quote it, e.g. "10.244.0.0/16"');
    return undefined;
  }
  const parsed = parseCidr(value);
  if (parsed === undefined) {
    const ip = parseIp(value);
    const fix = ip !== undefined ? `add a prefix length: "${value}/${ip.family === 4 ? 32 : 128}" for this address alone` : 'write an address and a prefix length, e.g. "10.244.0.0/16" or "fd00:10:244::/56"';
    r.add(field, `is not a CIDR: ${JSON.stringify(value)}`, fix);
    return undefined;
  }
  if (!parsed.hostBitsZero) {
    r.add(field, `${JSON.stringify(value)} has host bits set (its network address is ${parsed.canonical})`, `write "${parsed.canonical}"`);
    return undefined;
  }
  return parsed;
}

export function readCluster(r: ConfigReader, root: RawMap): ClusterSpec {
  const raw = r.optionalMap(root, "cluster", "cluster", CLUSTER_KEYS);
  const name = r.string(raw, "name", "cluster.name", DEFAULT_CLUSTER.name, 'name the cluster, e.g. "prod-eu-1"');
  const nameProblem = labelValueError(name);
  if (nameProblem !== undefined) r.add("cluster.name", `${JSON.stringify(name)} ${nameProblem} (it is used as a label value)`, 'use a short name such as "prod-eu-1"');

  const podCidrText = r.string(raw, "podCidr", "cluster.podCidr", DEFAULT_CLUSTER.podCidr, 'set the pod CIDR, e.g. "10.244.0.0/16"');
  const serviceCidrText = r.string(raw, "serviceCidr", "cluster.serviceCidr", DEFAULT_CLUSTER.serviceCidr, 'set the service CIDR, e.g. "10.96.0.0/16"');
  const podCidr = raw.podCidr === undefined || typeof raw.podCidr === "string" ? readCidr(r, podCidrText, "cluster.podCidr") : undefined;
  const serviceCidr = raw.serviceCidr === undefined || typeof raw.serviceCidr === "string" ? readCidr(r, serviceCidrText, "cluster.serviceCidr") : undefined;
  if (podCidr && serviceCidr && podCidr.family !== serviceCidr.family) {
    r.add("cluster.serviceCidr", `${serviceCidr.canonical} is IPv${serviceCidr.family} but cluster.podCidr ${podCidr.canonical} is IPv${podCidr.family}`, "use one address family for pods and services (dual-stack is not supported), e.g. pods 10.244.0.0/16 and services 10.96.0.0/16");
  } else if (podCidr && serviceCidr && cidrsOverlap(podCidr, serviceCidr)) {
    r.add("cluster.podCidr", `${podCidr.canonical} overlaps cluster.serviceCidr ${serviceCidr.canonical}`, "choose disjoint ranges, e.g. pods 10.244.0.0/16 and services 10.96.0.0/16");
  }

  const apiServerEndpoints = readApiEndpoints(r, raw, { podCidr, serviceCidr });

  const trustDomain = r.string(raw, "trustDomain", "cluster.trustDomain", DEFAULT_CLUSTER.trustDomain, 'use the mesh trust domain, usually "cluster.local"');
  if (!TRUST_DOMAIN.test(trustDomain) || trustDomain.length > 255) {
    r.add("cluster.trustDomain", `${JSON.stringify(trustDomain)} is not a valid trust domain`, 'use lowercase letters, digits, ".", "-" and "_" only, e.g. "cluster.local"');
  }

  const dnsRaw = r.optionalMap(raw, "dns", "cluster.dns", DNS_KEYS);
  const dnsNamespace = r.string(dnsRaw, "namespace", "cluster.dns.namespace", DEFAULT_CLUSTER.dns.namespace, 'set the namespace of cluster DNS, usually "kube-system"');
  if (!isDnsLabel(dnsNamespace)) r.add("cluster.dns.namespace", `${JSON.stringify(dnsNamespace)} is not a DNS-1123 label`, 'use the namespace of cluster DNS, usually "kube-system"');
  const podLabels = readLabelSelector(r, dnsRaw, "podLabels", "cluster.dns.podLabels", DEFAULT_CLUSTER.dns.podLabels);

  const kubeContext = r.string(raw, "kubeContext", "cluster.kubeContext", DEFAULT_CLUSTER.kubeContext);
  // Canonical text (e.g. lowercase, compressed IPv6) so every consumer compares CIDRs as strings safely.
  return { name, podCidr: podCidr?.canonical ?? podCidrText, serviceCidr: serviceCidr?.canonical ?? serviceCidrText, apiServerEndpoints, trustDomain, dns: { namespace: dnsNamespace, podLabels }, kubeContext };
}

/** Longest allowance an endpoint may open: a /24 (IPv4) or /64 (IPv6) already holds far more than an API server's addresses. */
export const MIN_ENDPOINT_PREFIX = { 4: 24, 6: 64 } as const;

/** Why an endpoint CIDR is unfit for the API-server allowance, or undefined. */
function endpointCidrProblem(cidr: ParsedCidr, ranges: { podCidr?: ParsedCidr; serviceCidr?: ParsedCidr }): { message: string; fix: string } | undefined {
  if (cidr.prefixLength === 0) {
    return { message: `${cidr.canonical} is every address: it would open egress to the whole network on this port`, fix: API_ENDPOINT_FIX };
  }
  const min = MIN_ENDPOINT_PREFIX[cidr.family];
  if (cidr.prefixLength < min) {
    return { message: `${cidr.canonical} is wider than /${min}: the allowance would open egress to ${cidr.family === 4 ? 2 ** (32 - cidr.prefixLength) : `2^${128 - cidr.prefixLength}`} addresses on this port`, fix: `narrow it to the API server addresses, e.g. their /${cidr.family === 4 ? 32 : 128} each (at most a /${min})` };
  }
  if (ranges.serviceCidr && cidrsOverlap(cidr, ranges.serviceCidr)) {
    return { message: `${cidr.canonical} lies in cluster.serviceCidr ${ranges.serviceCidr.canonical}: Calico and NetworkPolicy see the API server after DNAT, never its service VIP, so this opens nothing that works`, fix: API_ENDPOINT_FIX };
  }
  if (ranges.podCidr && cidrsOverlap(cidr, ranges.podCidr)) {
    return { message: `${cidr.canonical} lies in cluster.podCidr ${ranges.podCidr.canonical}: it would open egress to pods (possibly other tenants') instead of the API server`, fix: API_ENDPOINT_FIX };
  }
  return undefined;
}

function readApiEndpoints(r: ConfigReader, raw: RawMap, ranges: { podCidr?: ParsedCidr; serviceCidr?: ParsedCidr }): ClusterSpec["apiServerEndpoints"] {
  const field = "cluster.apiServerEndpoints";
  if (raw.apiServerEndpoints === undefined) {
    r.add(field, "is required: it is the Kubernetes API endpoint as Calico sees it after DNAT, and no default is safe", API_ENDPOINT_FIX);
    return [];
  }
  const endpoints = r.list(raw, "apiServerEndpoints", field, [], (value, at) => {
    const entry = r.map(value, at, ENDPOINT_KEYS);
    if (!entry) return undefined;
    const cidr = entry.cidr === undefined ? (r.add(child(at, "cidr"), "is required", 'set the endpoint CIDR, e.g. "172.18.0.2/32"'), undefined) : readCidr(r, entry.cidr, child(at, "cidr"));
    const problem = cidr ? endpointCidrProblem(cidr, ranges) : undefined;
    if (problem) r.add(child(at, "cidr"), problem.message, problem.fix);
    const port = r.port(entry, "port", child(at, "port"), undefined);
    return cidr && port !== undefined ? { cidr: cidr.canonical, port } : undefined;
  });
  if (Array.isArray(raw.apiServerEndpoints) && raw.apiServerEndpoints.length === 0) {
    r.add(field, "must list at least one endpoint", API_ENDPOINT_FIX);
  }
  return endpoints;
}

/** A label map used as a selector: valid keys and values, at least one entry. */
export function readLabelSelector(r: ConfigReader, raw: RawMap, key: string, field: string, fallback: Record<string, string>): Record<string, string> {
  const labels = r.stringMap(raw, key, field, fallback);
  checkLabels(r, labels, field);
  if (isPlainObject(raw[key]) && Object.keys(labels).length === 0) {
    r.add(field, "must not be empty (an empty selector selects every pod)", "list the pod labels, e.g. k8s-app: kube-dns");
  }
  return labels;
}

export function checkLabels(r: ConfigReader, labels: Record<string, string>, field: string): void {
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyError(key);
    if (keyProblem !== undefined) r.add(child(field, key), `label key ${JSON.stringify(key)} is invalid: ${keyProblem}`, 'use a key like "team" or "example.com/team"');
    const valueProblem = labelValueError(value);
    if (valueProblem !== undefined) r.add(child(field, key), `label value ${JSON.stringify(value)} ${valueProblem}`, 'use a value like "payments"');
  }
}

