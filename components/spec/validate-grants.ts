// `grants[*]`: explicit, audited cross-tenant exceptions. Each opens exactly one path in every
// layer, so anything that would widen it (empty lists, wildcards) is rejected.
import { createHash } from "node:crypto";
import { isDnsLabel } from "./names";
import { child } from "./problems";
import type { ConfigReader, RawMap } from "./reader";
import { checkDnsLabel, readIstioMatchList, readMethods } from "./validate-platform";
import type { GrantSpec } from "./types";

const GRANT_KEYS = ["from", "to", "workload", "port", "methods", "paths", "reason"] as const;
const MAX_NAME = 63;

/**
 * `<from>-to-<to>-<workload>-<n>`, n counting grants with the same from/to/workload from 0, so
 * adding an unrelated grant never renames existing objects. Ids over 63 characters are cut and
 * suffixed with a hash of the full id (still DNS-1123, still unique).
 */
export function grantId(from: string, to: string, workload: string, ordinal: number): string {
  const full = `${from}-to-${to}-${workload}-${ordinal}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  return `${full.slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/**
 * Istio string match (AuthorizationPolicy `paths`): exact, `prefix*`, `*suffix`, or `*`; a `*`
 * anywhere else is a literal character (istio.io/latest/docs/reference/config/security/authorization-policy).
 * Newer Istio also reads `{*}` / `{**}` as Envoy URI templates (istio/api#3162): we refuse braces,
 * so every layer (and the offline model) reads a grant's paths the same way.
 * Returns why `path` is unacceptable for a grant, or undefined.
 */
export function grantPathError(path: string): string | undefined {
  if (path === "*") return "matches every path; a grant must name the paths it opens";
  if (/\s/.test(path)) return "contains whitespace";
  if (/[{}]/.test(path)) return "uses path-template braces ({*}, {**}), which grants do not support";
  if (/[?#]/.test(path)) return 'contains "?" or "#": Istio matches paths without the query (and a fragment is never sent), so this path could never match';
  const stars = [...path].filter((c) => c === "*").length;
  if (path.startsWith("*")) {
    if (stars > 1) return 'uses "*" in the middle, which Istio matches literally (only "prefix*", "*suffix" or exact paths are patterns)';
    return undefined;
  }
  if (!path.startsWith("/")) return 'must start with "/" (or be a "*suffix" pattern)';
  if (stars === 0) return undefined;
  if (stars === 1 && path.endsWith("*")) return undefined;
  return 'uses "*" in the middle, which Istio matches literally (only "prefix*", "*suffix" or exact paths are patterns)';
}

function readPaths(r: ConfigReader, raw: RawMap, field: string): string[] {
  return readIstioMatchList(r, raw, "paths", field, {
    fix: 'list the paths the grant opens, e.g. ["/api/v1/public/*"]',
    emptyMeans: "every path",
    item: (value, at) => {
      const path = r.stringItem(value, at, 'write a path such as "/api/v1/public/*"');
      if (path === undefined) return undefined;
      const problem = grantPathError(path);
      if (problem !== undefined) {
        r.add(at, `${JSON.stringify(path)} ${problem}`, 'use an exact path ("/api/v1/status"), a prefix ("/api/v1/public/*") or a suffix ("*.json")');
        return undefined;
      }
      return path;
    },
  });
}

/** "a, b, c" or "a, b, … (N more)" so a fix stays readable with thousands of tenants. */
function someOf(names: readonly string[], limit = 10): string {
  if (names.length <= limit) return names.join(", ");
  return `${names.slice(0, limit).join(", ")}, … (${names.length - limit} more)`;
}

function readTenantRef(r: ConfigReader, raw: RawMap, key: "from" | "to", field: string, tenantNames: readonly string[]): string | undefined {
  const name = r.requiredString(raw, key, field, `name a configured tenant, one of: ${someOf(tenantNames)}`);
  if (name === undefined) return undefined;
  if (!tenantNames.includes(name)) {
    r.add(field, `${JSON.stringify(name)} is not a configured tenant`, `use one of: ${someOf(tenantNames)}`);
    return undefined;
  }
  return name;
}

type GrantFields = Omit<GrantSpec, "id">;

function readGrant(r: ConfigReader, value: unknown, field: string, tenantNames: readonly string[]): GrantFields | undefined {
  const raw = r.map(value, field, GRANT_KEYS);
  if (!raw) return undefined;
  const before = r.problems.size;
  const from = readTenantRef(r, raw, "from", child(field, "from"), tenantNames);
  const to = readTenantRef(r, raw, "to", child(field, "to"), tenantNames);
  if (from !== undefined && from === to) {
    r.add(child(field, "to"), `is the same tenant as from (${JSON.stringify(from)}); traffic inside a tenant needs no grant`, "name a different tenant, or remove the grant");
  }
  const workload = r.requiredString(raw, "workload", child(field, "workload"), 'name the destination workload (its "app" label), e.g. "echo"');
  if (workload !== undefined) checkDnsLabel(r, workload, child(field, "workload"), "echo");
  const port = r.port(raw, "port", child(field, "port"), undefined);
  const methods = readMethods(r, raw, child(field, "methods"), undefined);
  const paths = readPaths(r, raw, child(field, "paths"));
  const reason = r.requiredString(raw, "reason", child(field, "reason"), "say why this exception exists (grants are audited)");
  if (r.problems.size !== before || from === undefined || to === undefined || workload === undefined || !isDnsLabel(workload) || port === undefined || reason === undefined) {
    return undefined;
  }
  return { from, to, workload, port, methods, paths, reason };
}

export function readGrants(r: ConfigReader, root: RawMap, tenantNames: readonly string[]): GrantSpec[] {
  const indexed = r.list(root, "grants", "grants", [], (value, at, index) => {
    const grant = readGrant(r, value, at, tenantNames);
    return grant === undefined ? undefined : { grant, index };
  });
  const seen = new Map<string, number>();
  for (const { grant, index } of indexed) {
    const { reason: _reason, ...scope } = grant;
    const key = JSON.stringify({ ...scope, methods: [...scope.methods].sort(), paths: [...scope.paths].sort() });
    const first = seen.get(key);
    if (first !== undefined) r.add(`grants[${index}]`, `opens exactly what grants[${first}] opens (same from, to, workload, port, methods and paths)`, "remove the duplicate (keep one grant, with both reasons if they differ)");
    else seen.set(key, index);
  }
  const grants = indexed.map(({ grant }) => grant);
  const ordinals = new Map<string, number>();
  return grants.map((grant) => {
    const key = `${grant.from}\u0000${grant.to}\u0000${grant.workload}`;
    const ordinal = ordinals.get(key) ?? 0;
    ordinals.set(key, ordinal + 1);
    return { id: grantId(grant.from, grant.to, grant.workload, ordinal), ...grant };
  });
}
