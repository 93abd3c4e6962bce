// The probe catalogue: what the model predicts and the live lab attempts, generated from the spec
// and the demo workload names. Ids are stable and readable: "<attacker>-><victim>/<kind>", e.g.
// "acme->globex/by-name/sidecar". Everything here is pure.
//
// Pod IPs are not knowable offline (rendered manifests carry none), so "direct to the pod,
// bypassing the Service" is expressed as a workload target on the container port; the live lab
// resolves it to a pod IP. It is an attack only, never a positive control: a meshed client that
// dials a pod IP gets no auto-mTLS from its Envoy (the request leaves through the passthrough
// path in plaintext), so a STRICT destination refuses it even within one tenant (upstream
// istio/istio#22220 and #37431; modelled and cited in lab/model/layers/sidecar-scope.ts).
import { TENANT_IDENTITY_HEADER } from "../../components/builders/shared-services";
import type { GrantSpec, PlatformSpec, SharedServiceSpec, TenantSpec } from "../../components/spec/types";
import { removeDotSegments } from "../model/layers/authz/path-normalization";
import { BYPASS, CLIENT, DEBUG, ECHO } from "../workloads/names";
import { apiServerProbes } from "./api-server";
import type { CataloguedProbe, ClientMode, ProbeTarget } from "./types";

/** Header the article's Lua filter sets; only the shared services' own sidecars may carry it. */
export { TENANT_IDENTITY_HEADER };
/** Service name of cluster DNS (kind and kubeadm both call it kube-dns). */
export const DNS_SERVICE_NAME = "kube-dns";
/** A path no grant pattern should match; used for "beyond the grant's paths". */
export const OUTSIDE_GRANT_PATH = "/hard-tenancy/outside-grant";
const METHODS_TO_TRY_BEYOND_GRANT = ["DELETE", "PUT", "PATCH", "POST", "GET"];

/** The whole catalogue: every ordered pair of distinct tenants plus every tenant's positive controls. O(tenants²). */
export function buildProbeCatalogue(spec: PlatformSpec): CataloguedProbe[] {
  const probes: CataloguedProbe[] = [];
  for (const tenant of spec.tenants) probes.push(...tenantControlProbes(spec, tenant));
  for (const attacker of spec.tenants) {
    for (const victim of spec.tenants) {
      if (attacker.name !== victim.name) probes.push(...pairProbes(spec, attacker, victim));
    }
  }
  return probes;
}

/** The part of the catalogue after the "a->b/" prefix: the same for every pair of tenants. */
export function probeKind(probe: Pick<CataloguedProbe, "id">): string {
  const slash = probe.id.indexOf("/");
  return slash < 0 ? probe.id : probe.id.slice(slash + 1);
}

/**
 * Positive controls for one tenant: things that must keep working, or a broken lab reads as secure;
 * plus its API-server probe (an attack unless the tenant has apiServerAccess).
 */
export function tenantControlProbes(spec: PlatformSpec, tenant: TenantSpec): CataloguedProbe[] {
  const t = tenant.name;
  const ns = tenant.namespace;
  const probes: CataloguedProbe[] = [
    {
      id: `${t}->${t}/by-name/sidecar`,
      from: `${ns}/${CLIENT.name}`,
      to: { service: `${ns}/${ECHO.name}`, port: ECHO.servicePort },
      protocol: "HTTP",
      method: "GET",
      path: "/",
      client: "sidecar",
      intent: "allow",
      category: "same-tenant",
      attacker: t,
      victim: t,
      description: `${t}'s meshed client calls its own echo service by name`,
    },
    {
      id: `${t}->${spec.cluster.dns.namespace}/${DNS_SERVICE_NAME}/udp`,
      from: `${ns}/${CLIENT.name}`,
      to: { service: `${spec.cluster.dns.namespace}/${DNS_SERVICE_NAME}`, port: 53 },
      protocol: "UDP",
      client: "sidecar",
      intent: "allow",
      category: "dns",
      attacker: t,
      victim: spec.cluster.dns.namespace,
      description: `${t}'s client resolves names through cluster DNS (UDP 53)`,
    },
  ];
  for (const service of usableSharedServices(spec, tenant)) {
    probes.push({
      id: `${t}->${spec.sharedServices.namespace}/${service.name}/own-path`,
      from: `${ns}/${CLIENT.name}`,
      to: sharedServiceTarget(spec, service),
      protocol: "HTTP",
      method: firstMethod(service.methods, "POST"),
      path: `${service.pathPrefix}/${t}/probe`,
      client: "sidecar",
      intent: "allow",
      category: "shared-service",
      attacker: t,
      victim: spec.sharedServices.namespace,
      description: `${t} writes to its own path on the shared ${service.name}`,
    });
  }
  probes.push(...apiServerProbes(spec, tenant));
  return probes;
}

/** Every attack (and grant control) from `attacker` against `victim`. */
export function pairProbes(spec: PlatformSpec, attacker: TenantSpec, victim: TenantSpec): CataloguedProbe[] {
  const a = attacker.name;
  const v = victim.name;
  const echoByName: ProbeTarget = { service: `${victim.namespace}/${ECHO.name}`, port: ECHO.servicePort };
  /** One cross-tenant attack: `source` (a probe workload of the attacker) calls the victim's echo by `route`. */
  const attack = (route: "by-name" | "pod-direct", source: { name: string }, client: ClientMode, to: ProbeTarget, description: string): CataloguedProbe => ({
    attacker: a,
    victim: v,
    protocol: "HTTP",
    method: "GET",
    path: "/",
    id: `${a}->${v}/${route}/${client}`,
    from: `${attacker.namespace}/${source.name}`,
    to,
    client,
    intent: "deny",
    category: "cross-tenant",
    description,
  });
  const probes: CataloguedProbe[] = [
    attack("by-name", CLIENT, "sidecar", echoByName, `${a}'s meshed client calls ${v}'s echo service by name`),
    // Stands for the pod IP: rendered manifests have no IPs, so the container port of the workload
    // is targeted directly, bypassing the Service.
    attack(
      "pod-direct",
      CLIENT,
      "sidecar",
      { workload: `${victim.namespace}/${ECHO.name}`, port: ECHO.containerPort },
      `${a}'s meshed client calls ${v}'s echo pod directly, bypassing the Service (pod IP in the live lab)`,
    ),
    attack("by-name", DEBUG, "no-sidecar", echoByName, `${a}'s sidecar-free debug pod calls ${v}'s echo service in plaintext`),
    attack("by-name", BYPASS, "bypass", echoByName, `${a}'s pod bypasses its own sidecar (UID 1337) and calls ${v}'s echo service in plaintext`),
  ];
  if (spec.sharedServices.enabled) {
    for (const service of spec.sharedServices.services) probes.push(...spoofProbes(spec, attacker, victim, service));
  }
  for (const grant of spec.grants) {
    if (grant.from === a && grant.to === v) probes.push(...grantProbes(attacker, victim, grant));
  }
  return probes;
}

function spoofProbes(spec: PlatformSpec, attacker: TenantSpec, victim: TenantSpec, service: SharedServiceSpec): CataloguedProbe[] {
  const a = attacker.name;
  const v = victim.name;
  const base = {
    from: `${attacker.namespace}/${CLIENT.name}`,
    to: sharedServiceTarget(spec, service),
    protocol: "HTTP" as const,
    method: firstMethod(service.methods, "POST"),
    client: "sidecar" as const,
    intent: "deny" as const,
    category: "shared-service-spoof" as const,
    attacker: a,
    victim: v,
  };
  return [
    {
      ...base,
      id: `${a}->${v}/${service.name}/path-spoof`,
      path: `${service.pathPrefix}/${v}/probe`,
      description: `${a} writes to ${v}'s path on the shared ${service.name}`,
    },
    {
      ...base,
      id: `${a}->${v}/${service.name}/header-spoof`,
      path: `${service.pathPrefix}/${a}/probe`,
      headers: { [TENANT_IDENTITY_HEADER]: v },
      description: `${a} writes to its own path on ${service.name} with a forged ${TENANT_IDENTITY_HEADER}: ${v}`,
    },
    ...pathTraversalProbes(service, a, v).map(({ kind, path, how }) => ({
      ...base,
      id: `${a}->${v}/${service.name}/${kind}`,
      path,
      description: `${a} climbs from its own path on ${service.name} into ${v}'s with ${how}`,
    })),
  ];
}

/**
 * Paths that start inside the attacker's prefix (so a path-prefix ALLOW matches the raw string)
 * and resolve into the victim's. Sent verbatim (curl --path-as-is, no re-encoding): Istio's
 * default BASE normalization decodes `%2e` and resolves `..`, but leaves `%2F`/`%5C` encoded, so
 * the encoded-slash forms are only caught with DECODE_AND_MERGE_SLASHES
 * (https://istio.io/latest/docs/reference/config/security/normalization/).
 */
export function pathTraversalProbes(service: Pick<SharedServiceSpec, "pathPrefix">, attacker: string, victim: string): { kind: string; path: string; how: string }[] {
  const own = `${service.pathPrefix}/${attacker}`;
  return [
    { kind: "path-traversal-encoded", path: `${own}/..%2F${victim}/probe`, how: "an encoded slash (..%2F)" },
    { kind: "path-traversal-backslash", path: `${own}/..%5C${victim}/probe`, how: "an encoded backslash (..%5C)" },
    { kind: "path-traversal-dot", path: `${own}/%2e%2e/${victim}/probe`, how: "encoded dots (%2e%2e/)" },
  ];
}

/** A grant used within its scope (must work) and just beyond it (must not). */
function grantProbes(attacker: TenantSpec, victim: TenantSpec, grant: GrantSpec): CataloguedProbe[] {
  const a = attacker.name;
  const v = victim.name;
  const inScopePath = grant.paths.length === 0 ? "/" : concretePath(grant.paths[0]);
  const inScopeMethod = firstMethod(grant.methods, "GET");
  const granted = grantedServiceTarget(victim, grant);
  const base = {
    from: `${attacker.namespace}/${CLIENT.name}`,
    to: granted,
    protocol: "HTTP" as const,
    method: inScopeMethod,
    path: inScopePath,
    client: "sidecar" as const,
    attacker: a,
    victim: v,
  };
  const prefix = `${a}->${v}/grant/${grant.id}`;
  const probes: CataloguedProbe[] = [
    {
      ...base,
      id: `${prefix}/within`,
      intent: "allow",
      category: "grant",
      description: `${a} uses grant ${grant.id}: ${inScopeMethod} ${inScopePath} on ${v}'s ${grant.workload}`,
    },
    {
      ...base,
      id: `${prefix}/beyond-source-no-sidecar`,
      from: `${attacker.namespace}/${DEBUG.name}`,
      client: "no-sidecar",
      intent: "deny",
      category: "grant-beyond-scope",
      description: `${a}'s sidecar-free debug pod tries grant ${grant.id} without an identity`,
    },
  ];
  if (!grant.paths.some((pattern) => pathMatches(pattern, OUTSIDE_GRANT_PATH)) && grant.paths.length > 0) {
    probes.push({
      ...base,
      id: `${prefix}/beyond-path`,
      path: OUTSIDE_GRANT_PATH,
      intent: "deny",
      category: "grant-beyond-scope",
      description: `${a} uses grant ${grant.id} for a path outside ${grant.paths.join(", ")}`,
    });
  }
  for (const { kind, path, how } of grantTraversalProbes(grant)) {
    probes.push({
      ...base,
      id: `${prefix}/beyond-${kind}`,
      path,
      intent: "deny",
      category: "grant-beyond-scope",
      description: `${a} climbs out of grant ${grant.id}'s ${grant.paths.join(", ")} on ${v}'s ${grant.workload} with ${how}`,
    });
  }
  const allowed = new Set(grant.methods.map((m) => m.toUpperCase()));
  const otherMethod = METHODS_TO_TRY_BEYOND_GRANT.find((m) => !allowed.has(m));
  if (grant.methods.length > 0 && otherMethod) {
    probes.push({
      ...base,
      id: `${prefix}/beyond-method`,
      method: otherMethod,
      intent: "deny",
      category: "grant-beyond-scope",
      description: `${a} uses grant ${grant.id} with ${otherMethod} (allowed: ${grant.methods.join(", ")})`,
    });
  }
  // Another real workload of the victim: its echo server, or (when echo is the granted one) its client.
  const otherWorkload: ProbeTarget =
    grant.workload === ECHO.name
      ? { workload: `${victim.namespace}/${CLIENT.name}`, port: grant.port }
      : { service: `${victim.namespace}/${ECHO.name}`, port: ECHO.servicePort };
  probes.push({
    ...base,
    id: `${prefix}/beyond-workload`,
    to: otherWorkload,
    intent: "deny",
    category: "grant-beyond-scope",
    description: `${a} uses grant ${grant.id}'s request against ${v}'s other workload ${"workload" in otherWorkload ? otherWorkload.workload : "service" in otherWorkload ? otherWorkload.service : ""}`,
  });
  return probes;
}

/** Where a grant traversal probe tries to land once the `..` are resolved. */
export const TRAVERSAL_TARGET = "admin";

/**
 * Paths inside a grant's first prefix pattern (`/a/b/*`, so the raw string matches the ALLOW)
 * that climb out of it, two segments up when the prefix has them, e.g. `/api/v1/public/..%2F..%2Fadmin`.
 * As for the shared services (pathTraversalProbes): BASE decodes `%2e` and resolves `..` but
 * leaves `%2F`/`%5C` encoded, so only DECODE_AND_MERGE_SLASHES denies the encoded-slash forms.
 * None when the grant has no prefix pattern, or when the resolved path is still inside one of the
 * grant's patterns (then the request would be within scope).
 */
export function grantTraversalProbes(grant: Pick<GrantSpec, "paths">): { kind: string; path: string; how: string }[] {
  const pattern = grant.paths.find((p) => p.length > 1 && p.endsWith("*") && p.startsWith("/"));
  if (pattern === undefined) return [];
  const base = pattern.slice(0, -1).endsWith("/") ? pattern.slice(0, -1) : `${pattern.slice(0, -1)}/`;
  const depth = Math.max(1, Math.min(2, base.split("/").filter(Boolean).length));
  const resolved = removeDotSegments(`${base}${"../".repeat(depth)}${TRAVERSAL_TARGET}`);
  if (grant.paths.some((p) => pathMatches(p, resolved))) return [];
  const climb = (step: string): string => `${base}${step.repeat(depth)}${TRAVERSAL_TARGET}`;
  return [
    { kind: "path-traversal-encoded", path: climb("..%2F"), how: "an encoded slash (..%2F)" },
    { kind: "path-traversal-backslash", path: climb("..%5C"), how: "an encoded backslash (..%5C)" },
    { kind: "path-traversal-dot", path: climb("%2e%2e/"), how: "encoded dots (%2e%2e/)" },
  ];
}

/**
 * A grant is used through the granted workload's Service, as a client would: a meshed client that
 * dials a pod IP gets no auto-mTLS (Envoy passes the request through in plaintext), so a STRICT
 * destination would refuse even the granted request. The demo echo Service maps port 80 to the
 * container port 8080; any other granted workload is assumed to have a Service of its name on
 * the granted port.
 */
function grantedServiceTarget(victim: TenantSpec, grant: GrantSpec): ProbeTarget {
  const port = grant.workload === ECHO.name && grant.port === ECHO.containerPort ? ECHO.servicePort : grant.port;
  return { service: `${victim.namespace}/${grant.workload}`, port };
}

/** Shared services the tenant may call (none when shared services are disabled). */
export function usableSharedServices(spec: PlatformSpec, tenant: TenantSpec): SharedServiceSpec[] {
  if (!spec.sharedServices.enabled) return [];
  const allowed = new Set(tenant.sharedServices);
  return spec.sharedServices.services.filter((s) => allowed.has(s.name));
}

function sharedServiceTarget(spec: PlatformSpec, service: SharedServiceSpec): ProbeTarget {
  return { service: `${spec.sharedServices.namespace}/${service.name}`, port: service.port };
}

function firstMethod(methods: string[], fallback: string): string {
  return methods.length > 0 ? methods[0].toUpperCase() : fallback;
}

/** A concrete request path inside an Istio path pattern (exact, `prefix*`, `*suffix` or `*`). */
export function concretePath(pattern: string): string {
  if (pattern === "*") return "/";
  if (pattern.endsWith("*")) return `${pattern.slice(0, -1)}probe`;
  if (pattern.startsWith("*")) return `/probe${pattern.slice(1)}`;
  return pattern;
}

/** Istio's path string match: exact, `prefix*`, `*suffix` or `*` (a `*` elsewhere is literal). */
export function pathMatches(pattern: string, path: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith("*")) return path.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*")) return path.endsWith(pattern.slice(1));
  return pattern === path;
}
