// The L3/4-observable catalogue: the probes a cluster without a mesh (the local backend: pods are
// network namespaces, Felix, kube-proxy and CoreDNS enforce and route, no Envoy anywhere) can tell
// apart, derived from the full catalogue. Pure.
//
// Without sidecars every client sends plaintext from its own pod, so a probe's client mode (sidecar,
// bypass, none) makes no difference to the packets, nor do its method, path and headers (L7): what
// NetworkPolicy and Calico see is source pod → destination (Service or pod IP), port, protocol.
// 1. Every probe is sent from the tenant's sidecar-free `debug` pod; a probe that came from the
//    meshed `client` or `bypass` pod gets the `no-sidecar` client id suffix where it had one.
// 2. Probes that then send the same L3/4 request are one probe. The one kept is a positive control
//    if the group has one (the path must be open, e.g. a port a grant opens), else the one that was
//    sidecar-free already, else the first. Every other one is listed as not run, naming the kept
//    probe and what it differs by: those differ only by mTLS identity or L7, which only the mesh
//    enforces ("needs the mesh (not on this backend)").
// 3. Probes only an L3/4 check needs are added per tenant: DNS over TCP (the UDP control's twin),
//    istiod's 15012 (allowed) and its webhook port 15017 (denied), and each shared service the tenant
//    may not use (the catalogue's spoofing probes stand for it; here they collapse into it).
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { BYPASS, CLIENT, DEBUG } from "../workloads/names";
import { buildProbeCatalogue, DNS_SERVICE_NAME, pairProbes, tenantControlProbes, usableSharedServices } from "./catalogue";
import type { CataloguedProbe } from "./types";

/** Why a probe of the full catalogue is not run where there is no mesh. */
export const NEEDS_MESH = "needs the mesh (not on this backend)";

/** istiod's Service ports as Istio's chart declares them: 15012 (xDS and CA, mTLS) and 443 → 15017 (the injection webhook). */
export const ISTIOD = { name: "istiod", xdsPort: 15012, webhookServicePort: 443, webhookTargetPort: 15017 } as const;

export interface NotRunProbe {
  probe: CataloguedProbe;
  /** Starts with NEEDS_MESH when the probe differs from the kept one only by what the mesh enforces. */
  reason: string;
  /** Id of the kept probe that sends the same L3/4 request. */
  sameRequestAs: string;
}

export interface L34Catalogue {
  /** What runs, in catalogue order (a tenant's added probes follow its UDP DNS control). */
  probes: CataloguedProbe[];
  notRun: NotRunProbe[];
}

/**
 * The L3/4-observable probes of `catalogue` (default: the spec's whole catalogue), and the ones not
 * run with why. A tenant gets its added probes when `catalogue` holds its UDP DNS control.
 */
export function l34Catalogue(spec: PlatformSpec, catalogue: readonly CataloguedProbe[] = buildProbeCatalogue(spec)): L34Catalogue {
  const entries = catalogueWithAdditions(spec, catalogue).map(({ probe, added }) => ({ original: probe, sent: added ? probe : sidecarFreeVariant(probe) }));
  const groups = new Map<string, typeof entries>();
  for (const entry of entries) {
    const key = requestKey(entry.sent);
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  const kept = new Set<CataloguedProbe>();
  const notRun: NotRunProbe[] = [];
  for (const group of groups.values()) {
    const chosen = group.find((e) => e.original.intent === "allow") ?? group.find((e) => e.sent === e.original) ?? group[0];
    kept.add(chosen.sent);
    for (const other of group) if (other !== chosen) notRun.push({ probe: other.original, reason: notRunReason(other.original, chosen.original, chosen.sent.id), sameRequestAs: chosen.sent.id });
  }
  const probes = entries.filter((e) => kept.has(e.sent)).map((e) => e.sent);
  const ids = new Set<string>();
  for (const probe of probes) {
    if (ids.has(probe.id)) throw new Error(`l34Catalogue: two different L3/4 requests got the id ${probe.id}; give the catalogue's probes ids that differ by more than their client suffix`);
    ids.add(probe.id);
  }
  return { probes, notRun: notRun.sort((a, b) => catalogue.indexOf(a.probe) - catalogue.indexOf(b.probe)) };
}

/**
 * `catalogue` with each tenant's L3/4 probes (l34TenantProbes) right after its UDP DNS control:
 * what the local backend runs with its sidecars (the whole catalogue, and the reach to DNS over
 * TCP, istiod and the shared services it may not use, which only an L3/4 check adds).
 */
export function withL34TenantProbes(spec: PlatformSpec, catalogue: readonly CataloguedProbe[]): CataloguedProbe[] {
  return catalogueWithAdditions(spec, catalogue).map(({ probe }) => probe);
}

function catalogueWithAdditions(spec: PlatformSpec, catalogue: readonly CataloguedProbe[]): { probe: CataloguedProbe; added: boolean }[] {
  const entries: { probe: CataloguedProbe; added: boolean }[] = [];
  for (const probe of catalogue) {
    entries.push({ probe, added: false });
    const tenant = isUdpDnsControl(probe) ? spec.tenants.find((t) => t.name === probe.attacker) : undefined;
    if (tenant) for (const added of l34TenantProbes(spec, tenant)) entries.push({ probe: added, added: true });
  }
  return entries;
}

/** One tenant's L3/4 probes on the diagonal: its controls and its reach to DNS, istiod and the API server. */
export function l34ControlProbes(spec: PlatformSpec, tenant: TenantSpec): CataloguedProbe[] {
  return l34Catalogue(spec, tenantControlProbes(spec, tenant)).probes;
}

/**
 * The L3/4 probes of one ordered pair, exactly as l34Catalogue derives them from the whole
 * catalogue: the attacker's controls take part in the grouping (a spoofing probe is the same L3/4
 * request as the attacker's own shared-service probe), but only the pair's own probes are returned.
 */
export function l34PairProbes(spec: PlatformSpec, attacker: TenantSpec, victim: TenantSpec): CataloguedProbe[] {
  const pair = pairProbes(spec, attacker, victim);
  const own = new Set(pair.map((p) => sidecarFreeVariant(p).id));
  return l34Catalogue(spec, [...tenantControlProbes(spec, attacker), ...pair]).probes.filter((p) => p.attacker === attacker.name && p.victim === victim.name && own.has(p.id));
}

/** Probes only an L3/4 check adds for a tenant, all from its sidecar-free pod. */
export function l34TenantProbes(spec: PlatformSpec, tenant: TenantSpec): CataloguedProbe[] {
  const t = tenant.name;
  const from = `${tenant.namespace}/${DEBUG.name}`;
  const base = { from, client: "no-sidecar" as const, attacker: t };
  const dnsNamespace = spec.cluster.dns.namespace;
  const probes: CataloguedProbe[] = [
    {
      ...base,
      id: `${t}->${dnsNamespace}/${DNS_SERVICE_NAME}/tcp`,
      to: { service: `${dnsNamespace}/${DNS_SERVICE_NAME}`, port: 53 },
      protocol: "TCP",
      intent: "allow",
      category: "dns",
      victim: dnsNamespace,
      description: `${t}'s pods reach cluster DNS over TCP 53 (large answers; the name itself is looked up over UDP)`,
    },
  ];
  // istiod exists where the platform installs Istio (the model adds it as kind brings it: lab/model/kind-builtins.ts).
  if (spec.install.istio) {
    const mesh = spec.meshNamespace;
    const istiod = `${mesh}/${ISTIOD.name}`;
    probes.push(
      {
        ...base,
        id: `${t}->${mesh}/${ISTIOD.name}/${ISTIOD.xdsPort}`,
        to: { service: istiod, port: ISTIOD.xdsPort },
        protocol: "TCP",
        intent: "allow",
        category: "istiod",
        victim: mesh,
        description: `${t}'s pods reach istiod's xDS/CA port ${ISTIOD.xdsPort}, which every sidecar needs`,
      },
      {
        ...base,
        id: `${t}->${mesh}/${ISTIOD.name}/${ISTIOD.webhookTargetPort}`,
        to: { service: istiod, port: ISTIOD.webhookServicePort },
        protocol: "TCP",
        intent: "deny",
        category: "istiod",
        victim: mesh,
        description: `${t}'s pods must not reach istiod's injection webhook (Service port ${ISTIOD.webhookServicePort} → ${ISTIOD.webhookTargetPort}): only the API server calls it`,
      },
    );
  }
  const usable = new Set(usableSharedServices(spec, tenant).map((s) => s.name));
  if (spec.sharedServices.enabled) {
    for (const service of spec.sharedServices.services.filter((s) => !usable.has(s.name))) {
      probes.push({
        ...base,
        id: `${t}->${spec.sharedServices.namespace}/${service.name}/unlisted`,
        to: { service: `${spec.sharedServices.namespace}/${service.name}`, port: service.port },
        protocol: "HTTP",
        method: service.methods.length > 0 ? service.methods[0].toUpperCase() : "POST",
        path: `${service.pathPrefix}/${t}/probe`,
        intent: "deny",
        category: "shared-service-spoof",
        victim: spec.sharedServices.namespace,
        description: `${t} may not use the shared ${service.name}: its pods must not reach it`,
      });
    }
  }
  return probes;
}

/** The probe as a cluster without a mesh sends it: from the tenant's sidecar-free debug pod, with a `/no-sidecar` id where it had a client suffix. */
export function sidecarFreeVariant(probe: CataloguedProbe): CataloguedProbe {
  const slash = probe.from.indexOf("/");
  const namespace = probe.from.slice(0, slash);
  const workload = probe.from.slice(slash + 1);
  const meshed = workload === CLIENT.name || workload === BYPASS.name;
  if (!meshed && probe.client === "no-sidecar") return probe;
  const id = probe.id.replace(/\/(sidecar|bypass)$/, "/no-sidecar");
  return {
    ...probe,
    id,
    from: meshed ? `${namespace}/${DEBUG.name}` : probe.from,
    client: "no-sidecar",
    description: `${probe.description} (sent sidecar-free${meshed ? ` from ${DEBUG.name}` : ""}: no mesh on this backend)`,
  };
}

function isUdpDnsControl(probe: CataloguedProbe): boolean {
  return probe.category === "dns" && probe.protocol === "UDP" && probe.attacker !== probe.victim;
}

/** What L3/4 enforcement and the check's judgement can tell apart: source pod, destination, protocol. */
function requestKey(probe: CataloguedProbe): string {
  return JSON.stringify([probe.from, probe.to, probe.protocol]);
}

function notRunReason(dropped: CataloguedProbe, kept: CataloguedProbe, keptId: string): string {
  const differences: string[] = [];
  if (dropped.from !== kept.from || (dropped.client ?? "sidecar") !== (kept.client ?? "sidecar")) {
    differences.push(`its client (${dropped.client ?? "sidecar"} from ${dropped.from}: mTLS identity)`);
  }
  if ((dropped.method ?? "GET") !== (kept.method ?? "GET")) differences.push(`method ${dropped.method ?? "GET"}`);
  if ((dropped.path ?? "/") !== (kept.path ?? "/")) differences.push(`path ${dropped.path ?? "/"}`);
  if (JSON.stringify(dropped.headers ?? {}) !== JSON.stringify(kept.headers ?? {})) differences.push(`headers ${Object.keys(dropped.headers ?? {}).join(", ") || "(none)"}`);
  if (differences.length === 0) return `the same request as ${keptId}`;
  return `${NEEDS_MESH}: without sidecars it is the same L3/4 request as ${keptId}; it differs only by ${differences.join(", ")}`;
}
