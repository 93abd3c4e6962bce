// Observation → verdict + blocking layer, after DESIGN §2's symptom table. Never judged by a TCP
// connect: behind a sidecar the local Envoy always accepts, so only the HTTP status, the body and
// curl's exit code count.
//
// curl exit codes (libcurl-errors): 6 couldn't resolve host, 7 couldn't connect (refused/unreachable),
// 28 operation timed out, 52 empty reply from server, 56 failure receiving network data (reset).
// Istio: a plaintext client against a STRICT PeerAuthentication has its connection reset by the
// server's Envoy (curl 56, http_code 000); a request denied by an AuthorizationPolicy gets
// `403` with the body `RBAC: access denied`; a client's own Envoy that cannot reach the upstream
// answers `503` with `upstream connect error or disconnect/reset before headers…`.
import type { ClientMode, LayerId, ProbeResult, Verdict } from "../probes/types";
import type { RawObservation } from "./script";

/** Where the evidence points before the model is consulted. */
export type ObservedLayer = "none" | "network" | "network-or-mtls" | "peerAuthentication" | "authorization" | "dns" | "unknown";

/** Symptom families: two observations in one family are the same outcome seen through different timing. */
export type ObservationFamily = "allow" | "authorization" | "network" | "reset" | "dns" | "unknown";

export interface Classification {
  verdict: Verdict;
  layer: ObservedLayer;
  family: ObservationFamily;
  /** Canonical text in the model's vocabulary: "http 200", "http 403 RBAC: access denied", "curl exit 28", … */
  observation: string;
  /** Why, in a few words (shown in the report). */
  reason: string;
}

export const RBAC_DENIED_BODY = "RBAC: access denied";
/**
 * Go's net/http server answers a plain-HTTP request on its TLS port with 400 and this body
 * (net/http server.go): what the API-server probe (plain HTTP to the post-DNAT endpoint) gets when
 * the path is open. It proves the API server itself was reached.
 */
export const PLAINTEXT_ON_TLS_BODY = "Client sent an HTTP request to an HTTPS server";
export const API_SERVER_REACHED = "http 400 from the API server (plain HTTP on its TLS port)";
export const UPSTREAM_CONNECT_ERROR = "upstream connect error";

/** The `server` field of the demo echo server's JSON body. */
export const ECHO_SERVER_ID = "hard-tenancy-echo";

export const NETWORK_LAYERS: readonly LayerId[] = ["networkPolicy", "calico", "clusterNetworkPolicy"];

/**
 * The demo echo server answers with who it is. A 2xx without that body means something else
 * answered (a catch-all, a proxy's own page), which proves nothing about reachability.
 */
export function looksLikeEchoBody(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return false;
    const fields = parsed as Record<string, unknown>;
    // lab/workloads/echo-server.ts answers {"server":"hard-tenancy-echo","tenant",…,"workload",…}.
    return fields.server === ECHO_SERVER_ID || (typeof fields.workload === "string" && "tenant" in fields);
  } catch {
    return false;
  }
}

function result(verdict: Verdict, layer: ObservedLayer, family: ObservationFamily, observation: string, reason: string): Classification {
  return { verdict, layer, family, observation, reason };
}

function excerpt(body: string, max = 60): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * curl exit 28 is also what a lookup that outlives --max-time gives ("Resolving timed out after N
 * milliseconds", curl's own message): a DNS problem, not a dropped connection to the target.
 */
export function isResolveTimeout(raw: RawObservation): boolean {
  return raw.exitCode === 28 && /^Resolving timed out/i.test(raw.errorMessage);
}

/** Classifies an HTTP probe's raw result. `client` is how the source sent it. */
export function classifyObservation(raw: RawObservation, client: ClientMode): Classification {
  if (!raw.reported || raw.exitCode === null) {
    return result("unknown", "unknown", "unknown", "no result", raw.errorMessage || "the pod reported no exit status");
  }
  const exit = raw.exitCode;
  const http = raw.httpCode ?? 0;
  if (exit === 6) return result("unknown", "dns", "dns", "dns failure", `curl exit 6: ${raw.errorMessage || "could not resolve host"}`);
  if (isResolveTimeout(raw)) return result("unknown", "dns", "dns", "dns failure", `curl exit 28 while resolving: ${raw.errorMessage}`);
  if (exit === 28) return result("deny", "network", "network", "curl exit 28", "timed out: packets dropped on the way (network policy)");
  if (exit === 7) return result("deny", "network", "network", "curl exit 7", "connection refused or unreachable (network policy)");
  if (exit === 56 || exit === 52) {
    return result("deny", "peerAuthentication", "reset", `curl exit ${exit}`, "connection reset/closed without an HTTP answer: plaintext refused by STRICT mTLS");
  }
  if (exit !== 0) return result("unknown", "unknown", "unknown", `curl exit ${exit}`, raw.errorMessage || "curl failed for a reason no layer explains");
  if (http >= 200 && http < 300) {
    if (looksLikeEchoBody(raw.body)) return result("allow", "none", "allow", `http ${http}`, "the destination answered with its echo body");
    return result("unknown", "unknown", "unknown", `http ${http} without echo body`, `something other than the echo server answered: ${excerpt(raw.body)}`);
  }
  if (http === 403) {
    if (raw.body.includes(RBAC_DENIED_BODY)) {
      return result("deny", "authorization", "authorization", `http 403 ${RBAC_DENIED_BODY}`, "denied by an Istio AuthorizationPolicy");
    }
    return result("deny", "unknown", "unknown", "http 403", `403 without Envoy's RBAC body: ${excerpt(raw.body)}`);
  }
  if (http === 400 && raw.body.includes(PLAINTEXT_ON_TLS_BODY)) {
    return result("allow", "none", "allow", API_SERVER_REACHED, "a TLS server (the API server) answered the plain-HTTP request: the path is open");
  }
  if (http === 503 && raw.body.includes(UPSTREAM_CONNECT_ERROR)) {
    const why =
      client === "sidecar"
        ? "the client's own Envoy could not connect upstream: a network layer dropped it, or the mTLS handshake failed"
        : "an Envoy could not connect upstream";
    return result("deny", "network-or-mtls", "network", `http 503 ${UPSTREAM_CONNECT_ERROR}`, why);
  }
  return result("unknown", "unknown", "unknown", `http ${http}`, `unexpected answer: ${excerpt(raw.body)}`);
}

/** The canonical observation of a TCP connection that was established (lab/model/observation.ts says the same). */
export const CONNECTED = "connected";

/**
 * A TCP probe (lab/probes/l34-catalogue.ts: DNS over TCP, istiod's ports), sent with curl to a
 * server that may not speak HTTP: judged by the connection alone. Once connected, curl gets an
 * answer (exit 0), an HTTP/0.9 or otherwise unparsable reply (exit 1 "Received HTTP/0.9", exit 8),
 * an empty reply (52) or a reset (56); a dropped SYN times out (28), a rejected one is refused (7).
 * Only for sidecar-free clients: behind a sidecar Envoy accepts every connection itself.
 */
export function classifyConnectObservation(raw: RawObservation): Classification {
  if (!raw.reported || raw.exitCode === null) return result("unknown", "unknown", "unknown", "no result", raw.errorMessage || "the pod reported no exit status");
  const exit = raw.exitCode;
  if (exit === 6) return result("unknown", "dns", "dns", "dns failure", `curl exit 6: ${raw.errorMessage || "could not resolve host"}`);
  if (isResolveTimeout(raw)) return result("unknown", "dns", "dns", "dns failure", `curl exit 28 while resolving: ${raw.errorMessage}`);
  if (exit === 28) return result("deny", "network", "network", "curl exit 28", "timed out before connecting: packets dropped on the way (network policy)");
  if (exit === 7) return result("deny", "network", "network", "curl exit 7", "connection refused or unreachable (network policy, or nothing listening)");
  const answered = exit === 0 ? `answered (http ${raw.httpCode ?? 0})` : undefined;
  const connectedButNoHttp = exit === 52 || exit === 56 || exit === 8 || (exit === 1 && /HTTP\/0\.9/.test(raw.errorMessage));
  if (answered || connectedButNoHttp) {
    return result("allow", "none", "allow", CONNECTED, `TCP connection established: the server ${answered ?? `closed it without an HTTP answer (curl exit ${exit}${raw.errorMessage ? `: ${raw.errorMessage}` : ""})`}`);
  }
  return result("unknown", "unknown", "unknown", `curl exit ${exit}`, raw.errorMessage || "curl failed for a reason no layer explains");
}

/**
 * An HTTP probe where there is no mesh at all (the local backend): a reset cannot be STRICT mTLS,
 * and a 403 "RBAC: access denied" or a 503 "upstream connect error" cannot come from an Envoy that
 * is not there. Such answers are unexplained (inconclusive), never credited to a mesh layer.
 */
export function classifyObservationWithoutMesh(raw: RawObservation): Classification {
  const c = classifyObservation(raw, "no-sidecar");
  if (c.layer === "peerAuthentication") {
    return result("unknown", "unknown", "unknown", c.observation, `connected, then reset or closed without an HTTP answer, and there is no mesh on this backend to explain it (did the server die?)`);
  }
  if (c.layer === "authorization" || c.layer === "network-or-mtls") {
    return result("unknown", "unknown", "unknown", c.observation, `an Envoy's answer, but there is no mesh on this backend: something else answered`);
  }
  return c;
}

/** DNS positive control: resolution is all that is judged (any curl exit but 6 means the name resolved). */
export function classifyDnsObservation(raw: RawObservation): Classification {
  if (!raw.reported || raw.exitCode === null) return result("unknown", "unknown", "unknown", "no result", "the pod reported no exit status");
  if (raw.exitCode === 6 || isResolveTimeout(raw)) {
    return result("deny", "dns", "dns", "dns failure", `curl exit ${raw.exitCode}: ${raw.errorMessage || "could not resolve host"}`);
  }
  return result("allow", "none", "allow", "dns resolved", `name resolved (curl exit ${raw.exitCode})`);
}

/** The family of an observation string in the model's vocabulary. */
export function observationFamily(observation: string): ObservationFamily {
  const text = observation.trim().toLowerCase();
  // lab/model/observation.ts says "dns ok" for a name that resolves; the live check says "dns resolved".
  if (/^http 2\d\d/.test(text) || text === "dns resolved" || text === "dns ok" || text === CONNECTED || text === API_SERVER_REACHED.toLowerCase()) return "allow";
  if (text.startsWith("http 403")) return "authorization";
  if (text.startsWith("http 503") || text === "curl exit 28" || text === "curl exit 7") return "network";
  if (text === "curl exit 56" || text === "curl exit 52" || text === "tcp reset") return "reset";
  if (text.startsWith("dns")) return "dns";
  return "unknown";
}

/**
 * Names the enforcement layers behind an observed block, using the model's per-layer prediction
 * where the symptom alone is ambiguous (a 503 from a sidecar client is network or mTLS).
 */
export function attributeLayers(classification: Classification, prediction: ProbeResult | undefined): LayerId[] {
  const denying = (ids: readonly LayerId[]): LayerId[] => ids.filter((id) => prediction?.layers[id] === "deny");
  switch (classification.layer) {
    case "network":
      return denying(NETWORK_LAYERS);
    case "network-or-mtls":
      return denying([...NETWORK_LAYERS, "peerAuthentication"]);
    case "peerAuthentication":
      return ["peerAuthentication"];
    case "authorization":
      return ["authorization"];
    default:
      return [];
  }
}
