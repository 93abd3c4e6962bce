// Layer 5: Istio AuthorizationPolicy, enforced by the destination's sidecar.
//
// Evaluation order upstream: CUSTOM, then DENY, then ALLOW
// (https://istio.io/latest/docs/concepts/security/#implicit-enablement):
// - any matching DENY denies;
// - if no ALLOW policy applies to the workload, the request is allowed;
// - if any ALLOW policy applies, the request must match one of their rules.
// A policy without rules matches nothing: an ALLOW policy without rules (`spec: {}`) is the
// allow-nothing policy; in the root namespace it applies mesh-wide.
// CUSTOM delegates to an external authorizer the model cannot see: reported as unknown.
// AUDIT only marks requests for an audit plugin, and open-source Istio ships none besides
// Stackdriver: it has no effect on the verdict.
// `paths`/`notPaths` are matched against the path after the mesh's path normalization
// (authz/path-normalization.ts), the same path the application then receives.
import type { ClusterModel, HttpRequest, LayerDecision, Workload } from "../types";
import type { PolicyRef } from "../../probes/types";
import { parseAuthorizationPolicy, type ParsedAuthorizationPolicy } from "./authz/parse";
import { ISTIO_DEFAULT_PATH_NORMALIZATION, normalizeRequestPath, type PathNormalization } from "./authz/path-normalization";
import { matchRule, type AuthzMatchContext } from "./authz/rule-match";
import { labelsMatch, policyLabel } from "./authz/selector";

export interface AuthzRequest {
  source: { workload?: Workload; ip?: string; principal?: string; namespace?: string /* only when mTLS */ };
  destination: Workload;
  port: number;
  http?: HttpRequest;
}

export interface AuthorizationLayer {
  evaluate(req: AuthzRequest): LayerDecision & { custom?: boolean };
  /** The policies that apply to a workload (after selectors, root namespace and targetRefs). */
  policiesFor(workload: Workload): readonly ParsedAuthorizationPolicy[];
}

function isAuthorizationPolicy(kind: string, apiVersion: string): boolean {
  return kind === "AuthorizationPolicy" && apiVersion.startsWith("security.istio.io/");
}

function addWarning(model: ClusterModel, warning: string): void {
  if (!model.warnings.includes(warning)) model.warnings.push(warning);
}

function refOf(policy: ParsedAuthorizationPolicy, rule?: number): PolicyRef {
  const ref: PolicyRef = { kind: "AuthorizationPolicy", namespace: policy.namespace, name: policy.name };
  if (rule !== undefined) ref.rule = rule;
  return ref;
}

/** Does the policy bind to this sidecar workload? */
function appliesTo(policy: ParsedAuthorizationPolicy, workload: Workload, rootNamespace: string): boolean {
  // targetRefs bind a policy to a Gateway (gateway pods), or to a Service/ServiceEntry only
  // through a waypoint proxy (ambient mode): upstream documents kind Service as "only supported
  // for waypoints". A sidecar therefore never enforces a targetRefs policy.
  if (policy.targetRefs && policy.targetRefs.length > 0) return false;
  if (policy.namespace !== rootNamespace && policy.namespace !== workload.namespace) return false;
  return labelsMatch(policy.selector, workload.podLabels);
}

export interface AuthorizationLayerOptions {
  /** The mesh's path normalization; default: the model's, else Istio's default BASE. */
  pathNormalization?: PathNormalization;
}

export function authorizationLayer(model: ClusterModel, options: AuthorizationLayerOptions = {}): AuthorizationLayer {
  const pathNormalization = options.pathNormalization ?? model.pathNormalization ?? ISTIO_DEFAULT_PATH_NORMALIZATION;
  const policies: ParsedAuthorizationPolicy[] = [];
  for (const o of model.policies) {
    if (!isAuthorizationPolicy(o.kind, o.apiVersion)) continue;
    const problems: string[] = [];
    const policy = parseAuthorizationPolicy(o, problems);
    for (const problem of problems) addWarning(model, `${policyLabel(o)}: ${problem}`);
    if (policy.targetRefs?.length) {
      const kinds = policy.targetRefs.map((r) => r.kind).join(", ");
      addWarning(model, `${policyLabel(o)}: targetRefs (${kinds}) bind to gateways or waypoints, not sidecars; the model does not apply it to any sidecar`);
    }
    if (policy.targetRefs?.length && policy.selector) {
      addWarning(model, `${policyLabel(o)}: spec.selector and spec.targetRefs are mutually exclusive; keep one`);
    }
    if (policy.action === "AUDIT") {
      addWarning(model, `${policyLabel(o)}: action AUDIT has no effect without an audit plugin (open-source Istio has none); use the Telemetry API for access logs`);
    }
    policies.push(policy);
  }
  // Stable order: root namespace first, then by namespace and name (kubectl's listing order).
  policies.sort((a, b) => Number(b.namespace === model.rootNamespace) - Number(a.namespace === model.rootNamespace)
    || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));

  // Only root-namespace policies and the workload's own namespace's can apply: scan those alone.
  const byNamespace = new Map<string, ParsedAuthorizationPolicy[]>();
  for (const p of policies) {
    const list = byNamespace.get(p.namespace);
    if (list) list.push(p);
    else byNamespace.set(p.namespace, [p]);
  }
  const cache = new Map<Workload, ParsedAuthorizationPolicy[]>();
  const policiesFor = (workload: Workload): ParsedAuthorizationPolicy[] => {
    let applicable = cache.get(workload);
    if (!applicable) {
      const root = byNamespace.get(model.rootNamespace) ?? [];
      const own = workload.namespace === model.rootNamespace ? [] : byNamespace.get(workload.namespace) ?? [];
      applicable = [...root, ...own].filter((p) => appliesTo(p, workload, model.rootNamespace));
      cache.set(workload, applicable);
    }
    return applicable;
  };
  const indexes = new Map<Workload, PeerIndex>();
  const indexFor = (workload: Workload): PeerIndex => {
    let index = indexes.get(workload);
    if (!index) indexes.set(workload, (index = peerIndex(policiesFor(workload))));
    return index;
  };

  function evaluate(req: AuthzRequest): LayerDecision & { custom?: boolean } {
    if (!req.destination.sidecar) {
      return { verdict: "not-applicable", reason: "the destination has no sidecar: nothing enforces AuthorizationPolicy" };
    }
    let http = req.http;
    if (http) {
      const normalized = normalizeRequestPath(http.path, pathNormalization);
      if (normalized.rejected !== undefined) {
        return { verdict: "deny", reason: `the sidecar rejects the request before any policy: ${normalized.rejected}` };
      }
      http = { ...http, path: normalized.path };
    }
    const ctx: AuthzMatchContext = {
      principal: req.source.principal,
      namespace: req.source.namespace,
      sourceIp: req.source.ip ?? req.source.workload?.podIPs[0],
      destinationIp: req.destination.podIPs[0],
      port: req.port,
      http,
    };
    // Only these can match this caller: the others name other principals or namespaces (PeerIndex).
    const candidates = indexFor(req.destination).candidates(ctx.principal, ctx.namespace);
    const unknownReasons: string[] = [];
    /** First rule of the policy that matches (true), else whether any rule might match. */
    const firstMatch = (policy: ParsedAuthorizationPolicy): { rule?: number; unknown: boolean } => {
      let unknown = false;
      for (let i = 0; i < policy.rules.length; i++) {
        const result = matchRule(policy.rules[i], ctx, policy.action);
        if (result.match === true) return { rule: i, unknown: false };
        if (result.match === "unknown") {
          unknown = true;
          unknownReasons.push(`${policy.namespace}/${policy.name} rule ${i}: ${result.unknownReason ?? "not decidable"}`);
        }
      }
      return { unknown };
    };

    let custom = false;
    for (const policy of candidates.filter((p) => p.action === "CUSTOM")) {
      const m = firstMatch(policy);
      if (m.rule !== undefined || m.unknown) {
        custom = true;
        unknownReasons.push(`CUSTOM policy ${policy.namespace}/${policy.name} delegates to an external authorizer (not modelled)`);
      }
    }
    for (const policy of candidates.filter((p) => p.action === "DENY")) {
      const m = firstMatch(policy);
      if (m.rule !== undefined) {
        return { verdict: "deny", decidedBy: refOf(policy, m.rule), reason: `DENY policy ${policy.namespace}/${policy.name} rule ${m.rule} matches`, ...(custom ? { custom } : {}) };
      }
    }
    const withCustom = (d: LayerDecision): LayerDecision & { custom?: boolean } => (custom ? { ...d, custom } : d);
    const undecided = (d: LayerDecision): LayerDecision & { custom?: boolean } =>
      withCustom({ verdict: "unknown", decidedBy: d.decidedBy, reason: unknownReasons.join("; ") });
    const denyUndecided = unknownReasons.length > 0;

    const { firstAllow, allowNothing } = indexFor(req.destination);
    if (!firstAllow) {
      const decision: LayerDecision = { verdict: "allow", reason: "no ALLOW policy applies to the destination" };
      return denyUndecided || custom ? undecided(decision) : decision;
    }
    const before = unknownReasons.length;
    for (const policy of candidates.filter((p) => p.action === "ALLOW")) {
      const m = firstMatch(policy);
      if (m.rule !== undefined) {
        const decision: LayerDecision = { verdict: "allow", decidedBy: refOf(policy, m.rule), reason: `ALLOW policy ${policy.namespace}/${policy.name} rule ${m.rule} matches` };
        return denyUndecided || custom ? undecided(decision) : decision;
      }
    }
    // Nobody allows: name the allow-nothing policy when there is one (mesh-wide sorts first).
    const decider = allowNothing ?? firstAllow;
    const denied: LayerDecision = { verdict: "deny", decidedBy: refOf(decider), reason: "ALLOW policies apply to the destination and none matches" };
    // Only an undecidable ALLOW rule can turn this deny into an allow.
    return unknownReasons.length > before ? undecided(denied) : withCustom(denied);
  }

  return { evaluate, policiesFor };
}

/**
 * The policies of one workload that can match a caller, without testing every rule: a shared
 * service carries one ALLOW per tenant, and a request must not scan them all. A rule can only match
 * a caller whose principal or namespace one of its sources names exactly when every source of the
 * rule names some (a source's fields are ANDed, its `principals` and `namespaces` values ORed);
 * such a policy is filed under those names, every other policy is always a candidate. A filed
 * policy that is skipped would have matched no rule and raised no "unknown": its positive
 * `principals`/`namespaces` test is false for this caller, and false ANDed with anything is false.
 */
interface PeerIndex {
  candidates(principal: string | undefined, namespace: string | undefined): ParsedAuthorizationPolicy[];
  /** The first applicable ALLOW policy (none: requests are allowed unless denied). */
  firstAllow?: ParsedAuthorizationPolicy;
  /** The first applicable ALLOW policy without rules (allow-nothing), which a deny is blamed on. */
  allowNothing?: ParsedAuthorizationPolicy;
}

function exactValues(values: readonly string[] | undefined): readonly string[] | undefined {
  return values && values.length > 0 && values.every((v) => v !== "" && !v.startsWith("*") && !v.endsWith("*")) ? values : undefined;
}

/** The principal and namespace names a policy needs, or undefined when some rule can match anyone. */
function requiredPeers(policy: ParsedAuthorizationPolicy): { principals: string[]; namespaces: string[] } | undefined {
  const principals: string[] = [];
  const namespaces: string[] = [];
  for (const rule of policy.rules) {
    if (!rule.from || rule.from.length === 0) return undefined;
    for (const source of rule.from) {
      const byPrincipal = exactValues(source.principals);
      const byNamespace = exactValues(source.namespaces);
      if (byPrincipal) principals.push(...byPrincipal);
      else if (byNamespace) namespaces.push(...byNamespace);
      else return undefined;
    }
  }
  return { principals, namespaces };
}

function peerIndex(policies: readonly ParsedAuthorizationPolicy[]): PeerIndex {
  const always: number[] = [];
  const byPrincipal = new Map<string, number[]>();
  const byNamespace = new Map<string, number[]>();
  const file = (map: Map<string, number[]>, key: string, position: number): void => {
    const list = map.get(key);
    if (!list) map.set(key, [position]);
    else if (list[list.length - 1] !== position) list.push(position);
  };
  policies.forEach((policy, position) => {
    const peers = requiredPeers(policy);
    if (!peers) {
      always.push(position);
      return;
    }
    for (const p of peers.principals) file(byPrincipal, p, position);
    for (const n of peers.namespaces) file(byNamespace, n, position);
  });
  const firstAllow = policies.find((p) => p.action === "ALLOW");
  const allowNothing = policies.find((p) => p.action === "ALLOW" && p.rules.length === 0);
  const allows = { ...(firstAllow ? { firstAllow } : {}), ...(allowNothing ? { allowNothing } : {}) };
  if (byPrincipal.size === 0 && byNamespace.size === 0) return { candidates: () => [...policies], ...allows };
  return {
    ...allows,
    candidates(principal, namespace) {
      const positions = new Set(always);
      if (principal !== undefined) for (const p of byPrincipal.get(principal) ?? []) positions.add(p);
      if (namespace !== undefined) for (const p of byNamespace.get(namespace) ?? []) positions.add(p);
      return [...positions].sort((a, b) => a - b).map((p) => policies[p]);
    },
  };
}
