// Istio `Sidecar` egress scoping: which services a client's Envoy knows.
//
// A Sidecar resource does not block traffic (DESIGN §3); it limits the config pushed to a proxy.
// But what the proxy does not know it cannot secure: auto mTLS needs the destination's cluster in
// the client proxy's config. Traffic to a host outside the client's `egress.hosts`, and traffic to
// a pod IP directly, matches no outbound route and leaves through the PassthroughCluster, an
// ORIGINAL_DST cluster without a TLS transport socket, i.e. in plaintext:
// - istio/istio#41978: with a Sidecar applied, "the traffic stopped being encrypted between the
//   two pods" and went through the Passthrough cluster;
// - istio/istio#22220, #20200: "the passthrough cluster ... does not have the mTLS config, thus
//   fails the mTLS requirement on server pods"; #37431: pod-IP calls break under STRICT.
// So the model turns such a call into a plaintext one at the peerAuthentication layer: a STRICT
// server resets it, and the client's own Envoy answers 503 (HTTP) or closes the stream (TCP).
//
// Selection (https://istio.io/latest/docs/reference/config/networking/sidecar/): the Sidecar
// whose `workloadSelector` matches the pod > the namespace's Sidecar without selector > the root
// namespace's Sidecar without selector; with none, the proxy knows every service. A Sidecar
// without `egress` inherits the next level's egress. Hosts are `namespace/dnsName` where the
// namespace is `*` (any), `.` (the workload's own namespace) or `~` (none), and dnsName is `*`,
// `*.suffix` or an FQDN. Egress listeners' `port` restrictions are not modelled (union of hosts).
import type { ClusterModel, ServiceInfo, Workload } from "../types";
import type { PolicyRef } from "../../probes/types";
import type { K8sObject } from "../../../components/k8s/object";
import { labelsMatch, policyLabel, readStringMap } from "./authz/selector";

export interface SidecarScopeDecision {
  known: boolean;
  /** The Sidecar that scoped the client, if any. */
  decidedBy?: PolicyRef;
  reason: string;
}

export interface SidecarScopeLayer {
  /** Does the client's proxy have `service` in its config (so it applies auto mTLS)? */
  knowsService(client: Workload, service: ServiceInfo): SidecarScopeDecision;
}

interface ParsedSidecar {
  ref: PolicyRef;
  namespace: string;
  selector?: Record<string, string>;
  /** Undefined when the Sidecar has no egress section (inherits). */
  hosts?: string[];
}

/** Kubernetes cluster DNS domain of Service FQDNs (not the Istio trust domain). */
export const CLUSTER_DNS_DOMAIN = "svc.cluster.local";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseSidecar(o: K8sObject, problems: string[]): ParsedSidecar {
  const spec = isRecord(o.spec) ? o.spec : {};
  const selector = isRecord(spec.workloadSelector) ? readStringMap(spec.workloadSelector.labels, "spec.workloadSelector.labels") : {};
  if (selector.error) problems.push(selector.error);
  let hosts: string[] | undefined;
  if (Array.isArray(spec.egress) && spec.egress.length > 0) {
    hosts = [];
    spec.egress.forEach((listener, i) => {
      const list = isRecord(listener) && Array.isArray(listener.hosts) ? listener.hosts : undefined;
      if (!list) {
        problems.push(`spec.egress[${i}].hosts must be a list of "namespace/dnsName"`);
        return;
      }
      list.forEach((host, j) => {
        if (typeof host === "string" && host.includes("/")) hosts?.push(host);
        else problems.push(`spec.egress[${i}].hosts[${j}] must look like "namespace/dnsName" (e.g. "./*" or "istio-system/*")`);
      });
    });
  } else if (spec.egress !== undefined && !Array.isArray(spec.egress)) problems.push("spec.egress must be a list of listeners");
  const namespace = o.metadata.namespace ?? "default";
  return {
    ref: { kind: "Sidecar", namespace, name: o.metadata.name },
    namespace,
    selector: isRecord(spec.workloadSelector) ? selector.map ?? {} : undefined,
    hosts,
  };
}

function hostMatches(host: string, clientNamespace: string, service: ServiceInfo): boolean {
  const slash = host.indexOf("/");
  const ns = host.slice(0, slash);
  const dns = host.slice(slash + 1).toLowerCase();
  if (ns === "~") return false;
  if (ns !== "*" && (ns === "." ? clientNamespace : ns) !== service.namespace) return false;
  const fqdn = `${service.name}.${service.namespace}.${CLUSTER_DNS_DOMAIN}`;
  if (dns === "*") return true;
  if (dns.startsWith("*")) return fqdn.endsWith(dns.slice(1));
  return dns === fqdn;
}

function addWarning(model: ClusterModel, warning: string): void {
  if (!model.warnings.includes(warning)) model.warnings.push(warning);
}

export function sidecarScopeLayer(model: ClusterModel): SidecarScopeLayer {
  const sidecars: ParsedSidecar[] = [];
  const objects = model.policies
    .filter((o) => o.kind === "Sidecar" && o.apiVersion.startsWith("networking.istio.io/"))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const o of objects) {
    const problems: string[] = [];
    sidecars.push(parseSidecar(o, problems));
    for (const problem of problems) addWarning(model, `${policyLabel(o)}: ${problem}`);
  }

  const first = (candidates: ParsedSidecar[], what: string): ParsedSidecar | undefined => {
    if (candidates.length > 1) addWarning(model, `${what} matches ${candidates.length} Sidecars; Istio picks the oldest, the model uses ${candidates[0].ref.name} (first by name)`);
    return candidates[0];
  };

  const byNamespace = new Map<string, ParsedSidecar[]>();
  for (const s of sidecars) {
    const list = byNamespace.get(s.namespace);
    if (list) list.push(s);
    else byNamespace.set(s.namespace, [s]);
  }
  const cache = new Map<Workload, ParsedSidecar[]>();
  /** The Sidecars that scope a workload, most specific first. */
  const chainFor = (w: Workload): ParsedSidecar[] => {
    let chain = cache.get(w);
    if (chain) return chain;
    const own = byNamespace.get(w.namespace) ?? [];
    const levels = [
      first(own.filter((s) => s.selector && labelsMatch(s.selector, w.podLabels)), `workload ${w.namespace}/${w.name}`),
      first(own.filter((s) => !s.selector), `namespace ${w.namespace}`),
      w.namespace === model.rootNamespace ? undefined : first((byNamespace.get(model.rootNamespace) ?? []).filter((s) => !s.selector), "the root namespace"),
    ];
    chain = levels.filter((s): s is ParsedSidecar => s !== undefined);
    cache.set(w, chain);
    return chain;
  };

  return {
    knowsService(client, service) {
      const scoping = chainFor(client).find((s) => s.hosts !== undefined);
      if (!scoping?.hosts) return { known: true, reason: "no Sidecar egress scoping: the proxy knows every service" };
      const known = scoping.hosts.some((h) => hostMatches(h, client.namespace, service));
      return {
        known,
        decidedBy: scoping.ref,
        reason: known
          ? `Sidecar ${scoping.namespace}/${scoping.ref.name} egress includes ${service.namespace}/${service.name}`
          : `Sidecar ${scoping.namespace}/${scoping.ref.name} egress does not include ${service.namespace}/${service.name}: traffic leaves through the PassthroughCluster without mTLS`,
      };
    },
  };
}
