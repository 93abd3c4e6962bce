// What a real Envoy and a real istiod say about the configuration they exchanged: Envoy's admin
// stats (an update it could not load counts as `update_rejected` and is kept out of service), istiod's
// Prometheus counter of NACKs (pilot_total_xds_rejects), and the RBAC policies istiod compiled into
// a sidecar's listeners (config_dump). Parsers are pure; the fetchers read the admin/monitoring ports.

export interface EnvoyXdsCounters {
  ldsRejected: number;
  cdsRejected: number;
  ldsAccepted: number;
  cdsAccepted: number;
}

/** Envoy's `/stats` text (`name: value` lines). A missing counter is an error: it means the wrong page. */
export function parseEnvoyXdsCounters(stats: string): EnvoyXdsCounters {
  const values = new Map<string, number>();
  for (const line of stats.split("\n")) {
    const match = /^([\w.;-]+):\s+(\d+)$/.exec(line.trim());
    if (match) values.set(match[1], Number(match[2]));
  }
  const counter = (name: string): number => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`Envoy stats have no ${name}`);
    return value;
  };
  return {
    ldsRejected: counter("listener_manager.lds.update_rejected"),
    cdsRejected: counter("cluster_manager.cds.update_rejected"),
    ldsAccepted: counter("listener_manager.lds.update_success"),
    cdsAccepted: counter("cluster_manager.cds.update_success"),
  };
}

/** Sum of istiod's `pilot_total_xds_rejects` series (absent until the first NACK: 0). */
export function parseIstiodXdsRejects(metrics: string): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    const match = /^pilot_total_xds_rejects(?:\{[^}]*\})?\s+([0-9.e+]+)$/.exec(line.trim());
    if (match) total += Number(match[1]);
  }
  return total;
}

/** Every typed filter config of the config dump (listeners' network and HTTP filters), by filter name. */
export function filtersInConfigDump(dump: unknown): { name: string; typedConfig: Record<string, unknown> }[] {
  const found: { name: string; typedConfig: Record<string, unknown> }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.name === "string" && typeof record.typed_config === "object" && record.typed_config !== null) {
      found.push({ name: record.name, typedConfig: record.typed_config as Record<string, unknown> });
    }
    for (const value of Object.values(record)) walk(value);
  };
  walk(dump);
  return found;
}

/** Names of the RBAC policies in the dump's HTTP and network RBAC filters (`ns[<ns>]-policy[<name>]-rule[<i>]`). */
export function rbacPolicyNames(dump: unknown): { action: string; policies: string[] }[] {
  return filtersInConfigDump(dump)
    .filter((f) => f.name === "envoy.filters.http.rbac" || f.name === "envoy.filters.network.rbac")
    .map((f) => {
      const rules = (f.typedConfig.rules ?? {}) as { action?: string; policies?: Record<string, unknown> };
      return { action: rules.action ?? "ALLOW", policies: Object.keys(rules.policies ?? {}).sort() };
    });
}

export async function envoyXdsCounters(adminPort: number): Promise<EnvoyXdsCounters> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/stats?filter=update_(rejected|success)$`, { signal: AbortSignal.timeout(5_000) });
  return parseEnvoyXdsCounters(await response.text());
}

export async function istiodXdsRejects(monitoringPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${monitoringPort}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return parseIstiodXdsRejects(await response.text());
}

export async function envoyConfigDump(adminPort: number): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/config_dump`, { signal: AbortSignal.timeout(10_000) });
  return response.json();
}

/** The SPIFFE URIs of the certificates Envoy holds (admin /certs). */
export async function envoyCertificateUris(adminPort: number): Promise<string[]> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/certs`, { signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  return [...text.matchAll(/"uri":\s*"(spiffe:\/\/[^"]+)"/g)].map((m) => m[1]);
}
