// Drift impact with untouched tenants grouped, against the impact over every pair, on applied
// platforms (test/fixtures/server-read.ts) with hand edits in tenant namespaces.
import { strict as assert } from "node:assert";
import type { K8sObject } from "../../../components/k8s/object";
import { renderableObjects } from "../../../components/render/cli";
import type { PlatformSpec, TenantSpec } from "../../../components/spec/types";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { computeDrift } from "../../../lab/audit/drift";
import { driftImpact, type DriftImpact, type OpenedPath } from "../../../lab/audit/impact";
import { AUDIT_KINDS, apiVersionOf, kindId } from "../../../lab/audit/kinds";
import type { KindRead } from "../../../lab/audit/read";
import type { LayerId } from "../../../lab/probes/types";
import { withProbeStandIns } from "../../../lab/model/stand-ins";
import { withKindBuiltins } from "../../../lab/model/verify-cli";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";
import { stackDemoWorkloads } from "../../../lab/workloads/demo";
import { heterogeneousConfig, seededRandom } from "../../fixtures/heterogeneous-platform";
import { serverRead } from "../../fixtures/server-read";

type Json = Record<string, unknown>;

const reads: KindRead[] = AUDIT_KINDS.map((kind) => ({ id: kindId(kind), kind, apiVersion: apiVersionOf(kind.group, kind.versions[0]), status: "read", count: 0, pages: 1 }));

/** Edits in one tenant's namespace that open, close or leave paths. */
const EDITS: ((t: TenantSpec, o: TenantSpec) => (live: K8sObject[]) => K8sObject[])[] = [
  (t, o) => (live) => [...live, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: `admit-${o.name}`, namespace: t.namespace }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": o.namespace } } }] }] } }],
  (t, o) => (live) => [...live, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: `to-${o.name}`, namespace: t.namespace }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {} }] }] } }],
  (t) => (live) => live.filter((x) => !(x.kind === "AuthorizationPolicy" && x.metadata.namespace === t.namespace && x.metadata.name === "deny-cross-tenant")),
  (t) => (live) => live.map((x) => (x.kind === "Sidecar" && x.metadata.namespace === t.namespace ? { ...x, spec: { egress: [{ hosts: ["*/*"] }] } } : x)),
  (t) => (live) => live.map((x) => (x.kind === "NetworkPolicy" && x.metadata.namespace === t.namespace && x.metadata.name === "default-deny" ? { ...x, spec: { ...(x.spec as Json), policyTypes: ["Egress"] } } : x)),
  (t, o) => (live) => [
    ...live.filter((x) => !(x.kind === "AuthorizationPolicy" && x.metadata.namespace === t.namespace && x.metadata.name === "deny-cross-tenant")),
    { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: `allow-${o.name}`, namespace: t.namespace }, spec: { action: "ALLOW", rules: [{ from: [{ source: { namespaces: [o.namespace] } }] }] } },
  ],
  (t) => (live) => {
    const labels = { app: "shop" };
    const shop: K8sObject[] = [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "shop", namespace: t.namespace }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "shop", image: "shop:1", ports: [{ containerPort: 3000 }] }] } } } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "shop", namespace: t.namespace }, spec: { selector: labels, ports: [{ port: 8080, targetPort: 3000 }] } },
    ];
    return [...live, ...serverRead(shop, { seed: 7 })];
  },
];

function impacts(seed: number): { spec: PlatformSpec; grouped: DriftImpact; everyPair: DriftImpact } {
  const random = seededRandom(seed);
  const config = heterogeneousConfig(10 + Math.floor(random() * 6), { seed, sharedServiceCount: Math.floor(random() * 2), maxGrantsPerTenant: 1 });
  config.layers = { sidecarScoping: random() < 0.5, calico: random() < 0.5 };
  const ablate: LayerId[] = random() < 0.4 ? ["networkPolicy"] : [];
  const spec = validatePlatformConfig(config);
  const rendered = renderableObjects(spec, stackDemoWorkloads);
  let live = serverRead(rendered, { seed });
  for (let i = 0; i < 1 + Math.floor(random() * 3); i++) {
    const t = spec.tenants[Math.floor(random() * spec.tenants.length)];
    const o = spec.tenants.filter((x) => x !== t)[Math.floor(random() * (spec.tenants.length - 1))];
    live = EDITS[Math.floor(random() * EDITS.length)](t, o)(live);
  }
  const items = computeDrift(spec, rendered, live, reads).items;
  const modelled = withProbeStandIns(spec, withKindBuiltins(spec, live), labProbeEndpoints).objects;
  return { spec, grouped: driftImpact(spec, modelled, items, ablate), everyPair: driftImpact(spec, modelled, items, ablate, { groupUntouched: false }) };
}

/** The opened paths without the representatives' names, each counted for the pairs it stands for. */
function counted(impact: DriftImpact, spec: PlatformSpec, opened: OpenedPath[] = impact.opened): Map<string, number> {
  const touched = new Set(impact.tenants);
  const out = new Map<string, number>();
  for (const o of opened) {
    const [pair, ...kind] = o.probe.split("/");
    const [a, v] = pair.split("->");
    // A touched tenant keeps its name; an untouched one is anonymous (it may stand for a group).
    const side = (name: string) => (touched.has(name) || !spec.tenants.some((t) => t.name === name) ? name : "*");
    const key = JSON.stringify([side(a), side(v), kind.join("/"), o.openedLayers, o.stillDeniedBy, o.before, o.after]);
    out.set(key, (out.get(key) ?? 0) + (o.pairs ?? 1));
  }
  return out;
}

describe("drift impact with untouched tenants grouped", function () {
  this.timeout(300_000);

  it("equals the impact over every pair on 32 applied platforms with hand edits: the same paths open, as many times, for the drift and for each item alone", () => {
    let grouped = 0;
    let attributed = 0;
    for (let seed = 1; seed <= 32; seed++) {
      const { spec, grouped: g, everyPair: e } = impacts(seed);
      const label = `seed ${seed}: touched ${g.tenants.join(", ")}`;
      assert.deepEqual(counted(g, spec), counted(e, spec), label);
      assert.deepEqual([g.probes, g.violationsIntended, g.violationsLive, g.widensAccess, g.closed.length > 0], [e.probes, e.violationsIntended, e.violationsLive, e.widensAccess, e.closed.length > 0], label);
      assert.ok(g.evaluated <= e.evaluated, label);
      // Each item weighed on its own: on its own tenant's probes (and those of the tenants whose proxies know its Services).
      assert.deepEqual(g.perItem.map((i) => i.ref), e.perItem.map((i) => i.ref), label);
      g.perItem.forEach((item, i) => assert.deepEqual(counted(g, spec, item.opened), counted(e, spec, e.perItem[i].opened), `${label}: ${item.ref} alone`));
      if (g.perItem.length > 1) attributed += 1;
      if (g.evaluated < e.evaluated) grouped += 1;
    }
    assert.ok(grouped > 16 && attributed > 2, `${grouped} platforms evaluated fewer probes grouped, ${attributed} with items weighed one by one`);
  });
});
