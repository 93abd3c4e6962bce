// Parses Istio AuthorizationPolicy objects (security.istio.io/v1 and v1beta1) into typed rules.
// Malformed fields are reported (naming the field and the fix) and treated as absent; the
// policy itself is kept, so one typo never silently widens access beyond what Istio would do.
import type { K8sObject } from "../../../../components/k8s/object";
import { readStringMap } from "./selector";

export type AuthzAction = "ALLOW" | "DENY" | "AUDIT" | "CUSTOM";

export interface AuthzSource {
  principals?: string[];
  notPrincipals?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  ipBlocks?: string[];
  notIpBlocks?: string[];
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
}

export interface AuthzOperation {
  hosts?: string[];
  notHosts?: string[];
  ports?: string[];
  notPorts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

export interface AuthzCondition {
  key: string;
  values?: string[];
  notValues?: string[];
}

export interface AuthzRule {
  from?: AuthzSource[];
  to?: AuthzOperation[];
  when?: AuthzCondition[];
}

export interface AuthzTargetRef {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ParsedAuthorizationPolicy {
  namespace: string;
  name: string;
  action: AuthzAction;
  /** `selector.matchLabels`; undefined = every workload in scope. */
  selector?: Record<string, string>;
  targetRefs?: AuthzTargetRef[];
  /** Absent or empty: the policy matches nothing (for ALLOW: allow-nothing). */
  rules: AuthzRule[];
}

const SOURCE_FIELDS = [
  "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces", "notNamespaces",
  "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks",
] as const;
const OPERATION_FIELDS = ["hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"] as const;
const ACTIONS: readonly AuthzAction[] = ["ALLOW", "DENY", "AUDIT", "CUSTOM"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readStringList(value: unknown, field: string, problems: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`${field} must be a list of strings`);
    return undefined;
  }
  const out: string[] = [];
  value.forEach((entry, i) => {
    if (typeof entry === "string") out.push(entry);
    else if (typeof entry === "number") out.push(String(entry));
    else problems.push(`${field}[${i}] must be a string`);
  });
  return out;
}

function readFields<F extends string>(raw: unknown, fields: readonly F[], field: string, problems: string[]): Partial<Record<F, string[]>> {
  const out: Partial<Record<F, string[]>> = {};
  if (!isRecord(raw)) {
    if (raw !== undefined) problems.push(`${field} must be a map`);
    return out;
  }
  for (const name of fields) {
    const list = readStringList(raw[name], `${field}.${name}`, problems);
    if (list !== undefined) out[name] = list;
  }
  for (const key of Object.keys(raw)) {
    if (!(fields as readonly string[]).includes(key)) problems.push(`${field}.${key} is not a field Istio knows (remove it)`);
  }
  return out;
}

function readRule(raw: unknown, field: string, problems: string[]): AuthzRule {
  if (!isRecord(raw)) {
    problems.push(`${field} must be a map with from/to/when`);
    return {};
  }
  const rule: AuthzRule = {};
  if (Array.isArray(raw.from)) {
    rule.from = raw.from.map((entry, i) => readFields(isRecord(entry) ? entry.source : undefined, SOURCE_FIELDS, `${field}.from[${i}].source`, problems));
  } else if (raw.from !== undefined) problems.push(`${field}.from must be a list of {source: …}`);
  if (Array.isArray(raw.to)) {
    rule.to = raw.to.map((entry, i) => readFields(isRecord(entry) ? entry.operation : undefined, OPERATION_FIELDS, `${field}.to[${i}].operation`, problems));
  } else if (raw.to !== undefined) problems.push(`${field}.to must be a list of {operation: …}`);
  if (Array.isArray(raw.when)) {
    rule.when = [];
    raw.when.forEach((entry, i) => {
      const at = `${field}.when[${i}]`;
      if (!isRecord(entry) || typeof entry.key !== "string") {
        problems.push(`${at}.key must be a string such as request.headers[x-foo]`);
        return;
      }
      rule.when?.push({
        key: entry.key,
        values: readStringList(entry.values, `${at}.values`, problems),
        notValues: readStringList(entry.notValues, `${at}.notValues`, problems),
      });
    });
  } else if (raw.when !== undefined) problems.push(`${field}.when must be a list of {key, values}`);
  return rule;
}

function readTargetRefs(spec: Record<string, unknown>, problems: string[]): AuthzTargetRef[] | undefined {
  const raw = spec.targetRefs ?? (spec.targetRef === undefined ? undefined : [spec.targetRef]);
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    problems.push("spec.targetRefs must be a list of {kind, name}");
    return undefined;
  }
  const refs: AuthzTargetRef[] = [];
  raw.forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.kind !== "string" || typeof entry.name !== "string") {
      problems.push(`spec.targetRefs[${i}] needs string kind and name`);
      return;
    }
    refs.push({
      kind: entry.kind,
      name: entry.name,
      group: typeof entry.group === "string" ? entry.group : undefined,
      namespace: typeof entry.namespace === "string" ? entry.namespace : undefined,
    });
  });
  return refs;
}

/** Parses one AuthorizationPolicy; `problems` receives one line per malformed field. */
export function parseAuthorizationPolicy(o: K8sObject, problems: string[]): ParsedAuthorizationPolicy {
  const spec = isRecord(o.spec) ? o.spec : {};
  if (o.spec !== undefined && !isRecord(o.spec)) problems.push("spec must be a map");
  let action: AuthzAction = "ALLOW";
  if (spec.action !== undefined) {
    if (typeof spec.action === "string" && (ACTIONS as readonly string[]).includes(spec.action)) action = spec.action as AuthzAction;
    else problems.push(`spec.action must be one of ${ACTIONS.join(", ")} (got ${JSON.stringify(spec.action)}); treated as ALLOW`);
  }
  const selectorRaw = isRecord(spec.selector) ? spec.selector.matchLabels : undefined;
  if (spec.selector !== undefined && !isRecord(spec.selector)) problems.push("spec.selector must be a map with matchLabels");
  const selector = readStringMap(selectorRaw, "spec.selector.matchLabels");
  if (selector.error) problems.push(selector.error);
  let rules: AuthzRule[] = [];
  if (Array.isArray(spec.rules)) rules = spec.rules.map((rule, i) => readRule(rule, `spec.rules[${i}]`, problems));
  else if (spec.rules !== undefined) problems.push("spec.rules must be a list");
  return {
    namespace: o.metadata.namespace ?? "default",
    name: o.metadata.name,
    action,
    selector: selector.map,
    targetRefs: readTargetRefs(spec, problems),
    rules,
  };
}
