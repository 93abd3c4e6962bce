// The article's misconfigurations, as transforms of a platform's rendered objects. The model
// (`verify`) and the live lab (`lab scenario <name>`) apply the same transform and compare.
// Each transform is pure: it returns the new object list and exactly what it added and removed.
import type { K8sObject } from "../components/k8s/object";
import { objectKey } from "../components/k8s/object";
import { APP_LABEL, managedBy } from "../components/spec/labels";
import type { PlatformSpec } from "../components/spec/types";
import type { PlatformVerdict } from "./model/verdict-types";
import type { LayerId } from "./probes/types";
import { ECHO } from "./workloads/names";

export interface ScenarioChange {
  objects: K8sObject[];
  added: K8sObject[];
  removed: K8sObject[];
}

export interface Scenario {
  name: string;
  title: string;
  /** The article's words about this mistake. */
  articleQuote: string;
  /** The tenant whose configuration is broken. */
  victim(spec: PlatformSpec): string;
  apply(objects: K8sObject[], spec: PlatformSpec): ScenarioChange;
  /** The change the report must show, in words. */
  expected: string;
}

/** Marks objects a scenario created, so `lab scenario` can find and delete them on restore. */
export const SCENARIO_LABEL = "hard-tenancy.io/scenario";
const SIDECAR_INJECT_LABEL = "sidecar.istio.io/inject";

/** A tenant no grant names (so the scenario's effect is not mixed with a grant's), else the first. */
export function defaultScenarioVictim(spec: PlatformSpec): string {
  if (spec.tenants.length === 0) throw new Error("scenario: the platform has no tenants; add one under `tenants`");
  const named = new Set(spec.grants.flatMap((g) => [g.from, g.to]));
  return (spec.tenants.find((t) => !named.has(t.name)) ?? spec.tenants[0]).name;
}

function victimNamespace(spec: PlatformSpec, name: string): string {
  const tenant = spec.tenants.find((t) => t.name === name);
  if (!tenant) throw new Error(`scenario: victim "${name}" is not a tenant; choose one of ${spec.tenants.map((t) => t.name).join(", ")}`);
  return tenant.namespace;
}

/** Removes the objects `remove` selects and appends `add`; keeps everything else in order. */
function change(objects: K8sObject[], remove: (o: K8sObject) => boolean, add: K8sObject[]): ScenarioChange {
  const removed = objects.filter(remove);
  const kept = objects.filter((o) => !remove(o));
  return { objects: [...kept, ...add], added: add, removed };
}

/** Replaces each object `select` picks by `rewrite(object)` (removed: the originals, added: the rewrites). */
function rewrite(objects: K8sObject[], select: (o: K8sObject) => boolean, rewriteOne: (o: K8sObject) => K8sObject): ScenarioChange {
  const removed: K8sObject[] = [];
  const added: K8sObject[] = [];
  const result = objects.map((o) => {
    if (!select(o)) return o;
    const replacement = rewriteOne(structuredClone(o));
    removed.push(o);
    added.push(replacement);
    return replacement;
  });
  return { objects: result, added, removed };
}

function scenarioMeta(name: string, namespace: string, scenario: string): K8sObject["metadata"] {
  return { name, namespace, labels: managedBy({ [SCENARIO_LABEL]: scenario }) };
}

function isKind(o: K8sObject, group: string, kind: string): boolean {
  return o.kind === kind && o.apiVersion.startsWith(`${group}/`);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function selectsApp(policy: K8sObject, app: string): boolean {
  const labels = record(record(record(policy.spec).selector).matchLabels);
  return labels[APP_LABEL] === app;
}

const missingDefaultDeny: Scenario = {
  name: "missing-default-deny",
  title: "A tenant namespace without any NetworkPolicy",
  articleQuote: "Start with default-deny NetworkPolicies in every tenant namespace before adding any allow rules",
  victim: defaultScenarioVictim,
  apply(objects, spec) {
    const ns = victimNamespace(spec, defaultScenarioVictim(spec));
    return change(objects, (o) => isKind(o, "networking.k8s.io", "NetworkPolicy") && o.metadata.namespace === ns, []);
  },
  expected:
    "No verdict changes. A NetworkPolicy connection needs the source's egress AND the destination's ingress: every other " +
    "tenant's default-deny egress still stops its packets to the victim, and their default-deny ingress stops the " +
    "victim's packets, so the networkPolicy layer still blocks every attack on another tenant on its own. " +
    "The victim's own controls keep working (its egress is now unrestricted), and so does its way out to the API server: " +
    "its API probe loses the networkPolicy layer and is denied by Calico alone (one layer of depth instead of two).",
};

const sharedServiceOpen: Scenario = {
  name: "shared-service-open",
  title: "The shared log collector accepts any source and any path",
  articleQuote:
    "A logging aggregator or metrics collector deployed in a platform namespace accepts connections from all tenants. " +
    "One tenant's compromised workload can now poison logs",
  victim: defaultScenarioVictim,
  apply(objects, spec) {
    const shared = spec.sharedServices;
    const collector = shared.services[0];
    if (!shared.enabled || !collector) throw new Error("scenario shared-service-open: the platform has no shared service; enable sharedServices with at least one service");
    const isCollectorAllow = (o: K8sObject): boolean =>
      isKind(o, "security.istio.io", "AuthorizationPolicy") &&
      o.metadata.namespace === shared.namespace &&
      (record(o.spec).action ?? "ALLOW") === "ALLOW" &&
      selectsApp(o, collector.name);
    const openPolicy: K8sObject = {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: scenarioMeta(`allow-any-to-${collector.name}`, shared.namespace, "shared-service-open"),
      // One empty rule matches every request: any source, method and path.
      spec: { selector: { matchLabels: { [APP_LABEL]: collector.name } }, action: "ALLOW", rules: [{}] },
    };
    return change(objects, isCollectorAllow, [openPolicy]);
  },
  expected:
    "Every path-spoof and path-traversal probe on the collector becomes a violation: any tenant that may reach it at L4 can write to " +
    "every other tenant's path. Header spoofing stays denied (the shared namespace's DENY on x-tenant-identity), as do all " +
    "network attacks and every positive control.",
};

const permissiveMtls: Scenario = {
  name: "permissive-mtls",
  title: "One tenant's PeerAuthentication in PERMISSIVE mode",
  articleQuote: "By default, Istio operates in permissive mode, accepting both plaintext and mTLS traffic to ease migration.",
  victim: defaultScenarioVictim,
  apply(objects, spec) {
    const ns = victimNamespace(spec, defaultScenarioVictim(spec));
    const isNamespacePeerAuth = (o: K8sObject): boolean =>
      isKind(o, "security.istio.io", "PeerAuthentication") && o.metadata.namespace === ns && record(o.spec).selector === undefined;
    if (!objects.some(isNamespacePeerAuth)) {
      const permissive: K8sObject = {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: scenarioMeta("default", ns, "permissive-mtls"),
        spec: { mtls: { mode: "PERMISSIVE" } },
      };
      return change(objects, () => false, [permissive]);
    }
    return rewrite(objects, isNamespacePeerAuth, (o) => ({ ...o, spec: { ...record(o.spec), mtls: { mode: "PERMISSIVE" } } }));
  },
  expected:
    "No verdict changes. Every network attack on the victim loses the peerAuthentication layer and one layer of depth " +
    "(4 → 3; its cells read NC··A): sidecar-free and sidecar-bypassing pods send plaintext, and so do meshed clients, whose " +
    "Sidecar scope does not know the victim's services, so their Envoy passes the request through without mTLS. " +
    "Authorization still denies them (a plaintext caller has no namespace, so the DENY with notNamespaces matches it).",
};

const sidecarFreePod: Scenario = {
  name: "sidecar-free-pod",
  title: "A sidecar-free HTTP server in a tenant namespace",
  articleQuote: "When some pods bypass the service mesh, they operate outside your identity and authorization model entirely.",
  victim: defaultScenarioVictim,
  apply(objects, spec) {
    const ns = victimNamespace(spec, defaultScenarioVictim(spec));
    const isEcho = (o: K8sObject): boolean => o.kind === "Deployment" && o.metadata.namespace === ns && o.metadata.name === ECHO.name;
    if (!objects.some(isEcho)) throw new Error(`scenario sidecar-free-pod: no Deployment ${ns}/${ECHO.name}; enable demoWorkloads`);
    // The echo server itself is replaced by a copy that opts out of injection, so every probe of
    // the catalogue that targets echo now meets a server without a sidecar.
    return rewrite(objects, isEcho, (o) => {
      const spec = record(o.spec);
      const template = record(spec.template);
      const meta = record(template.metadata);
      const labels = { ...(record(meta.labels) as Record<string, string>), [SIDECAR_INJECT_LABEL]: "false" };
      return {
        ...o,
        metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), [SCENARIO_LABEL]: "sidecar-free-pod" } },
        spec: { ...spec, template: { ...template, metadata: { ...meta, labels } } },
      };
    });
  },
  expected:
    "No verdict changes, but every network attack on the victim's echo loses both Istio layers (no sidecar: nothing " +
    "enforces peerAuthentication or authorization there): only networkPolicy and calico hold, so those cells read NC··· " +
    "with a defense-in-depth figure of 2. The victim's own controls still work.",
};

const tenantAllowAll: Scenario = {
  name: "tenant-allow-all",
  title: "A tenant adds a NetworkPolicy allowing all ingress from all namespaces",
  articleQuote: "a misconfigured NetworkPolicy let tenant A's debug pod curl tenant B's internal API—and nobody noticed until the security audit",
  victim: defaultScenarioVictim,
  apply(objects, spec) {
    const ns = victimNamespace(spec, defaultScenarioVictim(spec));
    const allowAll: K8sObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: scenarioMeta("allow-all-ingress", ns, "tenant-allow-all"),
      spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {} }] }] },
    };
    return change(objects, () => false, [allowAll]);
  },
  expected:
    "No verdict changes and no layer lost: the Calico tier still denies every cross-tenant packet, and the attackers' own " +
    "default-deny egress still stops them at the networkPolicy layer (a connection needs the source's egress AND the " +
    "destination's ingress). Only an attacker whose egress is open too gets past networkPolicy (then its attacks on the " +
    "victim, and its API probe, lose N and one layer of depth; Calico still denies).",
};

export const SCENARIOS: Scenario[] = [missingDefaultDeny, sharedServiceOpen, permissiveMtls, sidecarFreePod, tenantAllowAll];

export function findScenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown scenario "${name}"; choose one of: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  return found;
}

/** Object keys (kind/namespace/name) a change touched, for plans and reports. */
export function changedKeys(change: ScenarioChange): { added: string[]; removed: string[] } {
  return { added: change.added.map(objectKey), removed: change.removed.map(objectKey) };
}

/** How one probe's prediction changed between two verdicts (matched by probe id). */
export interface ProbeChange {
  id: string;
  verdictBefore: string;
  verdictAfter: string;
  metBefore: boolean;
  metAfter: boolean;
  /** Layers that blocked the attack on their own before but no longer do. */
  layersLost: LayerId[];
  layersGained: LayerId[];
  countBefore?: number;
  countAfter?: number;
}

/**
 * Every probe whose verdict, intent or defense in depth differs between `before` and `after`
 * (both ungrouped, i.e. one outcome per probe): the change a scenario makes to the report.
 */
export function compareVerdicts(before: PlatformVerdict, after: PlatformVerdict): ProbeChange[] {
  if (before.grouped || after.grouped) throw new Error("compareVerdicts: compare ungrouped verdicts (verifyPlatform with grouping: false)");
  const afterById = new Map(after.outcomes.map((o) => [o.probe.id, o]));
  const changes: ProbeChange[] = [];
  for (const b of before.outcomes) {
    const a = afterById.get(b.probe.id);
    if (!a) continue;
    const lost = (b.defense?.blockingLayers ?? []).filter((l) => !(a.defense?.blockingLayers ?? []).includes(l));
    const gained = (a.defense?.blockingLayers ?? []).filter((l) => !(b.defense?.blockingLayers ?? []).includes(l));
    if (a.result.verdict === b.result.verdict && a.met === b.met && lost.length === 0 && gained.length === 0) continue;
    changes.push({
      id: b.probe.id,
      verdictBefore: b.result.verdict,
      verdictAfter: a.result.verdict,
      metBefore: b.met,
      metAfter: a.met,
      layersLost: lost,
      layersGained: gained,
      ...(b.defense ? { countBefore: b.defense.count } : {}),
      ...(a.defense ? { countAfter: a.defense.count } : {}),
    });
  }
  return changes;
}
