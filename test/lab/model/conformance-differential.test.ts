// Grouping a live cluster by conformance against brute force. Seeded random platforms are "applied"
// (test/fixtures/server-read.ts: uids, clusterIPs, ReplicaSets and Pods with pod-template-hash,
// pod IPs on four nodes' /24 blocks), then hand-edited the ways tenants and operators do: tenant
// NetworkPolicies that admit another tenant by name, by label or by IP block, an edited
// default-deny, a deleted cross-tenant DENY, AuthorizationPolicies with principal prefixes, a
// widened Sidecar, an extra app with its Service on a new port, a relabelled echo, changed
// namespace labels, a deleted tenant Calico policy, an edited shared-service rule, extra mesh-wide
// and cluster-wide policies. The verdict grouped by conformance (the rendered objects given as
// `intended`) must equal, for every ordered pair and every tenant's controls, the brute-force
// evaluation of every probe on the live objects (./brute-force.ts).
import { strict as assert } from "node:assert";
import type { K8sObject } from "../../../components/k8s/object";
import type { PlatformSpec, TenantSpec } from "../../../components/spec/types";
import { ENFORCEMENT_LAYERS } from "../../../components/spec/types";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { summarise } from "../../../lab/model/cells";
import { cellFor, platformObjects, verifyPlatform } from "../../../lab/model/platform";
import { withProbeStandIns } from "../../../lab/model/stand-ins";
import type { LayerId } from "../../../lab/probes/types";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";
import { heterogeneousConfig, seededRandom } from "../../fixtures/heterogeneous-platform";
import { serverRead } from "../../fixtures/server-read";
import { bruteForce, comparable } from "./brute-force";

type Json = Record<string, unknown>;
type Mutation = (objects: K8sObject[], spec: PlatformSpec, pick: <T>(items: readonly T[]) => T) => K8sObject[];

const np = (ns: string, name: string, spec: Json): K8sObject => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec });
const ap = (ns: string, name: string, spec: Json): K8sObject => ({ apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name, namespace: ns }, spec });
const byName = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
const without = (objects: K8sObject[], kind: string, ns: string | undefined, name: string) => objects.filter((o) => !(o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name));
const edit = (objects: K8sObject[], match: (o: K8sObject) => boolean, change: (o: K8sObject) => K8sObject) => objects.map((o) => (match(o) ? change(o) : o));
function two(spec: PlatformSpec, pick: <T>(items: readonly T[]) => T): [TenantSpec, TenantSpec] {
  const t = pick(spec.tenants);
  return [t, pick(spec.tenants.filter((o) => o !== t))];
}

const withoutCrossTenantDeny = (objects: K8sObject[], t: TenantSpec) => without(objects, "AuthorizationPolicy", t.namespace, "deny-cross-tenant");

/**
 * Hand edits, each on random tenants; every one is something a tenant or an operator does, and each
 * changes some probe's result, so that a class that wrongly held a deviating or a told-apart tenant
 * shows in the comparison.
 */
const MUTATIONS: Record<string, Mutation> = {
  // A tenant's own objects: its paths only, and the tenants they can tell apart on those paths.
  "cross-tenant DENY replaced by an ALLOW for another tenant by name": (objects, spec, pick) => {
    const [t, o] = two(spec, pick);
    return [...withoutCrossTenantDeny(objects, t), ap(t.namespace, `allow-${o.name}`, { action: "ALLOW", rules: [{ from: [{ source: { namespaces: [o.namespace] } }] }] })];
  },
  "cross-tenant DENY replaced by an ALLOW for a principal prefix": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    return [...withoutCrossTenantDeny(objects, t), ap(t.namespace, "allow-prefix", { action: "ALLOW", rules: [{ from: [{ source: { principals: [`cluster.local/ns/${pick(spec.tenants).namespace.slice(0, -1)}*`] } }] }] })];
  },
  "cross-tenant DENY replaced by an ALLOW for one node's pod block": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    return [...withoutCrossTenantDeny(objects, t), ap(t.namespace, "allow-node-1", { action: "ALLOW", rules: [{ from: [{ source: { ipBlocks: ["10.244.1.0/24"] } }] }] })];
  },
  "Calico policy admitting namespaces by a custom label": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    const calico: K8sObject = { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "default.admit-cost-center", namespace: t.namespace }, spec: { tier: "default", selector: "all()", types: ["Ingress"], ingress: [{ action: "Allow", source: { namespaceSelector: `example.com/cost-center == '${pick(["cc-1", "cc-2"])}'` } }] } };
    return [...objects, calico];
  },
  "Sidecar naming another tenant's namespace": (objects, spec, pick) => {
    const [t, o] = two(spec, pick);
    return edit(objects, (x) => x.kind === "Sidecar" && x.metadata.namespace === t.namespace, (x) => ({ ...x, spec: { egress: [{ hosts: ["./*", "istio-system/*", `${spec.sharedServices.namespace}/*`, `${o.namespace}/*`] }] } }));
  },
  "Sidecar widened to every host": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    return edit(objects, (o) => o.kind === "Sidecar" && o.metadata.namespace === t.namespace, (o) => ({ ...o, spec: { egress: [{ hosts: ["*/*"] }] } }));
  },
  "NetworkPolicies opening a path between two tenants": (objects, spec, pick) => {
    const [t, o] = two(spec, pick);
    return [...objects, np(t.namespace, `admit-${o.name}`, { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [byName(o.namespace)] }] }), np(o.namespace, `to-${t.name}`, { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [byName(t.namespace)] }] })];
  },
  "tenant NetworkPolicy admitting one node's pod block": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    return [...objects, np(t.namespace, "admit-node-1", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "10.244.1.0/24" } }] }] })];
  },
  "default-deny edited to egress only": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    return edit(objects, (o) => o.kind === "NetworkPolicy" && o.metadata.namespace === t.namespace && o.metadata.name === "default-deny", (o) => ({ ...o, spec: { ...(o.spec as Json), policyTypes: ["Egress"] } }));
  },
  "cross-tenant DENY deleted": (objects, spec, pick) => withoutCrossTenantDeny(objects, pick(spec.tenants)),
  "extra app with its Service on a port of its own": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    const labels = { app: "shop" };
    const deployment: K8sObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "shop", namespace: t.namespace }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "shop", image: "shop:1", ports: [{ containerPort: 3000 }] }] } } } };
    const service: K8sObject = { apiVersion: "v1", kind: "Service", metadata: { name: "shop", namespace: t.namespace }, spec: { selector: labels, ports: [{ port: pick([3000, 8080, 80]), targetPort: 3000 }] } };
    return [...objects, ...serverRead([deployment, service], { seed: 99 })];
  },
  "echo relabelled": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    return edit(objects, (o) => o.kind === "Deployment" && o.metadata.namespace === t.namespace && o.metadata.name === "echo", (o) => {
      const s = o.spec as { template: { metadata: { labels: Record<string, string> } } };
      return { ...o, spec: { ...s, template: { ...s.template, metadata: { ...s.template.metadata, labels: { ...s.template.metadata.labels, app: "echo-v2" } } } } };
    });
  },
  "namespace labels changed": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    return edit(objects, (o) => o.kind === "Namespace" && o.metadata.name === t.namespace, (o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, "example.com/cost-center": "cc-1", "hard-tenancy.io/tenant": "moved" } } }));
  },
  "tenant DNS allowance deleted": (objects, spec, pick) => without(objects, "NetworkPolicy", pick(spec.tenants).namespace, "allow-dns"),
  // Platform objects: they join the class key with what they say of each tenant.
  "tenant Calico policy deleted": (objects, spec, pick) => without(objects, "GlobalNetworkPolicy", undefined, `hard-tenancy.isolate-${pick(spec.tenants).name}`),
  "one tenant's shared-service rule edited": (objects, spec, pick) => {
    const t = pick(spec.tenants);
    return edit(objects, (o) => o.kind === "AuthorizationPolicy" && o.metadata.namespace === spec.sharedServices.namespace, (o) => JSON.parse(JSON.stringify(o).split(`/${t.name}"`).join(`/${t.name}-old"`)) as K8sObject);
  },
  "mesh-wide DENY of one tenant": (objects, spec, pick) => [...objects, ap(spec.meshNamespace, "deny-one", { action: "DENY", rules: [{ from: [{ source: { namespaces: [pick(spec.tenants).namespace] } }] }] })],
  "mesh-wide DENY of one node's pod block": (objects, spec) => [...objects, ap(spec.meshNamespace, "deny-node-2", { action: "DENY", rules: [{ from: [{ source: { ipBlocks: ["10.244.2.0/24"] } }] }] })],
  "cluster-wide Deny by a custom label": (objects) => [
    ...objects,
    { apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name: "deny-cc-1" }, spec: { tier: "Admin", priority: 5, subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: { matchLabels: { "example.com/cost-center": "cc-1" } } }] }] } },
  ],
  "mesh-wide rule with a principal prefix": (objects, spec, pick) => [...objects, ap(spec.meshNamespace, "deny-prefix", { action: "DENY", rules: [{ from: [{ source: { principals: [`cluster.local/ns/${pick(spec.tenants).namespace.slice(0, -1)}*`] } }], to: [{ operation: { methods: ["GET"] } }] }] })],
};

const PLATFORMS = 64;

function randomLive(seed: number): { spec: PlatformSpec; intended: K8sObject[]; live: K8sObject[]; applied: string[]; ablate: LayerId[] } {
  const random = seededRandom(seed * 104729);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  // Few shapes, so classes hold several tenants and a deviation has classmates to be told apart from.
  const config = heterogeneousConfig(6 + Math.floor(random() * 7), { seed, sharedServiceCount: 1, customLabelShare: 0.3, gatewayShare: 0.2, apiServerAccessShare: 0.15, maxGrantsPerTenant: pick([0, 1]) });
  config.layers = { sidecarScoping: random() < 0.8, calico: random() < 0.7 };
  const spec = validatePlatformConfig(config);
  const intended = platformObjects(spec, labProbeEndpoints);
  let live = serverRead(intended, { seed, podIps: random() < 0.9 });
  const names = Object.keys(MUTATIONS);
  const applied: string[] = [];
  const count = seed % 8 === 0 ? 0 : 1 + Math.floor(random() * 4);
  for (let i = 0; i < count; i++) {
    const name = pick(names);
    applied.push(name);
    live = MUTATIONS[name](live, spec, pick);
  }
  // As the audit does: the probe endpoints a hand edit removed come back as stand-ins.
  live = withProbeStandIns(spec, live, labProbeEndpoints).objects;
  const ablate = random() < 0.25 ? [pick(ENFORCEMENT_LAYERS)] : [];
  return { spec, intended, live, applied, ablate };
}

describe("grouping a live cluster by conformance, differentially against brute force", function () {
  this.timeout(600_000);

  it(`equals a brute-force evaluation of every pair, cell by cell, on ${PLATFORMS} applied and hand-edited platforms`, () => {
    let pairs = 0;
    let deviating = 0;
    let deviantCells = 0;
    let fallbacks = 0;
    let evaluations = 0;
    let catalogue = 0;
    /** Platforms where deviating tenants and classes of several tenants meet. */
    let grouped = 0;
    const seen = new Set<string>();
    for (let seed = 1; seed <= PLATFORMS; seed++) {
      const { spec, intended, live, applied, ablate } = randomLive(seed);
      applied.forEach((a) => seen.add(a));
      const label = `seed ${seed}: ${spec.tenants.length} tenants, ${spec.grants.length} grants, ablate [${ablate.join(", ")}], edits: ${applied.join("; ") || "none"}`;
      const reduced = verifyPlatform(spec, { objects: live, intended, ablate, grouping: true });
      const brute = bruteForce(spec, live, ablate);
      for (const a of spec.tenants) {
        for (const v of spec.tenants) {
          assert.deepEqual(comparable(cellFor(reduced, a.name, v.name).cell), comparable(brute.cells.get(`${a.name}>${v.name}`)!), `${label}: cell ${a.name} -> ${v.name}`);
          pairs += 1;
        }
      }
      assert.deepEqual(reduced.summary, summarise(spec.tenants.length, brute.outcomes), `${label}: summary`);
      assert.ok(reduced.conformance, label);
      if (applied.length === 0) assert.deepEqual(reduced.conformance.deviating, [], `${label}: an unedited read conforms`);
      if (reduced.conformance.fallback) fallbacks += 1;
      deviating += reduced.conformance.deviating.length;
      deviantCells += reduced.cells.filter((c) => c.deviant).length;
      evaluations += reduced.probesEvaluated;
      if (reduced.classes.some((c) => c.tenants.length > 1) && reduced.conformance.deviating.length > 0) grouped += 1;
      catalogue += brute.outcomes.length;
    }
    assert.equal(seen.size, Object.keys(MUTATIONS).length, `every edit applied at least once (seen ${[...seen].join(", ")})`);
    assert.ok(deviating > PLATFORMS / 2 && deviantCells > PLATFORMS && fallbacks > 0 && grouped > 0, `${deviating} deviating tenants, ${deviantCells} deviant cells, ${fallbacks} fallbacks, ${grouped} platforms with both classes and deviations`);
    assert.ok(evaluations < catalogue, `${evaluations} evaluations for ${catalogue} probes`);
    assert.ok(pairs > PLATFORMS * 9);
  });
});
