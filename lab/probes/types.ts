// Probes: one attempt by one source against one destination. Shared by the probe catalogue
// (what to attack), the isolation model (what should happen) and the live lab (what happened).
// The JSON shapes here are the `verify --probes` CLI contract: keep them stable.
import type { EnforcementLayer } from "../../components/spec/types";

export type L4Protocol = "TCP" | "UDP" | "SCTP";
export type ProbeProtocol = L4Protocol | "HTTP";
/** What sends the traffic: through its own Envoy, from a pod without one, or from UID 1337 past its own Envoy. */
export type ClientMode = "sidecar" | "no-sidecar" | "bypass";

export type ProbeTarget =
  | { service: string; port: number } // "ns/name", port is the Service port
  | { workload: string; port: number } // "ns/name", port is the container port
  | { ip: string; port: number };

export interface Probe {
  id: string;
  /** "ns/workload" */
  from: string;
  to: ProbeTarget;
  protocol: ProbeProtocol;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** Defaults to what the source workload has (sidecar or not). */
  client?: ClientMode;
}

export type Verdict = "allow" | "deny" | "unknown";
export type LayerVerdict = "allow" | "deny" | "not-applicable" | "unknown";

/** Model layer ids: the enforcement layers. */
export type LayerId = EnforcementLayer;

export interface PolicyRef {
  kind: string;
  namespace?: string;
  name: string;
  /** Rule index within the policy (0-based), when a rule decided. */
  rule?: number;
}

export interface ProbeResult {
  id: string;
  verdict: Verdict;
  layers: Partial<Record<LayerId, LayerVerdict>>;
  decidedBy?: PolicyRef;
  /** What a client would see: "http 200", "http 403 RBAC: access denied", "http 503 upstream connect error", "curl exit 28", "curl exit 56", "curl exit 7", "dns failure". */
  observation: string;
  /** Model caveats for this probe (e.g. a Service whose workloads disagree, an unresolvable target). */
  warnings?: string[];
  /**
   * Layers that do not exist where the probe was evaluated, each with why (e.g. "no mesh on this
   * backend"). Their `layers` entry is "not-applicable". Distinct from an ablated layer, which exists
   * and was removed on purpose (ablations carry no entry here).
   */
  absentLayers?: Partial<Record<LayerId, string>>;
}

export type ProbeCategory =
  | "cross-tenant" // attacker tenant → victim tenant, must be denied
  | "same-tenant" // positive control, must be allowed
  | "shared-service" // tenant → its own shared-service path, must be allowed
  | "shared-service-spoof" // tenant → another tenant's shared-service path or forged identity header, must be denied
  | "grant" // configured cross-tenant grant within scope, must be allowed
  | "grant-beyond-scope" // grant used for another path/method/workload, must be denied
  | "dns" // positive control: DNS to kube-dns
  | "api-server" // the tenant's pods → the API server endpoints: denied unless the tenant has apiServerAccess
  | "istiod"; // the tenant's pods → istiod: xDS/CA on 15012 allowed, its other ports (the injection webhook, 15017) denied

/** A probe in the catalogue: what we attempt and what must happen. */
export interface CataloguedProbe extends Probe {
  intent: "allow" | "deny";
  category: ProbeCategory;
  /** Tenant names; `victim` is the destination's tenant (or the shared namespace). */
  attacker: string;
  victim: string;
  description: string;
}
