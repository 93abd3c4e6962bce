// What each Envoy of the local dataplane logged for a probe's request. The platform turns access
// logging on with the Telemetry API (provider `envoy`), so every sidecar writes Istio's default text
// format to its stdout (here: its log file). Each probe carries its own `x-request-id`
// (lab/plan/check.ts), which Envoy keeps on internal requests and logs as %REQ(X-REQUEST-ID)%: the
// server's entry for a 403 says which RBAC policy denied it in %RESPONSE_CODE_DETAILS%
// (`rbac_access_denied_matched_policy[…]`). Parsing is pure; reading walks the sidecars' log files.
import { existsSync, readFileSync } from "node:fs";
import type { EnvoyAccessRecord } from "../../check/compare";
import type { PodRecord } from "../dataplane/kubelet";
import { logFileOf } from "../processes";
import { meshedPods } from "./proxy-sync";

export interface AccessLogEntry {
  requestId: string;
  responseCode: number;
  responseFlags: string;
  responseCodeDetails: string;
  upstreamCluster: string;
}

/**
 * Istio's default access-log format (proxy config `accessLogFormat` unset), as 1.30 writes it:
 * [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
 * %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
 * "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
 * %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
 * "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% …
 */
const DEFAULT_FORMAT = /^\[[^\]]+\] "[^"]*" (\d+) (\S+) (\S+) \S+ "[^"]*" \d+ \d+ \S+ \S+ "[^"]*" "[^"]*" "([^"]*)" "[^"]*" "[^"]*" (\S+)/;

/** One access-log line, or undefined for anything else (Envoy's and pilot-agent's own log lines, TCP entries). */
export function parseAccessLogLine(line: string): AccessLogEntry | undefined {
  const match = DEFAULT_FORMAT.exec(line);
  if (!match || match[4] === "-" || match[4] === "") return undefined;
  return { responseCode: Number(match[1]), responseFlags: match[2], responseCodeDetails: match[3], requestId: match[4], upstreamCluster: match[5] };
}

/** The entries of the wanted request ids found in one sidecar's log text, tagged with the sidecar. */
export function entriesFor(logText: string, sidecar: string, wanted: ReadonlySet<string>, into: Map<string, EnvoyAccessRecord[]>): void {
  for (const line of logText.split("\n")) {
    if (!line.startsWith("[")) continue;
    const entry = parseAccessLogLine(line);
    if (!entry || !wanted.has(entry.requestId)) continue;
    const record: EnvoyAccessRecord = { sidecar, upstreamCluster: entry.upstreamCluster, responseCode: entry.responseCode, responseFlags: entry.responseFlags, responseCodeDetails: entry.responseCodeDetails };
    const list = into.get(entry.requestId) ?? [];
    // The server's sidecar (its inbound listener) first: that is where the RBAC filter decides.
    if (entry.upstreamCluster.startsWith("inbound|")) list.unshift(record);
    else list.push(record);
    into.set(entry.requestId, list);
  }
}

/** Reads every sidecar's log for the given request ids (the kubelet logs a sidecar as `<daemon>.log`). */
export function readSidecarAccessLogs(records: readonly PodRecord[], logDir: string, requestIds: readonly string[]): Map<string, EnvoyAccessRecord[]> {
  const wanted = new Set(requestIds);
  const found = new Map<string, EnvoyAccessRecord[]>();
  for (const record of meshedPods(records)) {
    const daemon = record.daemons.find((d) => d.endsWith("_istio-proxy"));
    const file = daemon ? logFileOf(logDir, daemon) : undefined;
    if (file && existsSync(file)) entriesFor(readFileSync(file, "utf8"), `${record.namespace}/${record.name}`, wanted, found);
  }
  return found;
}

/**
 * The entries of the probes' requests, waiting (up to `timeoutMs`) until every request answered 403
 * has its entries: pilot-agent starts Envoy with `--file-flush-interval-msec 1000`, so the last
 * lines reach the file up to a second after the probe.
 */
export async function sidecarAccessLogs(records: readonly PodRecord[], logDir: string, requests: readonly { requestId: string; httpCode: number | null }[], timeoutMs = 5_000): Promise<Map<string, EnvoyAccessRecord[]>> {
  const ids = requests.map((r) => r.requestId);
  const denied = requests.filter((r) => r.httpCode === 403).map((r) => r.requestId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = readSidecarAccessLogs(records, logDir, ids);
    if (denied.every((id) => found.get(id)?.some((e) => e.upstreamCluster.startsWith("inbound|"))) || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
