// The Probe way to ask: one attempt by one source, evaluated through all five layers, with the
// observation a client would see. `createProbeEvaluator` builds every layer's index once; each
// call then only walks the policies that apply to the two endpoints.
//
// Path of one attempt (and the order `decidedBy` follows):
//   network layers: ClusterNetworkPolicy (admin tier), Calico, Kubernetes NetworkPolicy →
//   peerAuthentication (mTLS at the server's sidecar) → authorization.
// Every layer is evaluated even when an earlier one denies, so each layer's own verdict is
// visible (defense in depth); an ablated layer is "not-applicable" and behaves as if its
// policies did not exist (ablated peerAuthentication = Istio's PERMISSIVE default).
//
// How the network layers combine (the overall verdict), per upstream precedence:
// - ClusterNetworkPolicy and NetworkPolicy are not ANDed: they form one pipeline, Admin tier →
//   NetworkPolicy → Baseline tier (layers/kubernetes-tiers.ts). An Admin Accept/Allow is final, so
//   a NetworkPolicy deny shown in `layers.networkPolicy` did not decide; an Admin Deny beats any
//   NetworkPolicy allow; Pass (or no match) lets NetworkPolicy decide; Baseline only applies to
//   pods no NetworkPolicy isolates.
// - Calico is ANDed with that pipeline: a Calico deny always denies. In Calico the Kubernetes
//   Admin tier is the Tier "kube-admin" (formerly "adminnetworkpolicy") at order 1,000 with
//   defaultAction Pass, NetworkPolicies live in the "default" tier (order 1,000,000) and the
//   Baseline tier at 10,000,000 (docs.tigera.io, "Get started with policy tiers"). Calico tiers
//   ordered below 1,000 (like this platform's) run before the Admin tier, so their Allow/Deny
//   really are independent of it. For Calico tiers ordered after it, an Admin Accept/Deny would in
//   reality end evaluation before them; the model still counts their deny (a deliberate, stricter
//   simplification: it can predict a deny Calico would not enforce, never the reverse).
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import type { ClientMode, L4Protocol, LayerId, LayerVerdict, PolicyRef, Probe, ProbeResult } from "../probes/types";
import { findService, findWorkload, resolveServicePort, serviceSelects, servicesInNamespace, workloadByIp, workloadId } from "./cluster";
import { calicoLayer } from "./layers/calico";
import { clusterNetworkPolicyLayer } from "./layers/cluster-network-policy";
import { kubernetesTiers } from "./layers/kubernetes-tiers";
import { networkPolicyLayer } from "./layers/network-policy";
import { modelIndex } from "./model-index";
import { authorizationLayer, type AuthzRequest } from "./layers/authorization-policy";
import { peerAuthenticationLayer } from "./layers/peer-authentication";
import { sidecarScopeLayer } from "./layers/sidecar-scope";
import { MESH_LAYERS, meshFreeModel, sidecarFreeProbe, withMeshAbsent, type MeshPresence } from "./mesh";
import { clientGivesUpFirst, OBSERVATIONS, observationFor, type ProbeOutcome } from "./observation";
import { isNonHttpPortName, outboundHttpListenerLookup } from "./outbound-listeners";
import type { ClusterModel, Connection, HttpRequest, LayerDecision, NetworkLayerEvaluator, ServiceInfo, Workload } from "./types";

/** A probe that contradicts the manifests (its source does not exist, or its client mode is impossible there). */
export class ProbeInputError extends Error {}

/** The cluster DNS Service by-name probes resolve through (kubeadm and kind name it kube-dns). */
export const CLUSTER_DNS_SERVICE = "kube-dns";

export interface ProbeEvaluatorOptions {
  ablate?: LayerId[];
  /**
   * "absent": a cluster without a mesh (lab/model/mesh.ts): no workload has a sidecar, every client
   * sends plaintext itself, and peerAuthentication and authorization are reported absent (with
   * why) instead of evaluated. Default "present".
   */
  mesh?: MeshPresence;
}

/** One concrete destination after resolving the probe's target. */
export interface Target {
  workload: Workload;
  port: number;
  portName?: string;
  /** Reached through this Service (by name or by its ClusterIP): the client's Envoy may know it. */
  service?: ServiceInfo;
  /** Addressed by pod IP (or a workload directly): no Service, so a sidecar client passes through. */
  ip?: string;
}

export type Resolution =
  | { kind: "targets"; targets: Target[]; dns: boolean }
  | { kind: "external"; ip: string; port: number; dns: boolean }
  | { kind: "no-endpoints" | "unresolvable" | "unknown"; reason: string; dns: boolean };

interface TargetEvaluation {
  target: Target;
  /** Each layer's own verdict (what `layers` shows). */
  decisions: Partial<Record<LayerId, LayerDecision>>;
  /** The decisions that decide, with the Kubernetes tiers combined (see the header). */
  effective: Partial<Record<LayerId, LayerDecision>>;
  outcome: ProbeOutcome;
  serverParsesHttp: boolean;
}

export const NETWORK_ORDER = ["clusterNetworkPolicy", "calico", "networkPolicy"] as const;
export const PATH_ORDER: readonly LayerId[] = [...NETWORK_ORDER, "peerAuthentication", "authorization"];

export function l4Of(probe: Probe): L4Protocol {
  return probe.protocol === "HTTP" ? "TCP" : probe.protocol;
}

export function isDnsPort(port: number): boolean {
  return port === 53;
}

/**
 * A by-name probe makes the client resolve the name first (over UDP to cluster DNS), except a UDP
 * DNS query itself, which is the lookup. A TCP connection to port 53 by name is looked up first.
 */
export function needsNameLookup(probe: Probe): boolean {
  return "service" in probe.to && !(isDnsPort(probe.to.port) && l4Of(probe) === "UDP");
}

/** Resolves a probe's target to concrete workloads and ports, and tells which ports a server's sidecar parses as HTTP. */
export interface TargetResolver {
  resolve: (probe: Probe) => Resolution;
  portParsesHttp: (w: Workload, port: number, portName: string | undefined) => boolean;
}

export function createTargetResolver(model: ClusterModel): TargetResolver {
  const protocolCache = new Map<string, boolean>();
  /** Does the server's sidecar parse this port as HTTP? Unnamed ports are sniffed (HTTP detected). */
  const portParsesHttp = (w: Workload, port: number, portName: string | undefined): boolean => {
    const key = `${workloadId(w)}:${port}`;
    const cached = protocolCache.get(key);
    if (cached !== undefined) return cached;
    const names = [portName];
    for (const service of servicesInNamespace(model, w.namespace)) {
      if (!serviceSelects(service, w)) continue;
      for (const sp of service.ports) {
        const matches = typeof sp.targetPort === "number" ? sp.targetPort === port : sp.targetPort === portName;
        if (matches) names.push(sp.name);
      }
    }
    const http = !names.some(isNonHttpPortName);
    protocolCache.set(key, http);
    return http;
  };

  const containerPortName = (w: Workload, port: number, protocol: L4Protocol): string | undefined =>
    w.ports.find((p) => p.containerPort === port && p.protocol === protocol)?.name;

  function resolve(probe: Probe): Resolution {
    const l4 = l4Of(probe);
    const to = probe.to;
    if ("service" in to) {
      const service = findService(model, to.service);
      if (!service) return { kind: "unresolvable", reason: `Service ${to.service} does not exist`, dns: isDnsPort(to.port) };
      return resolveService(service, to.port, l4);
    }
    if ("workload" in to) {
      const workload = findWorkload(model, to.workload);
      if (!workload) return { kind: "unresolvable", reason: `workload ${to.workload} does not exist`, dns: isDnsPort(to.port) };
      return { kind: "targets", dns: isDnsPort(to.port), targets: [{ workload, port: to.port, portName: containerPortName(workload, to.port, l4), ip: workload.podIPs[0] }] };
    }
    const service = model.services.find((s) => s.clusterIP === to.ip);
    if (service) return resolveService(service, to.port, l4);
    const workload = workloadByIp(model, to.ip);
    if (workload) return { kind: "targets", dns: isDnsPort(to.port), targets: [{ workload, port: to.port, portName: containerPortName(workload, to.port, l4), ip: to.ip }] };
    return { kind: "external", ip: to.ip, port: to.port, dns: isDnsPort(to.port) };
  }

  function resolveService(service: ServiceInfo, port: number, l4: L4Protocol): Resolution {
    const id = `${service.namespace}/${service.name}`;
    const dns = isDnsPort(port);
    const resolved = resolveServicePort(model, id, port);
    if (!resolved || !service.ports.some((p) => p.port === port && p.protocol === l4)) {
      return { kind: "unknown", reason: `Service ${id} has no ${l4} port ${port}`, dns };
    }
    const targets = resolved.targets.filter((t) => t.protocol === l4).map((t) => ({ workload: t.workload, port: t.port, portName: t.portName, service }));
    if (targets.length === 0) return { kind: "no-endpoints", reason: `Service ${id} port ${port} selects no workload`, dns };
    return { kind: "targets", targets, dns };
  }

  return { resolve, portParsesHttp };
}

export function createProbeEvaluator(cluster: ClusterModel, options: ProbeEvaluatorOptions = {}): (probe: Probe) => ProbeResult {
  if (options.mesh === "absent") {
    // Without a mesh: the same cluster with no sidecar anywhere, every probe sent sidecar-free, the
    // mesh layers not evaluated and reported absent.
    const evaluate = createProbeEvaluator(meshFreeModel(cluster), { ablate: [...new Set([...(options.ablate ?? []), ...MESH_LAYERS])] });
    return (probe) => withMeshAbsent(evaluate(sidecarFreeProbe(probe)));
  }
  const model = cluster;
  const givesUp = clientGivesUpFirst(model);
  const ablated = new Set<LayerId>(options.ablate ?? []);
  const clusterPolicies = ablated.has("clusterNetworkPolicy") ? undefined : clusterNetworkPolicyLayer(model, { networkPolicies: !ablated.has("networkPolicy") });
  const calico = ablated.has("calico") ? undefined : calicoLayer(model);
  const networkPolicies = ablated.has("networkPolicy") ? undefined : networkPolicyLayer(model);
  const network: NetworkLayerEvaluator[] = [clusterPolicies, calico, networkPolicies].filter((l): l is NonNullable<typeof l> => l !== undefined);
  const kubernetes = kubernetesTiers(modelIndex(model), clusterPolicies, networkPolicies);
  /** Each network layer's own decision, and the decisions that decide (Kubernetes tiers combined). */
  const networkDecisions = (conn: Connection): { decisions: Partial<Record<LayerId, LayerDecision>>; effective: Partial<Record<LayerId, LayerDecision>> } => {
    const decisions: Partial<Record<LayerId, LayerDecision>> = {};
    for (const layer of network) decisions[layer.id] = layer.evaluate(conn);
    const effective: Partial<Record<LayerId, LayerDecision>> = decisions.calico ? { calico: decisions.calico } : {};
    if (kubernetes) {
      const combined = kubernetes.evaluate(conn);
      // Filed under the layer whose policy decided, so `decidedBy` keeps the path order.
      effective[combined.decidedBy?.kind === "NetworkPolicy" ? "networkPolicy" : "clusterNetworkPolicy"] = combined;
    }
    return { decisions, effective };
  };
  const peerAuth = ablated.has("peerAuthentication") ? undefined : peerAuthenticationLayer(model);
  const authz = ablated.has("authorization") ? undefined : authorizationLayer(model);
  const scope = sidecarScopeLayer(model);

  const { resolve, portParsesHttp } = createTargetResolver(model);
  const hasHttpListener = outboundHttpListenerLookup(model, scope);
  const dnsLookupBlocked = createDnsLookupCheck(model, networkDecisions, (d) => outcomeOf(d.effective) === "network-deny");

  function evaluateTarget(probe: Probe, source: Workload, client: ClientMode, target: Target): TargetEvaluation {
    const l4 = l4Of(probe);
    const dst = target.workload;
    const conn: Connection = {
      from: { type: "workload", workload: source, ...(source.podIPs[0] ? { ip: source.podIPs[0] } : {}) },
      to: { type: "workload", workload: dst, ...((target.ip ?? dst.podIPs[0]) ? { ip: target.ip ?? dst.podIPs[0] } : {}) },
      port: target.port,
      ...(target.portName ? { portName: target.portName } : {}),
      protocol: l4,
    };
    const { decisions, effective } = networkDecisions(conn);

    // Sidecars intercept TCP only (iptables/istio-cni redirect TCP); UDP/SCTP bypass Envoy.
    const meshApplies = dst.sidecar && l4 === "TCP";
    const serverParsesHttp = probe.protocol === "HTTP" && portParsesHttp(dst, target.port, target.portName);
    const mode = peerAuth?.mode(dst, target.port) ?? "PERMISSIVE";
    // Auto mTLS: a sidecar client originates Istio mTLS only to destinations its Envoy knows (a
    // Service inside its Sidecar egress scope) whose endpoints have a sidecar and whose inferred
    // PeerAuthentication mode is not DISABLE. Pod-IP calls and out-of-scope hosts leave through the
    // PassthroughCluster in plaintext (see layers/sidecar-scope.ts).
    const viaOwnEnvoy = client === "sidecar" && l4 === "TCP";
    const known = viaOwnEnvoy && target.service !== undefined && scope.knowsService(source, target.service).known;
    const mtls = known && meshApplies && mode !== "DISABLE";

    const mesh: MeshFacts = { source, client, target, l4, meshApplies, viaOwnEnvoy };
    if (peerAuth) decisions.peerAuthentication = peerAuthenticationDecision(mesh, mode, mtls, meshApplies ? peerAuth.decidedBy(dst, target.port) : undefined);
    if (authz) {
      decisions.authorization = meshApplies
        ? authz.evaluate(authzRequestOf(model, probe, mesh, mtls, serverParsesHttp))
        : authorizationNotApplicable(mesh);
    }
    if (decisions.peerAuthentication) effective.peerAuthentication = decisions.peerAuthentication;
    if (decisions.authorization) effective.authorization = decisions.authorization;
    return { target, decisions, effective, outcome: outcomeOf(effective), serverParsesHttp };
  }

  return (probe: Probe): ProbeResult => {
    const { source, client } = probeSource(model, probe);
    if (needsNameLookup(probe)) {
      const lookup = dnsLookupBlocked(source);
      if (lookup) return resultOf(probe, lookup.decisions, lookup.effective, "network-deny", OBSERVATIONS.dnsFailure, ablated);
    }
    const resolution = resolve(probe);
    if (resolution.kind === "external") {
      const { decisions, effective } = networkDecisions(externalConnection(probe, source, resolution));
      const outcome = outcomeOf(effective);
      return resultOf(probe, decisions, effective, outcome, observationFor({ clientGivesUpFirst: givesUp, outcome, client, protocol: probe.protocol, dns: resolution.dns }), ablated);
    }
    if (resolution.kind !== "targets") {
      const decisions: Partial<Record<LayerId, LayerDecision>> = {};
      for (const id of ENFORCEMENT_LAYERS) if (!ablated.has(id)) decisions[id] = { verdict: "unknown", reason: resolution.reason };
      const observation = observationFor({ clientGivesUpFirst: givesUp, outcome: resolution.kind === "unknown" ? "unknown" : resolution.kind, client, protocol: probe.protocol, dns: resolution.dns && resolution.kind !== "unresolvable" });
      return { ...resultOf(probe, decisions, decisions, "unknown", observation, ablated), warnings: [`probe ${probe.id}: ${resolution.reason}`] };
    }
    const evaluations = resolution.targets.map((t) => evaluateTarget(probe, source, client, t));
    const chosen = evaluations.find((e) => e.outcome === "allow") ?? evaluations.find((e) => e.outcome === "unknown") ?? evaluations[0];
    // Plaintext from a sidecar client (an unknown destination) is answered by its Envoy: a 503 on a
    // port with an HTTP outbound listener, a TCP passthrough reset elsewhere (outbound-listeners.ts).
    const clientHttpListener = client === "sidecar" && chosen.outcome === "mtls-reject" ? hasHttpListener(source, probe.to.port) : undefined;
    const observation = observationFor({ clientGivesUpFirst: givesUp, outcome: chosen.outcome, client, protocol: probe.protocol, serverParsesHttp: chosen.serverParsesHttp, dns: resolution.dns, ...(clientHttpListener === undefined ? {} : { clientHttpListener }) });
    const result = resultOf(probe, chosen.decisions, chosen.effective, chosen.outcome, observation, ablated);
    const outcomes = new Set(evaluations.map((e) => e.outcome));
    if (outcomes.size > 1) {
      const detail = evaluations.map((e) => `${workloadId(e.target.workload)}: ${e.outcome}`).join(", ");
      result.warnings = [`probe ${probe.id}: the Service's workloads disagree (${detail}); reported as ${chosen.outcome}`];
    }
    return result;
  };
}

/** The probe's source workload, and how it sends (by default as the workload has a sidecar or not). */
export function probeSource(model: ClusterModel, probe: Probe): { source: Workload; client: ClientMode } {
  const source = findWorkload(model, probe.from);
  if (!source) throw new ProbeInputError(`probe ${probe.id}: source workload "${probe.from}" not found; "from" must be "namespace/name" of a workload in the manifests`);
  if (probe.client !== undefined && probe.client !== "no-sidecar" && !source.sidecar) {
    throw new ProbeInputError(`probe ${probe.id}: client "${probe.client}" needs a sidecar, but ${probe.from} has none (no istio-proxy container and no injection label); use "client": "no-sidecar" or pick a meshed source`);
  }
  return { source, client: probe.client ?? (source.sidecar ? "sidecar" : "no-sidecar") };
}

/** The UDP 53 connections a by-name lookup from `source` makes: one per cluster DNS pod. */
export function dnsLookupConnections(model: ClusterModel, source: Workload): Connection[] {
  const dns = model.services.find((s) => s.name === CLUSTER_DNS_SERVICE && s.namespace === "kube-system") ?? model.services.find((s) => s.name === CLUSTER_DNS_SERVICE);
  const targets = dns ? (resolveServicePort(model, `${dns.namespace}/${dns.name}`, 53)?.targets ?? []).filter((t) => t.protocol === "UDP") : [];
  return targets.map((t) => ({ from: { type: "workload", workload: source }, to: { type: "workload", workload: t.workload }, port: t.port, protocol: "UDP", ...(t.portName ? { portName: t.portName } : {}) }));
}

/**
 * A name lookup goes to the cluster DNS pods over UDP 53 before curl connects anywhere. When the
 * model has the DNS Service and its pods and every one of them is unreachable from the source, the
 * lookup fails (curl exit 6): the decisions of that lookup, else null. Without DNS pods in the
 * manifests the model cannot tell and assumes the name resolves. Cached per source.
 */
export function createDnsLookupCheck<D>(model: ClusterModel, decide: (conn: Connection) => D, denied: (d: D) => boolean): (source: Workload) => D | null {
  const cache = new Map<string, D | null>();
  return (source) => {
    const key = workloadId(source);
    if (cache.has(key)) return cache.get(key)!;
    let blocked: D | null = null;
    for (const conn of dnsLookupConnections(model, source)) {
      const attempt = decide(conn);
      if (!denied(attempt)) {
        blocked = null;
        break;
      }
      blocked = attempt;
    }
    cache.set(key, blocked);
    return blocked;
  };
}

/** A probe to an address outside the cluster: only the source's egress decides. */
export function externalConnection(probe: Probe, source: Workload, resolution: Extract<Resolution, { kind: "external" }>): Connection {
  return { from: { type: "workload", workload: source }, to: { type: "external", ip: resolution.ip }, port: resolution.port, protocol: l4Of(probe) };
}

/** What the mesh layers need to know about one attempt at one target. */
export interface MeshFacts {
  source: Workload;
  client: ClientMode;
  target: Target;
  l4: L4Protocol;
  /** The destination's sidecar intercepts this traffic (it has one, and the traffic is TCP). */
  meshApplies: boolean;
  /** The client sends through its own Envoy. */
  viaOwnEnvoy: boolean;
}

/** The peerAuthentication layer's decision, given the server's mode and whether the client sends mTLS. */
export function peerAuthenticationDecision(f: MeshFacts, mode: string, mtls: boolean, decidedBy: PolicyRef | undefined): LayerDecision {
  const dst = f.target.workload;
  if (!f.meshApplies) return { verdict: "not-applicable", reason: dst.sidecar ? `${f.l4} is not intercepted by the sidecar` : "the destination has no sidecar: plaintext accepted" };
  const by = decidedBy ? { decidedBy } : {};
  if (mtls) return { verdict: "allow", ...by, reason: `mTLS from ${workloadId(f.source)} accepted (${mode})` };
  if (mode === "STRICT") {
    const service = f.target.service;
    const why = !f.viaOwnEnvoy
      ? `${f.client} client sends plaintext`
      : service
        ? `${workloadId(f.source)}'s sidecar does not know ${service.namespace}/${service.name} and passes through in plaintext`
        : "a pod-IP call leaves the client's sidecar through the PassthroughCluster in plaintext";
    return { verdict: "deny", ...by, reason: `STRICT mTLS rejects plaintext: ${why}` };
  }
  return { verdict: "allow", ...by, reason: `${mode} accepts plaintext (no peer identity)` };
}

/** The authorization layer's decision where the destination's sidecar does not intercept the traffic. */
export function authorizationNotApplicable(f: MeshFacts): LayerDecision {
  return { verdict: "not-applicable", reason: f.target.workload.sidecar ? `${f.l4} is not intercepted by the sidecar` : "the destination has no sidecar" };
}

/** The request the destination's sidecar authorizes: a principal only over mTLS, HTTP fields only when it parses HTTP. */
export function authzRequestOf(model: ClusterModel, probe: Probe, f: MeshFacts, mtls: boolean, serverParsesHttp: boolean): AuthzRequest {
  const { source, target } = f;
  const http: HttpRequest | undefined = serverParsesHttp ? httpRequestOf(probe, target) : undefined;
  const sourceIp = source.podIPs[0];
  return {
    source: {
      workload: source,
      ...(sourceIp ? { ip: sourceIp } : {}),
      ...(mtls ? { principal: `${model.trustDomain}/ns/${source.namespace}/sa/${source.serviceAccount}`, namespace: source.namespace } : {}),
    },
    destination: target.workload,
    port: target.port,
    ...(http ? { http } : {}),
  };
}

export function httpRequestOf(probe: Probe, target: Target): HttpRequest {
  const headers = probe.headers ?? {};
  const hostHeader = Object.entries(headers).find(([k]) => k.toLowerCase() === "host")?.[1];
  // curl's default Host: the URL authority, without the port when it is 80.
  const authority = target.service ? `${target.service.name}.${target.service.namespace}` : target.ip ?? target.workload.podIPs[0];
  return { method: probe.method ?? "GET", path: probe.path ?? "/", headers, host: hostHeader ?? authority };
}

export function outcomeOf(decisions: Partial<Record<LayerId, LayerDecision>>): ProbeOutcome {
  for (const id of PATH_ORDER) {
    if (decisions[id]?.verdict !== "deny") continue;
    if (id === "peerAuthentication") return "mtls-reject";
    if (id === "authorization") return "authz-deny";
    return "network-deny";
  }
  return PATH_ORDER.some((id) => decisions[id]?.verdict === "unknown") ? "unknown" : "allow";
}

/** `decisions`: each layer's own verdict (shown); `effective`: those that decide (give `decidedBy`). */
export function resultOf(
  probe: Probe,
  decisions: Partial<Record<LayerId, LayerDecision>>,
  effective: Partial<Record<LayerId, LayerDecision>>,
  outcome: ProbeOutcome,
  observation: string,
  ablated: ReadonlySet<LayerId>,
): ProbeResult {
  const layers: Partial<Record<LayerId, LayerVerdict>> = {};
  for (const id of ENFORCEMENT_LAYERS) layers[id] = ablated.has(id) ? "not-applicable" : decisions[id]?.verdict ?? "not-applicable";
  const verdict = outcome === "allow" ? "allow" : outcome === "unknown" ? "unknown" : "deny";
  let decidedBy: PolicyRef | undefined;
  if (verdict === "deny") decidedBy = PATH_ORDER.map((id) => effective[id]).find((d) => d?.verdict === "deny")?.decidedBy;
  else if (verdict === "unknown") decidedBy = PATH_ORDER.map((id) => effective[id]).find((d) => d?.verdict === "unknown")?.decidedBy;
  else decidedBy = [...PATH_ORDER].reverse().map((id) => effective[id]).find((d) => d?.verdict === "allow" && d.decidedBy)?.decidedBy;
  return { id: probe.id, verdict, layers, ...(decidedBy ? { decidedBy } : {}), observation };
}

export function evaluateProbes(model: ClusterModel, probes: Probe[], options: ProbeEvaluatorOptions = {}): ProbeResult[] {
  const evaluate = createProbeEvaluator(model, options);
  return probes.map(evaluate);
}
