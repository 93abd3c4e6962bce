// One probe evaluated once, with its verdict under any number of ablations derived from the same
// per-layer decisions. The platform verdict's defense in depth asks 1 + 2 × layers questions of
// every attack (the result, each layer alone, each layer removed); lab/model/probe.ts would build
// one evaluator per question and walk every layer each time.
//
// Each layer's decision is computed once per target, lazily, and reused by every ablation that
// keeps that layer. Where upstream semantics tie layers together the dependency is evaluated
// exactly, never assumed away:
// - Kubernetes NetworkPolicy and ClusterNetworkPolicy form one pipeline (Admin tier →
//   NetworkPolicy → Baseline tier, layers/kubernetes-tiers.ts): the combined decision is evaluated
//   for each way the two can be present, and the ClusterNetworkPolicy layer's own decision with and
//   without NetworkPolicy (its Baseline tier only applies to pods no NetworkPolicy isolates).
// - AuthorizationPolicy sees a principal only over mTLS, and whether the client's Envoy sends mTLS
//   depends on the PeerAuthentication mode (DISABLE, or Istio's PERMISSIVE once the layer is
//   ablated): authorization is evaluated for each mTLS outcome that occurs.
// lab/model/probe.ts stays the reference (one evaluator per ablation): the differential test
// (test/lab/model/platform-differential.test.ts) proves both give the same verdicts.
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import type { ClientMode, LayerId, Probe, ProbeResult, Verdict } from "../probes/types";
import { workloadId } from "./cluster";
import { authorizationLayer } from "./layers/authorization-policy";
import { calicoLayer } from "./layers/calico";
import { clusterNetworkPolicyLayer } from "./layers/cluster-network-policy";
import type { NetworkLayerEvaluator } from "./types";
import { kubernetesTiers } from "./layers/kubernetes-tiers";
import { networkPolicyLayer } from "./layers/network-policy";
import { peerAuthenticationLayer } from "./layers/peer-authentication";
import { sidecarScopeLayer } from "./layers/sidecar-scope";
import { modelIndex } from "./model-index";
import { clientGivesUpFirst, OBSERVATIONS, observationFor, type ProbeOutcome } from "./observation";
import { outboundHttpListenerLookup } from "./outbound-listeners";
import {
  authorizationNotApplicable,
  authzRequestOf,
  createDnsLookupCheck,
  createTargetResolver,
  dnsLookupConnections,
  externalConnection,
  l4Of,
  needsNameLookup,
  outcomeOf,
  peerAuthenticationDecision,
  probeSource,
  resultOf,
  type MeshFacts,
  type Target,
} from "./probe";
import type { ClusterModel, Connection, LayerDecision, Workload } from "./types";

/** The result with the base ablation, and the verdict under each further ablation set asked for. */
export interface AblationEvaluation {
  result: ProbeResult;
  verdicts: Verdict[];
}

export type AblationEvaluator = (probe: Probe, base: ReadonlySet<LayerId>, sets: readonly ReadonlySet<LayerId>[]) => AblationEvaluation;

type Decisions = Partial<Record<LayerId, LayerDecision>>;
/** The network evaluations a set of present layers can need. */
type NetworkVariant = "networkPolicy" | "calico" | "clusterWithNetworkPolicy" | "clusterAlone" | "tiersBoth" | "tiersNetworkPolicyOnly" | "tiersClusterOnly";

interface TargetFacts {
  target: Target;
  /** The decisions of probe.ts's evaluation with these layers removed. */
  assemble(ablated: ReadonlySet<LayerId>): Assembled;
  /** Its verdict alone, without building decisions. */
  verdictUnder(ablated: ReadonlySet<LayerId>): Verdict;
}

interface Assembled {
  decisions: Decisions;
  effective: Decisions;
  outcome: ProbeOutcome;
}

function verdictOf(outcome: ProbeOutcome): Verdict {
  return outcome === "allow" ? "allow" : outcome === "unknown" ? "unknown" : "deny";
}

/** As probe.ts: the first target that allows, else the first unknown, else the first. */
function chosenIndex(outcomes: readonly ProbeOutcome[]): number {
  const allow = outcomes.indexOf("allow");
  if (allow >= 0) return allow;
  const unknown = outcomes.indexOf("unknown");
  return unknown >= 0 ? unknown : 0;
}

export function createAblationEvaluator(model: ClusterModel): AblationEvaluator {
  const index = modelIndex(model);
  const givesUp = clientGivesUpFirst(model);
  const networkPolicies = networkPolicyLayer(model);
  const calico = calicoLayer(model);
  const clusterWithNetworkPolicy = clusterNetworkPolicyLayer(model, { networkPolicies: true });
  const clusterAlone = clusterNetworkPolicyLayer(model, { networkPolicies: false });
  const tiersBoth = kubernetesTiers(index, clusterWithNetworkPolicy, networkPolicies)!;
  const tiersNetworkPolicyOnly = kubernetesTiers(index, undefined, networkPolicies)!;
  const tiersClusterOnly = kubernetesTiers(index, clusterAlone, undefined)!;
  const network: Record<NetworkVariant, NetworkLayerEvaluator> = {
    networkPolicy: networkPolicies,
    calico,
    clusterWithNetworkPolicy,
    clusterAlone,
    tiersBoth: { id: "networkPolicy", evaluate: (conn) => tiersBoth.evaluate(conn) },
    tiersNetworkPolicyOnly: { id: "networkPolicy", evaluate: (conn) => tiersNetworkPolicyOnly.evaluate(conn) },
    tiersClusterOnly: { id: "clusterNetworkPolicy", evaluate: (conn) => tiersClusterOnly.evaluate(conn) },
  };
  const peerAuth = peerAuthenticationLayer(model);
  const authz = authorizationLayer(model);
  const scope = sidecarScopeLayer(model);
  const { resolve, portParsesHttp } = createTargetResolver(model);
  const hasHttpListener = outboundHttpListenerLookup(model, scope);

  /** The network part of probe.ts's evaluation for the layers present (`ablated` removed). */
  function networkPart(decide: (v: NetworkVariant) => LayerDecision, ablated: ReadonlySet<LayerId>): { decisions: Decisions; effective: Decisions } {
    const clusterOn = !ablated.has("clusterNetworkPolicy");
    const policyOn = !ablated.has("networkPolicy");
    const decisions: Decisions = {};
    if (clusterOn) decisions.clusterNetworkPolicy = decide(policyOn ? "clusterWithNetworkPolicy" : "clusterAlone");
    if (!ablated.has("calico")) decisions.calico = decide("calico");
    if (policyOn) decisions.networkPolicy = decide("networkPolicy");
    const effective: Decisions = decisions.calico ? { calico: decisions.calico } : {};
    const tiers: NetworkVariant | undefined = clusterOn && policyOn ? "tiersBoth" : policyOn ? "tiersNetworkPolicyOnly" : clusterOn ? "tiersClusterOnly" : undefined;
    if (tiers) {
      const combined = decide(tiers);
      effective[combined.decidedBy?.kind === "NetworkPolicy" ? "networkPolicy" : "clusterNetworkPolicy"] = combined;
    }
    return { decisions, effective };
  }

  // Probes of one pair mostly share a connection (every spoofing probe of a shared service, every
  // probe of a grant): their network decisions are computed once. Bounded: cleared when it fills.
  const connections = new Map<string, Map<NetworkVariant, LayerDecision>>();
  const MAX_CONNECTIONS = 4096;
  const endpointKey = (ep: Connection["from"]): string => (ep.type === "external" ? `ip:${ep.ip}` : `${index.idOf(ep.workload) ?? workloadId(ep.workload)}@${ep.ip ?? ""}`);

  function memoNetwork(conn: Connection): (v: NetworkVariant) => LayerDecision {
    const key = `${endpointKey(conn.from)}>${endpointKey(conn.to)}:${conn.port}/${conn.protocol}/${conn.portName ?? ""}`;
    let memo = connections.get(key);
    if (!memo) {
      if (connections.size >= MAX_CONNECTIONS) connections.clear();
      connections.set(key, (memo = new Map<NetworkVariant, LayerDecision>()));
    }
    const decisions = memo;
    return (v) => {
      let d = decisions.get(v);
      if (!d) decisions.set(v, (d = network[v].evaluate(conn)));
      return d;
    };
  }

  /** Only the verdict a set of present layers gives: a deny anywhere denies, else an unknown leaves it open. */
  function networkVerdict(decide: (v: NetworkVariant) => LayerDecision, ablated: ReadonlySet<LayerId>): Verdict {
    const clusterOn = !ablated.has("clusterNetworkPolicy");
    const policyOn = !ablated.has("networkPolicy");
    const tiers: NetworkVariant | undefined = clusterOn && policyOn ? "tiersBoth" : policyOn ? "tiersNetworkPolicyOnly" : clusterOn ? "tiersClusterOnly" : undefined;
    let unknown = false;
    for (const layer of [ablated.has("calico") ? undefined : decide("calico"), tiers ? decide(tiers) : undefined]) {
      if (layer?.verdict === "deny") return "deny";
      if (layer?.verdict === "unknown") unknown = true;
    }
    return unknown ? "unknown" : "allow";
  }

  /** Everything about one target that does not depend on the ablation, computed on first use. */
  function targetFacts(probe: Probe, source: Workload, client: ClientMode, target: Target): TargetFacts {
    const l4 = l4Of(probe);
    const dst = target.workload;
    const dstIp = target.ip ?? dst.podIPs[0];
    const conn: Connection = {
      from: { type: "workload", workload: source, ...(source.podIPs[0] ? { ip: source.podIPs[0] } : {}) },
      to: { type: "workload", workload: dst, ...(dstIp ? { ip: dstIp } : {}) },
      port: target.port,
      ...(target.portName ? { portName: target.portName } : {}),
      protocol: l4,
    };
    const decide = memoNetwork(conn);
    const meshApplies = dst.sidecar && l4 === "TCP";
    const serverParsesHttp = probe.protocol === "HTTP" && portParsesHttp(dst, target.port, target.portName);
    const viaOwnEnvoy = client === "sidecar" && l4 === "TCP";
    const known = viaOwnEnvoy && target.service !== undefined && scope.knowsService(source, target.service).known;
    const mesh: MeshFacts = { source, client, target, l4, meshApplies, viaOwnEnvoy };
    const authzMemo = new Map<boolean, LayerDecision>();
    const authzFor = (mtls: boolean): LayerDecision => {
      let d = authzMemo.get(mtls);
      if (!d) authzMemo.set(mtls, (d = authz.evaluate(authzRequestOf(model, probe, mesh, mtls, serverParsesHttp))));
      return d;
    };

    const verdictUnder = (ablated: ReadonlySet<LayerId>): Verdict => {
      const net = networkVerdict(decide, ablated);
      if (net === "deny") return "deny";
      const peerOn = !ablated.has("peerAuthentication");
      const mode = peerOn ? peerAuth.mode(dst, target.port) : "PERMISSIVE";
      const mtls = known && meshApplies && mode !== "DISABLE";
      if (peerOn && meshApplies && !mtls && mode === "STRICT") return "deny";
      const authorization = ablated.has("authorization") || !meshApplies ? undefined : authzFor(mtls).verdict;
      if (authorization === "deny") return "deny";
      return net === "unknown" || authorization === "unknown" ? "unknown" : "allow";
    };

    const assemble = (ablated: ReadonlySet<LayerId>): Assembled => {
      const { decisions, effective } = networkPart(decide, ablated);
      const peerOn = !ablated.has("peerAuthentication");
      const mode = peerOn ? peerAuth.mode(dst, target.port) : "PERMISSIVE";
      const mtls = known && meshApplies && mode !== "DISABLE";
      if (peerOn) decisions.peerAuthentication = peerAuthenticationDecision(mesh, mode, mtls, meshApplies ? peerAuth.decidedBy(dst, target.port) : undefined);
      if (!ablated.has("authorization")) decisions.authorization = meshApplies ? authzFor(mtls) : authorizationNotApplicable(mesh);
      if (decisions.peerAuthentication) effective.peerAuthentication = decisions.peerAuthentication;
      if (decisions.authorization) effective.authorization = decisions.authorization;
      return { decisions, effective, outcome: outcomeOf(effective) };
    };
    return { target, assemble, verdictUnder };
  }

  // The by-name lookup (probe.ts's DNS check) under a set of present layers: blocked when every
  // cluster DNS pod is denied by the network layers present (no DNS pods: the name resolves).
  const dnsBlockedUnder = (source: Workload, ablated: ReadonlySet<LayerId>): boolean => {
    const lookups = dnsLookupConnections(model, source);
    return lookups.length > 0 && lookups.every((conn) => networkVerdict(memoNetwork(conn), ablated) === "deny");
  };
  const dnsChecks = new Map<string, (source: Workload) => { decisions: Decisions; effective: Decisions } | null>();
  const baseDnsLookup = (source: Workload, base: ReadonlySet<LayerId>): { decisions: Decisions; effective: Decisions } | null => {
    const key = [...base].sort().join(",");
    let check = dnsChecks.get(key);
    if (!check) dnsChecks.set(key, (check = createDnsLookupCheck(model, (conn) => networkPart(memoNetwork(conn), base), (d) => outcomeOf(d.effective) === "network-deny")));
    return check(source);
  };

  /** The result and verdicts once the name (if any) resolved: probe.ts's evaluation after its DNS check. */
  function afterLookup(probe: Probe, source: Workload, client: ClientMode, base: ReadonlySet<LayerId>, sets: readonly ReadonlySet<LayerId>[]): AblationEvaluation {
    const resolution = resolve(probe);
    if (resolution.kind === "external") {
      const decide = memoNetwork(externalConnection(probe, source, resolution));
      const assemble = (ablated: ReadonlySet<LayerId>): Assembled => {
        const { decisions, effective } = networkPart(decide, ablated);
        return { decisions, effective, outcome: outcomeOf(effective) };
      };
      const own = assemble(base);
      const observation = observationFor({ clientGivesUpFirst: givesUp, outcome: own.outcome, client, protocol: probe.protocol, dns: resolution.dns });
      return { result: resultOf(probe, own.decisions, own.effective, own.outcome, observation, base), verdicts: sets.map((s) => verdictOf(assemble(s).outcome)) };
    }
    if (resolution.kind !== "targets") {
      const decisions: Decisions = {};
      for (const id of ENFORCEMENT_LAYERS) if (!base.has(id)) decisions[id] = { verdict: "unknown", reason: resolution.reason };
      const observation = observationFor({ clientGivesUpFirst: givesUp, outcome: resolution.kind === "unknown" ? "unknown" : resolution.kind, client, protocol: probe.protocol, dns: resolution.dns && resolution.kind !== "unresolvable" });
      const result = { ...resultOf(probe, decisions, decisions, "unknown", observation, base), warnings: [`probe ${probe.id}: ${resolution.reason}`] };
      return { result, verdicts: sets.map(() => "unknown") };
    }
    const facts = resolution.targets.map((t) => targetFacts(probe, source, client, t));
    const own = facts.map((f) => f.assemble(base));
    const chosen = own[chosenIndex(own.map((e) => e.outcome))];
    const chosenTarget = facts[own.indexOf(chosen)].target;
    const serverParsesHttp = probe.protocol === "HTTP" && portParsesHttp(chosenTarget.workload, chosenTarget.port, chosenTarget.portName);
    // Plaintext from a sidecar client is answered by its own Envoy: 503 on an HTTP outbound listener, else a reset.
    const clientHttpListener = client === "sidecar" && chosen.outcome === "mtls-reject" ? hasHttpListener(source, probe.to.port) : undefined;
    const observation = observationFor({ clientGivesUpFirst: givesUp, outcome: chosen.outcome, client, protocol: probe.protocol, serverParsesHttp, dns: resolution.dns, ...(clientHttpListener === undefined ? {} : { clientHttpListener }) });
    const result = resultOf(probe, chosen.decisions, chosen.effective, chosen.outcome, observation, base);
    const distinct = new Set(own.map((e) => e.outcome));
    if (distinct.size > 1) {
      const detail = own.map((e, i) => `${workloadId(facts[i].target.workload)}: ${e.outcome}`).join(", ");
      result.warnings = [`probe ${probe.id}: the Service's workloads disagree (${detail}); reported as ${chosen.outcome}`];
    }
    // probe.ts reports the first target that allows, else the first unknown, else the first: so
    // any allow wins, then any unknown.
    const verdicts = sets.map((s): Verdict => {
      let unknown = false;
      for (const f of facts) {
        const v = f.verdictUnder(s);
        if (v === "allow") return "allow";
        if (v === "unknown") unknown = true;
      }
      return unknown ? "unknown" : "deny";
    });
    return { result, verdicts };
  }

  return (probe, base, sets) => {
    const { source, client } = probeSource(model, probe);
    const byName = needsNameLookup(probe);
    const lookup = byName ? baseDnsLookup(source, base) : null;
    const blocked = sets.map((s) => byName && dnsBlockedUnder(source, s));
    // Resolve and evaluate the targets only when some answer needs them.
    const rest = !lookup || blocked.some((b) => !b) ? afterLookup(probe, source, client, base, sets) : undefined;
    const result = lookup ? resultOf(probe, lookup.decisions, lookup.effective, "network-deny", OBSERVATIONS.dnsFailure, base) : rest!.result;
    return { result, verdicts: sets.map((_, i) => (blocked[i] ? "deny" : rest!.verdicts[i])) };
  };
}
