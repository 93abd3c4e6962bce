// Catalogue probes → concrete requests, grouped by the source pod that sends them (one
// `kubectl exec` per source, never one per probe).
import type { CataloguedProbe, ProbeTarget } from "../probes/types";
import type { CurlRequest } from "./curl";

/** kind's (and kubeadm's) default cluster domain; Service names are resolved as `<svc>.<ns>.svc.<domain>`. */
export const CLUSTER_DOMAIN = "cluster.local";

export type ProbeMethod = "http" | "dns" | "tcp";

export interface PlannedProbe {
  probe: CataloguedProbe;
  /**
   * `dns`: only name resolution is judged (UDP 53 to kube-dns through the pod's resolver); `tcp`: only
   * the connection is judged (any answer, or none, once connected), which only a sidecar-free client
   * can show (behind a sidecar Envoy accepts every connection locally).
   */
  method: ProbeMethod;
  request: CurlRequest;
}

export interface SourceBatch {
  /** "ns/workload" */
  source: string;
  namespace: string;
  workload: string;
  /** The container that runs curl (the demo clients' container is named after the workload). */
  container: string;
  probes: PlannedProbe[];
}

/** Pod IP of one ready pod of "ns/workload", or undefined when none is known (e.g. in a dry run). */
export type PodIpLookup = (workload: string) => string | undefined;

/** Placeholder shown in plans for a pod IP resolved at run time. */
export function podIpPlaceholder(workload: string): string {
  return `<pod-ip:${workload}>`;
}

function splitRef(ref: string, field: string): [string, string] {
  const parts = ref.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new Error(`${field}: ${JSON.stringify(ref)} is not "namespace/name"; write it as e.g. "tenant-acme/echo"`);
  }
  return [parts[0], parts[1]];
}

function hostFor(target: ProbeTarget, lookupIp: PodIpLookup): string {
  if ("service" in target) {
    const [ns, name] = splitRef(target.service, "to.service");
    return `${name}.${ns}.svc.${CLUSTER_DOMAIN}`;
  }
  if ("workload" in target) {
    splitRef(target.workload, "to.workload");
    return lookupIp(target.workload) ?? podIpPlaceholder(target.workload);
  }
  return target.ip;
}

/** TCP probes are judged by the connection, DNS controls (UDP 53) by resolution; everything else is an HTTP request. */
export function probeMethod(probe: CataloguedProbe): ProbeMethod {
  if (probe.protocol === "TCP") return "tcp";
  return probe.category === "dns" || (probe.protocol === "UDP" && probe.to.port === 53) ? "dns" : "http";
}

export function requestFor(probe: CataloguedProbe, lookupIp: PodIpLookup): CurlRequest {
  const host = hostFor(probe.to, lookupIp);
  const path = probe.path ?? "/";
  if (!path.startsWith("/")) throw new Error(`probe ${probe.id}: path ${JSON.stringify(path)} must start with "/"`);
  return {
    url: `http://${host}:${probe.to.port}${path}`,
    method: probeMethod(probe) === "dns" ? "GET" : (probe.method ?? "GET"),
    headers: { ...(probe.headers ?? {}) },
  };
}

/** Groups probes by source workload, in first-seen order; probe order within a source is kept. */
export function groupBySource(probes: readonly CataloguedProbe[], lookupIp: PodIpLookup): SourceBatch[] {
  const batches = new Map<string, SourceBatch>();
  for (const probe of probes) {
    const [namespace, workload] = splitRef(probe.from, `probe ${probe.id}: from`);
    let batch = batches.get(probe.from);
    if (!batch) {
      batch = { source: probe.from, namespace, workload, container: workload, probes: [] };
      batches.set(probe.from, batch);
    }
    batch.probes.push({ probe, method: probeMethod(probe), request: requestFor(probe, lookupIp) });
  }
  return [...batches.values()];
}
