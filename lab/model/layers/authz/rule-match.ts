// Matches one AuthorizationPolicy rule against one request or connection.
//
// Upstream semantics (https://istio.io/latest/docs/reference/config/security/authorization-policy/):
// - within a rule, `from`, `to` and `when` are ANDed; an absent or empty one matches anything;
// - the entries of `from` (and of `to`) are ORed; the fields of one source/operation are ANDed;
// - the values of one field are ORed; a `notX` field matches when the value is in none of them.
// - mTLS-only attributes (`principals`, `namespaces`, their `not` forms, `source.principal`,
//   `source.namespace`) are empty for plaintext traffic: a positive match fails and a negative
//   match succeeds (ISTIO-SECURITY-2021-004: "compared to an empty value when mTLS is not used").
//   So `DENY from notNamespaces: [x]` denies every plaintext caller, and `ALLOW notNamespaces`
//   lets plaintext through.
// - HTTP-only fields (hosts, methods, paths, requestPrincipals, request.headers, request.auth.*)
//   on TCP traffic: an ALLOW rule using them never matches; a DENY (or AUDIT/CUSTOM) rule ignores
//   them and matches on its remaining conditions, which is the more restrictive reading
//   (https://istio.io/latest/docs/concepts/security/#authorization-on-plain-tcp-protocols).
// - A missing attribute (header not sent) behaves like the mTLS fields: Istio builds `notValues`
//   as a negated matcher, and a matcher on an absent header does not match, so its negation does.
import type { HttpRequest } from "../../types";
import type { AuthzAction, AuthzCondition, AuthzOperation, AuthzRule, AuthzSource } from "./parse";
import { cidrContains, parseCidrOrAddress, parseIp } from "../../../../components/spec/cidr";
import { matchesAnyIstioString } from "./string-match";
import { allOf, anyOf, type Tri } from "./tri";

export interface AuthzMatchContext {
  /** SPIFFE principal without `spiffe://`; undefined when the connection is plaintext. */
  principal?: string;
  /** Source namespace from the peer certificate; undefined when plaintext. */
  namespace?: string;
  sourceIp?: string;
  destinationIp?: string;
  /** Destination (workload) port. */
  port: number;
  /** Present when the destination's sidecar parses the traffic as HTTP. */
  http?: HttpRequest;
}

export interface RuleMatch {
  match: Tri;
  /** Why the model could not decide, when `match` is "unknown". */
  unknownReason?: string;
}

/** "ignored" = an HTTP-only condition on TCP traffic under a non-ALLOW action. */
type FieldResult = Tri | "ignored";

class Evaluation {
  unknownReason?: string;
  usesHttpOnlyOnTcp = false;
  constructor(
    readonly ctx: AuthzMatchContext,
    readonly action: AuthzAction,
  ) {}

  unknown(reason: string): Tri {
    this.unknownReason ??= reason;
    return "unknown";
  }

  /** An HTTP-only field: evaluated on HTTP, on TCP never-match (ALLOW) or ignored (others). */
  httpOnly(evaluate: (http: HttpRequest) => Tri): FieldResult {
    if (this.ctx.http) return evaluate(this.ctx.http);
    this.usesHttpOnlyOnTcp = true;
    return this.action === "ALLOW" ? false : "ignored";
  }
}

/** `ipBlocks`/`remoteIpBlocks`/`source.ip`/`destination.ip`: a bare address is a single-host block, as in Istio; invalid input never matches. */
function ipInAnyBlock(ip: string, blocks: readonly string[]): boolean {
  const address = parseIp(ip);
  if (address === undefined) return false;
  return blocks.some((block) => {
    const cidr = parseCidrOrAddress(block);
    return cidr !== undefined && cidrContains(cidr, address);
  });
}

/** Positive list: value must match one entry. Negative list: value must match none. */
function stringField(values: string[] | undefined, notValues: string[] | undefined, value: string | undefined, caseInsensitive = false): Tri {
  const results: Tri[] = [];
  if (values) results.push(matchesAnyIstioString(values, value, caseInsensitive));
  if (notValues) results.push(!matchesAnyIstioString(notValues, value, caseInsensitive));
  return allOf(results);
}

function ipField(e: Evaluation, blocks: string[] | undefined, notBlocks: string[] | undefined, ip: string | undefined, what: string): Tri {
  if (!blocks && !notBlocks) return true;
  if (ip === undefined) return e.unknown(`${what} is not known (the manifests carry no pod IP for the source)`);
  const results: Tri[] = [];
  if (blocks) results.push(ipInAnyBlock(ip, blocks));
  if (notBlocks) results.push(!ipInAnyBlock(ip, notBlocks));
  return allOf(results);
}

function combine(results: FieldResult[]): Tri {
  return allOf(results.map((r) => (r === "ignored" ? true : r)));
}

function matchSource(e: Evaluation, s: AuthzSource): Tri {
  const { ctx } = e;
  const results: FieldResult[] = [
    stringField(s.principals, s.notPrincipals, ctx.principal),
    stringField(s.namespaces, s.notNamespaces, ctx.namespace),
    ipField(e, s.ipBlocks, s.notIpBlocks, ctx.sourceIp, "source.ip"),
    // Without X-Forwarded-For trust (numTrustedProxies), remote.ip is the peer address.
    ipField(e, s.remoteIpBlocks, s.notRemoteIpBlocks, ctx.sourceIp, "remote.ip"),
  ];
  if (s.requestPrincipals || s.notRequestPrincipals) {
    results.push(e.httpOnly(() => e.unknown("requestPrincipals need JWT validation (RequestAuthentication), which the model does not evaluate")));
  }
  return combine(results);
}

function hostForms(http: HttpRequest): string[] {
  const host = http.host ?? Object.entries(http.headers).find(([k]) => k.toLowerCase() === "host")?.[1];
  if (!host) return [];
  const withoutPort = host.replace(/:\d+$/, "");
  return withoutPort === host ? [host] : [host, withoutPort];
}

function matchOperation(e: Evaluation, o: AuthzOperation): Tri {
  const port = String(e.ctx.port);
  const results: FieldResult[] = [stringField(o.ports, o.notPorts, port)];
  if (o.hosts || o.notHosts) {
    // Host matching is case-insensitive upstream; the Host header may carry a port.
    results.push(e.httpOnly((http) => {
      const forms = hostForms(http);
      const positive = o.hosts ? forms.some((h) => matchesAnyIstioString(o.hosts ?? [], h, true)) : true;
      const negative = o.notHosts ? !forms.some((h) => matchesAnyIstioString(o.notHosts ?? [], h, true)) : true;
      return positive && negative;
    }));
  }
  if (o.methods || o.notMethods) results.push(e.httpOnly((http) => stringField(o.methods, o.notMethods, http.method)));
  if (o.paths || o.notPaths) {
    // Paths are matched without the query string. The authorization layer passes the path already
    // normalized as the mesh does (path-normalization.ts); the split keeps direct callers honest.
    results.push(e.httpOnly((http) => stringField(o.paths, o.notPaths, http.path.split("?")[0])));
  }
  return combine(results);
}

const HEADER_KEY = /^request\.headers\[(.+)\]$/;

function matchCondition(e: Evaluation, c: AuthzCondition): Tri {
  const { ctx } = e;
  const header = HEADER_KEY.exec(c.key);
  if (header) {
    const name = header[1].toLowerCase();
    return combine([e.httpOnly((http) => {
      const value = Object.entries(http.headers).find(([k]) => k.toLowerCase() === name)?.[1];
      return stringField(c.values, c.notValues, value);
    })]);
  }
  if (c.key.startsWith("request.auth.")) {
    return combine([e.httpOnly(() => e.unknown(`${c.key} needs JWT validation (RequestAuthentication), which the model does not evaluate`))]);
  }
  switch (c.key) {
    case "source.ip":
    case "remote.ip":
      return ipField(e, c.values, c.notValues, ctx.sourceIp, c.key);
    case "destination.ip":
      return ipField(e, c.values, c.notValues, ctx.destinationIp, c.key);
    case "destination.port":
      return stringField(c.values, c.notValues, String(ctx.port));
    case "source.namespace":
      return stringField(c.values, c.notValues, ctx.namespace);
    case "source.principal":
      return stringField(c.values, c.notValues, ctx.principal);
    default:
      return e.unknown(`condition key ${c.key} is not modelled`);
  }
}

/** Matches one rule. An empty rule (`{}`) matches everything. */
export function matchRule(rule: AuthzRule, ctx: AuthzMatchContext, action: AuthzAction): RuleMatch {
  const e = new Evaluation(ctx, action);
  const parts: Tri[] = [
    rule.from && rule.from.length > 0 ? anyOf(rule.from.map((s) => matchSource(e, s))) : true,
    rule.to && rule.to.length > 0 ? anyOf(rule.to.map((o) => matchOperation(e, o))) : true,
    allOf((rule.when ?? []).map((c) => matchCondition(e, c))),
  ];
  // An ALLOW rule with any HTTP-only field is dropped entirely for TCP traffic, whichever
  // `from`/`to` entry carries it.
  if (action === "ALLOW" && e.usesHttpOnlyOnTcp) return { match: false };
  const match = allOf(parts);
  return match === "unknown" ? { match, unknownReason: e.unknownReason } : { match };
}
