// Whether the local dataplane's sidecars have taken a mesh change, read from every Envoy itself:
// the listener and cluster updates it accepted and rejected (admin /stats). A change to a
// PeerAuthentication or an AuthorizationPolicy reaches a sidecar as a new LDS version (istiod
// rebuilds the inbound filter chains and RBAC filters of the proxies it selects), so "taken" is:
// some sidecar's accepted-update count moved, then none moved for a quiet period. A rejected
// update is never waited through: it fails at once (the hard gate of issue 15).
//
// Taken is not yet enforced on every request: connections accepted by the old filter chains (the
// client sidecars pool their mTLS connections to a server's sidecar) keep the old chain, RBAC
// filter included, until they drain. Istio runs Envoy with `--drain-strategy immediate
// --drain-time-s 45` (ProxyConfig drainDuration): such a connection answers its next request with
// the OLD policy and is then closed, and Envoy counts the chain in
// `listener_manager.total_filter_chains_draining` until the 45 s are up. Observed: right after an
// ablation took, pooled requests were still denied by a removed policy. So a change is enforced
// once no sidecar has a draining filter chain (waitUntilDrained).
import { inNetns } from "../dataplane/command";
import type { PodRecord } from "../dataplane/kubelet";
import { SIDECAR_PORTS } from "./config";
import { parseEnvoyXdsCounters, type EnvoyXdsCounters } from "./counters";

/** Envoy's draining filter chains (and listeners) in a sidecar's `/stats` text. */
export function parseDrainingChains(stats: string): number {
  let total = 0;
  for (const line of stats.split("\n")) {
    const match = /^listener_manager\.total_(?:filter_chains|listeners)_draining:\s+(\d+)$/.exec(line.trim());
    if (match) total += Number(match[1]);
  }
  return total;
}

/** Waits until no sidecar drains a filter chain any more: every connection then runs the current config. */
export async function waitUntilDrained(records: () => readonly PodRecord[], timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const draining = await Promise.all(
      meshedPods(records()).map(async (record) => {
        const stats = await inNetns(record.netns, ["curl", "-s", "--max-time", "5", `http://127.0.0.1:${SIDECAR_PORTS.envoyAdmin}/stats?filter=_draining$`], { allowFailure: true });
        return { pod: `${record.namespace}/${record.name}`, chains: parseDrainingChains(stats.stdout) };
      }),
    );
    const busy = draining.filter((d) => d.chains > 0);
    if (busy.length === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`sidecars still drain old filter chains ${timeoutMs / 1000} s after the change: ${busy.map((d) => `${d.pod} (${d.chains})`).join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Pods that run a sidecar (the kubelet names its process `…_istio-proxy`). */
export function meshedPods(records: readonly PodRecord[]): PodRecord[] {
  return records.filter((r) => r.daemons.some((d) => d.endsWith("_istio-proxy")));
}

/** Every sidecar's xDS counters, by "namespace/pod", read from its admin port inside its network namespace. */
export async function sidecarXdsCounters(records: readonly PodRecord[]): Promise<Map<string, EnvoyXdsCounters>> {
  const counters = new Map<string, EnvoyXdsCounters>();
  await Promise.all(
    meshedPods(records).map(async (record) => {
      const stats = await inNetns(record.netns, ["curl", "-s", "--max-time", "5", `http://127.0.0.1:${SIDECAR_PORTS.envoyAdmin}/stats?filter=update_(rejected|success)$`], { allowFailure: true });
      counters.set(`${record.namespace}/${record.name}`, parseEnvoyXdsCounters(stats.stdout));
    }),
  );
  return counters;
}

/** The sidecars that rejected any listener or cluster update, with their counts. */
export function rejectingSidecars(counters: ReadonlyMap<string, EnvoyXdsCounters>): string[] {
  return [...counters].filter(([, c]) => c.ldsRejected + c.cdsRejected > 0).map(([pod, c]) => `${pod} (${c.ldsRejected} LDS, ${c.cdsRejected} CDS rejected)`);
}

/** A fingerprint of the accepted updates: it changes whenever any sidecar takes a new listener or cluster version. */
export function acceptedUpdates(counters: ReadonlyMap<string, EnvoyXdsCounters>): string {
  return [...counters]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pod, c]) => `${pod}:${c.ldsAccepted}/${c.cdsAccepted}`)
    .join(" ");
}

/**
 * Snapshot of the sidecars' accepted updates, for waitForChange (lab/local/dataplane/changes.ts).
 * Throws when a sidecar rejected an update: its config is not what istiod computed.
 */
export function sidecarSnapshot(records: () => readonly PodRecord[]): () => Promise<string> {
  return async () => {
    const counters = await sidecarXdsCounters(records());
    const rejecting = rejectingSidecars(counters);
    if (rejecting.length > 0) throw new Error(`sidecar(s) rejected istiod's configuration: ${rejecting.join(", ")}; see their logs under .lab/local/logs`);
    return acceptedUpdates(counters);
  };
}
