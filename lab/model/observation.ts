// What a client would see for one probe: the DESIGN §2 symptom table as a pure function.
//
// - Network layers (NetworkPolicy, Calico, ClusterNetworkPolicy) drop packets. A client without
//   its own Envoy (no sidecar, or bypassing it as UID 1337) times out: curl exit 28. A client
//   behind its sidecar talks to its local Envoy, which answers 503 "upstream connect error" after
//   its own connect timeout (HTTP) or closes the accepted stream (TCP) — unless the client gives up
//   first: Istio's connectTimeout defaults to 10 s (MeshConfig reference), the lab's curl waits 5 s,
//   so with the defaults the meshed client times out too (curl exit 28), as observed on the local
//   backend's real Envoys.
// - A STRICT server resets a plaintext connection: curl exit 56 for a client without Envoy; a
//   sidecar client whose Envoy sent plaintext through the PassthroughCluster sees its Envoy's 503
//   when the dialled port has an HTTP outbound listener, else the TCP passthrough's reset (curl exit 56).
// - An AuthorizationPolicy deny on traffic the server's Envoy parses as HTTP is a 403 with the
//   body "RBAC: access denied"; on TCP, Envoy closes the connection: "tcp reset", or curl exit 56
//   for an HTTP client talking to a port declared as TCP.
// - Kubernetes gives a Service without endpoints no backend: kube-proxy rejects (curl exit 7);
//   a sidecar's Envoy answers 503 "no healthy upstream".
// - An unresolvable Service name fails in DNS (curl exit 6), reported as "dns failure".
// Istio sidecars do not intercept UDP, so UDP always behaves as from a client without Envoy.
import type { ClientMode, ProbeProtocol } from "../probes/types";
import type { ClusterModel } from "./types";

/** How long the lab's probe clients wait by default (curl --max-time, lab/check/curl.ts). */
export const DEFAULT_CLIENT_TIMEOUT_SECONDS = 5;

/** MeshConfig `connectTimeout` when unset (Istio's MeshConfig reference: "Default timeout is 10s"). */
export const ISTIO_DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/** Whether a client behind its sidecar gives up on a dropped connection before its Envoy's connect timeout answers 503. */
export function clientGivesUpFirst(model: Pick<ClusterModel, "envoyConnectTimeoutSeconds" | "clientTimeoutSeconds">): boolean {
  return (model.envoyConnectTimeoutSeconds ?? ISTIO_DEFAULT_CONNECT_TIMEOUT_SECONDS) >= (model.clientTimeoutSeconds ?? DEFAULT_CLIENT_TIMEOUT_SECONDS);
}

export type ProbeOutcome =
  | "allow"
  | "network-deny"
  | "mtls-reject"
  | "authz-deny"
  | "unresolvable"
  | "no-endpoints"
  | "unknown";

export interface ObservationInput {
  outcome: ProbeOutcome;
  /** How the client sends (after defaulting from the source workload). */
  client: ClientMode;
  protocol: ProbeProtocol;
  /** The destination's sidecar parses the traffic as HTTP (an HTTP probe to a port not declared TCP). */
  serverParsesHttp?: boolean;
  /** To port 53 of cluster DNS: over UDP that is a DNS query (judged by resolution); TCP to it is judged as any connection. */
  dns?: boolean;
  /**
   * A sidecar client's Envoy has an HTTP outbound listener on the dialled port (outbound-listeners.ts).
   * Without one, the plaintext a STRICT server resets went through the TCP passthrough: a reset, not
   * a 503. Absent: assumed (the common case of a meshed HTTP port).
   */
  clientHttpListener?: boolean;
  /** A sidecar client's own timeout ends a dropped connection before its Envoy's connect timeout does (clientGivesUpFirst). */
  clientGivesUpFirst?: boolean;
}

export const OBSERVATIONS = {
  http200: "http 200",
  http403: "http 403 RBAC: access denied",
  http503Connect: "http 503 upstream connect error",
  http503NoUpstream: "http 503 no healthy upstream",
  timeout: "curl exit 28",
  reset: "curl exit 56",
  refused: "curl exit 7",
  tcpReset: "tcp reset",
  connected: "connected",
  dnsOk: "dns ok",
  dnsFailure: "dns failure",
  unknown: "unknown",
} as const;

export function observationFor(input: ObservationInput): string {
  const http = input.protocol === "HTTP";
  const viaOwnEnvoy = input.client === "sidecar" && input.protocol !== "UDP";
  if (input.dns && input.protocol === "UDP") {
    if (input.outcome === "allow") return OBSERVATIONS.dnsOk;
    if (input.outcome === "unknown") return OBSERVATIONS.unknown;
    return OBSERVATIONS.dnsFailure;
  }
  switch (input.outcome) {
    case "allow":
      return http ? OBSERVATIONS.http200 : OBSERVATIONS.connected;
    case "network-deny":
      if (!viaOwnEnvoy || input.clientGivesUpFirst) return OBSERVATIONS.timeout;
      return http ? OBSERVATIONS.http503Connect : OBSERVATIONS.tcpReset;
    case "mtls-reject":
      if (!viaOwnEnvoy) return OBSERVATIONS.reset;
      if (!http) return OBSERVATIONS.tcpReset;
      return input.clientHttpListener === false ? OBSERVATIONS.reset : OBSERVATIONS.http503Connect;
    case "authz-deny":
      if (input.serverParsesHttp) return OBSERVATIONS.http403;
      return http ? OBSERVATIONS.reset : OBSERVATIONS.tcpReset;
    case "no-endpoints":
      if (!viaOwnEnvoy) return OBSERVATIONS.refused;
      return http ? OBSERVATIONS.http503NoUpstream : OBSERVATIONS.tcpReset;
    case "unresolvable":
      return OBSERVATIONS.dnsFailure;
    case "unknown":
      return OBSERVATIONS.unknown;
  }
}
