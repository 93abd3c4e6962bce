// Conformance: which tenants' live objects are what the stack renders for them, so that a live
// cluster's verdict can group tenants by their spec (pair-classes.ts) although every live object
// carries values of its own (server-populated.ts) — and which paths a tenant that deviates can
// change, so that only those are evaluated pair by pair.
//
// The model (live and rendered) is compared namespace by namespace (tenant-views.ts). A tenant's
// namespace can only change paths into or out of the tenant: a NetworkPolicy, Calico policy,
// PeerAuthentication or AuthorizationPolicy in it governs its own pods' traffic, a Sidecar its own
// proxies, its Services and workloads its own probe targets and sources. So a deviating tenant is
// - ingress-deviant: policies for its inbound traffic (NetworkPolicy Ingress, Calico ingress,
//   PeerAuthentication, AuthorizationPolicy) or its probe targets (echo, granted workloads, the
//   Services that select them) differ;
// - egress-deviant: policies for its outbound traffic (NetworkPolicy Egress, Calico egress,
//   Sidecar) or its probe sources differ;
// - both when its namespace labels differ (every selector in the cluster sees them).
// Two model lookups reach beyond a namespace: a sidecar client's Envoy has an HTTP outbound
// listener on a port when any Service it knows has one there (outbound-listeners.ts), so a
// namespace whose listener ports differ makes every tenant whose probe sources know one of those
// Services egress-deviant; and a target given by IP (the API-server probe) resolves to any Service
// or pod with that IP, so a tenant object holding one falls back to per-tenant grouping.
// Platform objects (other namespaces, cluster-scoped) that differ keep tenants together only where
// they say the same of them: what each version says of each tenant (tenant-classes.ts
// sharedFragments) joins its class key; tenants they name together deviate both ways; a partial
// name match (conformance-signals.ts) falls back to per-tenant grouping. Namespace labels and pod
// IPs join the class key only when an object that differs selects on a label tenants differ in, or
// writes IP blocks that split their pods; a deviating tenant's own objects do so only on its own
// paths (`tellApart`, with the tenants they name). The rendered objects never tell tenants of one
// shape apart (pair-classes.ts, proven by platform-differential.test.ts); this file's claims are
// proven against brute force on applied, hand-edited platforms by conformance-differential.test.ts.
import type { K8sObject } from "../../components/k8s/object";
import type { ParsedCidr } from "../../components/spec/cidr";
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { endpointAddress } from "../probes/api-server";
import { BYPASS, CLIENT, DEBUG, ECHO } from "../workloads/names";
import { bodyStrings, bodyText, ipBlocksIn, ipSignature, matchesNamesPartially } from "./conformance-signals";
import { serviceSelects } from "./cluster";
import { sidecarScopeLayer } from "./layers/sidecar-scope";
import { CLUSTER_DNS_SERVICE } from "./probe";
import { withServerDefaults } from "./server-populated";
import { canonicalFor, sharedFragments, TenantTokenIndex } from "./tenant-classes";
import { differingNames, namespaceViews, type NamespaceView, type PolicyView } from "./tenant-views";
import type { ClusterModel, ServiceInfo, Workload } from "./types";

export interface DirectedDeviation {
  tenant: string;
  /** Paths into the tenant may differ from its class's. */
  ingress: boolean;
  /** Paths out of the tenant (and its controls) may differ from its class's. */
  egress: boolean;
  /** Why, one line each. */
  reasons: string[];
  /** Its objects that differ from the stack's (both versions): what may tell other tenants apart on its deviating paths. */
  objects: K8sObject[];
  /** Named together with other tenants by a platform object that differs: every tenant is told apart on its paths. */
  everyName?: boolean;
}

export interface Conformance {
  /** Class key per tenant name, beyond the spec's shape: pod-IP signature, labels where selected on, what differing platform objects say of it. */
  keys: Map<string, string>;
  deviations: Map<string, DirectedDeviation>;
  /**
   * What a deviating tenant's objects can tell of another tenant, on the deviating tenant's paths:
   * its name when they name it (or match names partially), its labels when they select on a label
   * tenants differ in, which of their IP blocks hold its pods. Equal for two tenants: alike to them.
   */
  tellApart(deviating: DirectedDeviation, other: TenantSpec): string;
  /** Set when grouping by conformance would not be sound: why (then tenants are grouped by their objects, tenant-classes.ts). */
  fallback?: string;
}

type Json = Record<string, unknown>;

const SOURCES: readonly string[] = [CLIENT.name, DEBUG.name, BYPASS.name];

/** The tenant's probe targets: echo and every workload a grant to it names (lab/probes/catalogue.ts). */
function targetNames(spec: PlatformSpec, tenant: TenantSpec): Set<string> {
  return new Set([ECHO.name, ...spec.grants.filter((g) => g.to === tenant.name).map((g) => g.workload)]);
}

/** Probe endpoints of a tenant as "namespace/name". */
export function probeEndpoints(spec: PlatformSpec, tenant: TenantSpec): string[] {
  return [...SOURCES, ...targetNames(spec, tenant)].map((n) => `${tenant.namespace}/${n}`);
}

function policyTypesOf(p: PolicyView["object"]): { ingress: boolean; egress: boolean } {
  const body = withServerDefaults(p as unknown as Json);
  const spec = (body.spec ?? {}) as Json;
  const group = p.apiVersion.slice(0, Math.max(0, p.apiVersion.lastIndexOf("/")));
  if (p.kind === "NetworkPolicy" && group === "networking.k8s.io") {
    const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
    return { ingress: types.includes("Ingress"), egress: types.includes("Egress") };
  }
  if (group === "projectcalico.org" || group === "crd.projectcalico.org") {
    // Calico defaults types from the rules present; only explicit types are relied on.
    const types = Array.isArray(spec.types) ? spec.types : undefined;
    return types ? { ingress: types.includes("Ingress"), egress: types.includes("Egress") } : { ingress: true, egress: true };
  }
  if (group === "security.istio.io") return { ingress: true, egress: false };
  if (p.kind === "Sidecar" && group === "networking.istio.io") return { ingress: false, egress: true };
  return { ingress: true, egress: true };
}

/** The deviation of one tenant's namespace, or undefined when it conforms. */
function tenantDeviation(spec: PlatformSpec, tenant: TenantSpec, live: NamespaceView | undefined, intended: NamespaceView | undefined): DirectedDeviation | undefined {
  const empty: NamespaceView = { workloads: new Map(), services: new Map(), policies: new Map(), listenerPorts: "[]" };
  const l = live ?? empty;
  const i = intended ?? empty;
  const d: DirectedDeviation = { tenant: tenant.name, ingress: false, egress: false, reasons: [], objects: [] };
  if (l.labels !== i.labels) {
    d.ingress = d.egress = true;
    d.reasons.push(l.labels === undefined ? "namespace missing" : "namespace labels differ");
  }
  const targets = targetNames(spec, tenant);
  const targetServices = [...targets].flatMap((n) => [l.services.get(n)?.service, i.services.get(n)?.service]).filter((s): s is ServiceInfo => s !== undefined);
  const selectedByTarget = (w: Workload | undefined): boolean => w !== undefined && targetServices.some((s) => serviceSelects(s, w));
  for (const name of differingNames(l.workloads, i.workloads)) {
    const versions = [l.workloads.get(name)?.workload, i.workloads.get(name)?.workload];
    if (SOURCES.includes(name)) d.egress = true;
    if (targets.has(name) || versions.some(selectedByTarget)) d.ingress = true;
    if (SOURCES.includes(name) || targets.has(name) || versions.some(selectedByTarget)) d.reasons.push(`workload ${name} differs`);
  }
  for (const name of differingNames(l.services, i.services)) {
    const versions = [l.services.get(name)?.service, i.services.get(name)?.service].filter((s): s is ServiceInfo => s !== undefined);
    const endpoints = [...targets].flatMap((n) => [l.workloads.get(n)?.workload, i.workloads.get(n)?.workload]).filter((w): w is Workload => w !== undefined);
    if (targets.has(name) || versions.some((s) => endpoints.some((w) => serviceSelects(s, w)))) {
      d.ingress = true;
      d.reasons.push(`Service ${name} differs`);
    }
  }
  for (const key of differingNames(l.policies, i.policies)) {
    const versions = [l.policies.get(key), i.policies.get(key)].filter((p): p is PolicyView => p !== undefined);
    const state = !i.policies.has(key) ? "extra" : !l.policies.has(key) ? "missing" : "changed";
    const types = versions.map((p) => policyTypesOf(p.object));
    const ingress = types.some((t) => t.ingress);
    const egress = types.some((t) => t.egress);
    d.ingress ||= ingress;
    d.egress ||= egress;
    d.reasons.push(`${state} ${key.replace(/^[^/]*\//, "")} (${[ingress ? "ingress" : "", egress ? "egress" : ""].filter(Boolean).join(", ")})`);
    d.objects.push(...versions.map((p) => p.object));
  }
  return d.ingress || d.egress ? d : undefined;
}

/** Tenants whose probe sources' proxies know a Service of `ns` on a port whose HTTP listener differs between live and rendered. */
function listenerKnowers(tenants: readonly TenantSpec[], live: ClusterModel, l: NamespaceView | undefined, i: NamespaceView | undefined, scope: ReturnType<typeof sidecarScopeLayer>): TenantSpec[] {
  const ports = (v: NamespaceView | undefined) => new Set(JSON.parse(v?.listenerPorts ?? "[]") as number[]);
  const a = ports(l);
  const b = ports(i);
  const changed = new Set([...a, ...b].filter((p) => a.has(p) !== b.has(p)));
  const services = [...(l?.services.values() ?? []), ...(i?.services.values() ?? [])].map((s) => s.service).filter((s) => s.ports.some((p) => changed.has(p.port)));
  if (services.length === 0) return [];
  const byId = new Map(live.workloads.map((w) => [`${w.namespace}/${w.name}`, w] as const));
  return tenants.filter((t) =>
    SOURCES.some((name) => {
      const source = byId.get(`${t.namespace}/${name}`);
      return source?.sidecar === true && services.some((s) => scope.knowsService(source, s).known);
    }),
  );
}

/**
 * Compares the live model with the rendered one. `tenants`: the tenants verified (the spec's, or a
 * subset); every spec tenant is a name the objects may mention.
 */
export function assessConformance(spec: PlatformSpec, tenants: readonly TenantSpec[], live: ClusterModel, intended: ClusterModel): Conformance {
  const liveViews = namespaceViews(live);
  const intendedViews = namespaceViews(intended);
  const index = new TenantTokenIndex(spec.tenants);
  const deviations = new Map<string, DirectedDeviation>();
  const keys = new Map<string, string>();
  const tenantNamespaces = new Set(spec.tenants.map((t) => t.namespace));
  const verified = new Set(tenants);
  const fallback = (why: string): Conformance => ({ keys: new Map(), deviations: new Map(), tellApart: () => "", fallback: why });

  // An IP-addressed probe target (the API server endpoints) found in a tenant namespace is resolved there for every tenant.
  const probeIps = new Set(spec.cluster.apiServerEndpoints.map((e) => endpointAddress(e.cidr)));
  for (const s of live.services) if (tenantNamespaces.has(s.namespace) && s.clusterIP && probeIps.has(s.clusterIP)) return fallback(`Service ${s.namespace}/${s.name} has the API server probe's address ${s.clusterIP}`);
  for (const w of live.workloads) {
    const ip = w.podIPs.find((p) => probeIps.has(p));
    if (tenantNamespaces.has(w.namespace) && ip) return fallback(`workload ${w.namespace}/${w.name} has the API server probe's address ${ip}`);
  }
  if (!live.services.some((s) => s.name === CLUSTER_DNS_SERVICE && s.namespace === "kube-system") && live.services.some((s) => s.name === CLUSTER_DNS_SERVICE && tenantNamespaces.has(s.namespace))) {
    return fallback(`a tenant namespace has a Service named ${CLUSTER_DNS_SERVICE} and kube-system has none: every name lookup would go there`);
  }

  for (const tenant of tenants) {
    const d = tenantDeviation(spec, tenant, liveViews.get(tenant.namespace), intendedViews.get(tenant.namespace));
    if (d) deviations.set(tenant.name, d);
  }

  // Platform objects that differ: what each version says of each tenant joins its key.
  const platformVersions = { live: [] as PolicyView["object"][], intended: [] as PolicyView["object"][] };
  for (const ns of new Set([...liveViews.keys(), ...intendedViews.keys()])) {
    if (tenantNamespaces.has(ns)) continue;
    const l = liveViews.get(ns);
    const i = intendedViews.get(ns);
    for (const key of differingNames(l?.policies ?? new Map<string, PolicyView>(), i?.policies ?? new Map<string, PolicyView>())) {
      const lv = l?.policies.get(key)?.object;
      const iv = i?.policies.get(key)?.object;
      for (const o of [lv, iv]) {
        if (o && bodyStrings(o).some(matchesNamesPartially)) return fallback(`${o.kind} ${ns ? `${ns}/` : ""}${o.metadata.name} differs from the stack's and matches names partially`);
      }
      if (lv) platformVersions.live.push(lv);
      if (iv) platformVersions.intended.push(iv);
    }
  }
  const liveParts = sharedFragments(platformVersions.live, spec.tenants, index);
  const intendedParts = sharedFragments(platformVersions.intended, spec.tenants, index);
  spec.tenants.forEach((t, k) => {
    if ((!liveParts.together.has(k) && !intendedParts.together.has(k)) || !verified.has(t)) return;
    const d = deviations.get(t.name) ?? { tenant: t.name, ingress: false, egress: false, reasons: [], objects: [] };
    d.ingress = d.egress = true;
    d.everyName = true;
    d.reasons.push("a platform object that differs from the stack's names it together with other tenants");
    deviations.set(t.name, d);
  });

  // Listener ports that differ reach every tenant whose proxies know the Services concerned.
  const scope = sidecarScopeLayer(live);
  const known = new Map<string, string[]>();
  for (const ns of new Set([...liveViews.keys(), ...intendedViews.keys()])) {
    const l = liveViews.get(ns);
    const i = intendedViews.get(ns);
    if ((l?.listenerPorts ?? "[]") === (i?.listenerPorts ?? "[]")) continue;
    for (const t of listenerKnowers(tenants, live, l, i, scope)) known.set(t.name, [...(known.get(t.name) ?? []), ns]);
  }
  for (const [name, namespaces] of known) {
    const d = deviations.get(name) ?? { tenant: name, ingress: false, egress: false, reasons: [], objects: [] };
    d.egress = true;
    const listed = namespaces.length > 3 ? `${namespaces.slice(0, 3).join(", ")} and ${namespaces.length - 3} more` : namespaces.join(", ");
    d.reasons.push(`its proxies know Services whose HTTP listener ports differ from the stack's (in ${listed})`);
    deviations.set(name, d);
  }

  // Labels and pod IPs join the key only where something that differs from the stack could tell
  // tenants apart by them: platform objects here, a deviating tenant's objects on its own paths.
  const canonicalLabels = (t: TenantSpec): Record<string, string> => Object.fromEntries(Object.entries(namespaceLabels(liveViews.get(t.namespace))).map(([k, v]) => [k, canonicalFor(v, t)]));
  const canonical = new Map(tenants.map((t) => [t.name, canonicalLabels(t)] as const));
  const labelKeys = new Set([...canonical.values()].flatMap((labels) => Object.keys(labels)));
  const variable = [...labelKeys].filter((key) => new Set([...canonical.values()].map((labels) => labels[key] ?? "\u0000")).size > 1);
  const selectsOnVariableLabel = (objects: readonly K8sObject[]): boolean => {
    const text = objects.map(bodyText).join("\n");
    return variable.some((key) => text.includes(key));
  };
  const labelKey = (t: TenantSpec): string => JSON.stringify(Object.entries(canonical.get(t.name) ?? {}).sort());
  const signatures = ipSignatures(spec, tenants, live);
  const platformDiffering = [...platformVersions.live, ...platformVersions.intended];
  const deviatingObjects = new Set([...deviations.values()].flatMap((d) => d.objects));
  const baseIp = signatures(live.policies.filter((o) => !deviatingObjects.has(o)));
  const labelsMatter = selectsOnVariableLabel(platformDiffering);
  spec.tenants.forEach((t, k) => {
    if (!verified.has(t)) return;
    const parts = [
      `ip:${baseIp(t)}`,
      labelsMatter ? `labels:${labelKey(t)}` : "",
      ...liveParts.parts[k].map((p) => `live:${p}`).sort(),
      ...intendedParts.parts[k].map((p) => `intended:${p}`).sort(),
    ];
    keys.set(t.name, parts.join("\n"));
  });

  const tellers = new Map<DirectedDeviation, (other: TenantSpec) => string>();
  const tellApart = (d: DirectedDeviation, other: TenantSpec): string => {
    let tell = tellers.get(d);
    if (!tell) {
      const everyName = d.everyName === true || d.objects.flatMap(bodyStrings).some(matchesNamesPartially);
      const named = new Set([...index.mentionsIn(d.objects.map(bodyText).join("\n"))].map((k) => spec.tenants[k].name));
      const labels = selectsOnVariableLabel(d.objects);
      const ips = signatures(d.objects);
      tell = (o) => (everyName || named.has(o.name) ? `name:${o.name}` : `${labels ? labelKey(o) : ""}|${ips(o)}`);
      tellers.set(d, tell);
    }
    return tell(other);
  };
  return { keys, deviations, tellApart };
}

function namespaceLabels(view: NamespaceView | undefined): Record<string, string> {
  return view?.labels ? Object.fromEntries(JSON.parse(view.labels) as [string, string][]) : {};
}

/**
 * For IP blocks written in some objects: which of them hold each tenant's probe-endpoint pod IPs.
 * "" for every tenant when the blocks do not split the tenants' pods at all.
 */
function ipSignatures(spec: PlatformSpec, tenants: readonly TenantSpec[], live: ClusterModel): (objects: readonly K8sObject[]) => (t: TenantSpec) => string {
  return (objects) => {
    const blocks: ParsedCidr[] = ipBlocksIn(objects);
    if (blocks.length === 0) return () => "";
    const bits = new Set<string>();
    const byTenant = new Map(tenants.map((t) => [t.name, ipSignature(live, probeEndpoints(spec, t), blocks, bits)] as const));
    return bits.size <= 1 ? () => "" : (t) => byTenant.get(t.name) ?? "";
  };
}
