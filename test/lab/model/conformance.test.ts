import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { K8sObject } from "../../../components/k8s/object";
import type { PlatformConfig } from "../../../components/spec/types";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { summarise } from "../../../lab/model/cells";
import { assessConformance } from "../../../lab/model/conformance";
import { planPairClasses } from "../../../lab/model/pair-classes";
import { cellFor, platformModel, platformObjects, verifyPlatform } from "../../../lab/model/platform";
import { withProbeStandIns } from "../../../lab/model/stand-ins";
import type { LayerId } from "../../../lab/probes/types";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";
import { heterogeneousConfig } from "../../fixtures/heterogeneous-platform";
import { syntheticConfig } from "../../fixtures/platform";
import { serverRead } from "../../fixtures/server-read";
import { bruteForce, comparable } from "./brute-force";

type Json = Record<string, unknown>;

/** A platform of identical tenants, applied (server-read), then edited; the verdict by conformance and brute force. */
function applied(edit: (live: K8sObject[]) => K8sObject[], options: { config?: Partial<PlatformConfig>; ablate?: LayerId[]; tenants?: number } = {}) {
  const spec = validatePlatformConfig(syntheticConfig(options.tenants ?? 5, { grants: [], ...options.config }));
  const intended = platformObjects(spec, labProbeEndpoints);
  const live = edit(serverRead(intended));
  const ablate = options.ablate ?? [];
  const verdict = verifyPlatform(spec, { objects: live, intended, grouping: true, ablate });
  const brute = bruteForce(spec, live, ablate);
  const assertEqualsBruteForce = (): void => {
    for (const a of spec.tenants) for (const v of spec.tenants) assert.deepEqual(comparable(cellFor(verdict, a.name, v.name).cell), comparable(brute.cells.get(`${a.name}>${v.name}`)!), `${a.name} -> ${v.name}`);
    assert.deepEqual(verdict.summary, summarise(spec.tenants.length, brute.outcomes));
  };
  const conformance = assessConformance(spec, spec.tenants, platformModel(spec, live), platformModel(spec, intended));
  return { spec, verdict, brute, conformance, assertEqualsBruteForce };
}

const authorizationPolicy = (ns: string, name: string, spec: Json): K8sObject => ({ apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name, namespace: ns }, spec });
const withoutObject = (kind: string, ns: string, name: string) => (live: K8sObject[]) => live.filter((o) => !(o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name));

/** A real read (test/fixtures/recorded/heterogeneous-read.json): three tenants of heterogeneousConfig(1000, { seed: 1 }) on the local backend. */
function recordedRead(): { spec: ReturnType<typeof validatePlatformConfig>; objects: K8sObject[]; namespaces: string[] } {
  const recorded = JSON.parse(readFileSync(join(__dirname, "../../fixtures/recorded/heterogeneous-read.json"), "utf8")) as { objects: K8sObject[] };
  return { spec: validatePlatformConfig(heterogeneousConfig(1000, { seed: 1 })), objects: recorded.objects, namespaces: ["tenant-t0002", "tenant-t0003", "tenant-t0004"] };
}

describe("conformance: grouping a live cluster by the stack it runs", () => {
  it("finds three tenants of a real read conforming: what the API server and its controllers add is set aside", () => {
    const { spec, objects, namespaces } = recordedRead();
    const intended = platformObjects(spec, labProbeEndpoints);
    const mine = (o: K8sObject) => namespaces.includes(o.metadata.namespace ?? "") || (o.kind === "Namespace" && namespaces.includes(o.metadata.name));
    // The rest of the cluster as rendered; these three namespaces as the API server returned them.
    const live = withProbeStandIns(spec, [...intended.filter((o) => !mine(o)), ...objects], labProbeEndpoints).objects;
    assert.ok(objects.some((o) => o.kind === "Pod" && o.metadata.labels?.["pod-template-hash"]) && objects.some((o) => o.kind === "Service" && typeof (o.spec as Json).clusterIP === "string"));
    const verified = spec.tenants.filter((t) => namespaces.includes(t.namespace));
    const conformance = assessConformance(spec, verified, platformModel(spec, live), platformModel(spec, intended));
    assert.equal(conformance.fallback, undefined);
    assert.deepEqual([...conformance.deviations.keys()], []);
  });

  it("finds a freshly applied platform conforming (uids, clusterIPs, ReplicaSets, hashed Pods and pod IPs aside): the spec's classes, no deviant cell", () => {
    const { spec, verdict, conformance, assertEqualsBruteForce } = applied((live) => live);
    assert.deepEqual([...conformance.deviations.keys()], []);
    assert.deepEqual(verdict.conformance, { conforming: 5, deviating: [] });
    assert.deepEqual(verdict.classes.map((c) => c.tenants), planPairClasses(spec).classes.map((c) => c.tenants.map((t) => t.name)));
    assert.equal(verdict.classes.length, 1);
    assert.ok(verdict.cells.every((c) => !c.deviant));
    assertEqualsBruteForce();
  });

  it("sends a tenant's ALLOW for another tenant by name to paths into that tenant only, and tells the named tenant apart there", () => {
    const edit = (live: K8sObject[]) => [...withoutObject("AuthorizationPolicy", "tenant-t0001", "deny-cross-tenant")(live), authorizationPolicy("tenant-t0001", "allow-t0003", { action: "ALLOW", rules: [{ from: [{ source: { namespaces: ["tenant-t0003"] } }] }] })];
    // Without Sidecar scoping every proxy knows every Service: cross-tenant calls carry mTLS identities the ALLOW can match.
    const { verdict, conformance, assertEqualsBruteForce } = applied(edit, { config: { layers: { sidecarScoping: false } } });
    const d = conformance.deviations.get("t0001")!;
    assert.deepEqual([d.ingress, d.egress], [true, false]);
    assert.deepEqual(d.reasons, ["extra AuthorizationPolicy/allow-t0003 (ingress)", "missing AuthorizationPolicy/deny-cross-tenant (ingress)"]);
    // t0001's outbound pairs stay with its class; t0003 -> t0001 is evaluated on its own, t0002 and t0004 -> t0001 together.
    assert.equal(cellFor(verdict, "t0001", "t0002").deviant, undefined);
    assert.deepEqual(cellFor(verdict, "t0003", "t0001").pairs, [["t0003", "t0001"]]);
    assert.deepEqual(cellFor(verdict, "t0002", "t0001").pairs, [["t0002", "t0001"], ["t0004", "t0001"], ["t0005", "t0001"]]);
    assert.notDeepEqual(comparable(cellFor(verdict, "t0003", "t0001").cell), comparable(cellFor(verdict, "t0002", "t0001").cell));
    assertEqualsBruteForce();
  });

  it("sends a widened Sidecar to paths out of the tenant only", () => {
    const edit = (live: K8sObject[]) => live.map((o) => (o.kind === "Sidecar" && o.metadata.namespace === "tenant-t0002" ? { ...o, spec: { egress: [{ hosts: ["*/*"] }] } } : o));
    const { verdict, conformance, assertEqualsBruteForce } = applied(edit);
    const d = conformance.deviations.get("t0002")!;
    assert.deepEqual([d.ingress, d.egress], [false, true]);
    assert.equal(cellFor(verdict, "t0001", "t0002").deviant, undefined);
    assert.equal(cellFor(verdict, "t0002", "t0001").deviant, true);
    assertEqualsBruteForce();
  });

  it("tells tenants apart by the IP blocks a deviating tenant writes, only where their pods fall on different sides", () => {
    const edit = (live: K8sObject[]) => [...withoutObject("AuthorizationPolicy", "tenant-t0001", "deny-cross-tenant")(live), authorizationPolicy("tenant-t0001", "allow-node-1", { action: "ALLOW", rules: [{ from: [{ source: { ipBlocks: ["10.244.1.0/24"] } }] }] })];
    const { spec, verdict, conformance, assertEqualsBruteForce } = applied(edit, { tenants: 8 });
    const d = conformance.deviations.get("t0001")!;
    const signatures = new Set(spec.tenants.filter((t) => t.name !== "t0001").map((t) => conformance.tellApart(d, t)));
    assert.ok(signatures.size > 1, "the pods of the synthetic read fall on more than one node");
    // Elsewhere the block tells nothing: one class for the spec's single shape.
    assert.equal(verdict.classes.length, 1);
    assertEqualsBruteForce();
  });

  it("makes every tenant whose proxies know a new HTTP listener port deviate outbound (a sidecar's 503 instead of a reset)", () => {
    const labels = { app: "shop" };
    const shop: K8sObject[] = [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "shop", namespace: "tenant-t0001" }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "shop", image: "shop:1", ports: [{ containerPort: 3000 }] }] } } } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "shop", namespace: "tenant-t0001" }, spec: { selector: labels, ports: [{ port: 8080, targetPort: 3000 }] } },
    ];
    const { verdict, brute, conformance, assertEqualsBruteForce } = applied((live) => [...live, ...serverRead(shop, { seed: 5 })], { config: { sharedServices: { enabled: false }, layers: { calico: false } }, ablate: ["networkPolicy"] });
    assert.deepEqual([...conformance.deviations.keys()], ["t0001"]);
    assert.deepEqual(conformance.deviations.get("t0001")!.reasons, ["its proxies know Services whose HTTP listener ports differ from the stack's (in tenant-t0001)"]);
    const podDirect = (a: string) => brute.cells.get(`${a}>t0003`)!.probes.find((p) => p.kind === "pod-direct/sidecar")!.observation;
    assert.deepEqual([podDirect("t0001"), podDirect("t0002")], ["http 503 upstream connect error", "curl exit 56"]);
    assert.equal(cellFor(verdict, "t0001", "t0003").deviant, true);
    assertEqualsBruteForce();
  });

  it("keeps tenants that differ in custom labels together until something that differs from the stack selects on the label", () => {
    const config = syntheticConfig(4, { grants: [] });
    config.tenants[1].labels = { "example.com/cost-center": "cc-1" };
    const spec = validatePlatformConfig(config);
    const intended = platformObjects(spec, labProbeEndpoints);
    const live = serverRead(intended);
    const plain = verifyPlatform(spec, { objects: live, intended, grouping: true });
    assert.equal(plain.classes.length, 1);
    const deny: K8sObject = { apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name: "deny-cc-1" }, spec: { tier: "Admin", priority: 5, subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: { matchLabels: { "example.com/cost-center": "cc-1" } } }] }] } };
    const selected = verifyPlatform(spec, { objects: [...live, deny], intended, grouping: true });
    assert.deepEqual(selected.classes.map((c) => c.tenants), [["t0001", "t0003", "t0004"], ["t0002"]]);
    const brute = bruteForce(spec, [...live, deny], []);
    assert.deepEqual(selected.summary, summarise(4, brute.outcomes));
  });

  it("falls back to grouping by objects when a platform object that differs matches names partially, and still equals brute force", () => {
    const prefix = authorizationPolicy("istio-system", "deny-prefix", { action: "DENY", rules: [{ from: [{ source: { principals: ["cluster.local/ns/tenant-t000*"] } }], to: [{ operation: { methods: ["GET"] } }] }] });
    const { verdict, conformance, assertEqualsBruteForce } = applied((live) => [...live, prefix]);
    assert.match(conformance.fallback!, /AuthorizationPolicy istio-system\/deny-prefix differs from the stack's and matches names partially/);
    assert.match(verdict.conformance!.fallback!, /every pair evaluated/);
    assertEqualsBruteForce();
  });

  it("falls back when a tenant's Service holds the API server probe's address (every tenant's API probe would resolve there)", () => {
    const { conformance } = applied((live) => live.map((o) => (o.kind === "Service" && o.metadata.namespace === "tenant-t0002" ? { ...o, spec: { ...(o.spec as Json), clusterIP: "172.18.0.2" } } : o)));
    assert.match(conformance.fallback!, /Service tenant-t0002\/echo has the API server probe's address 172\.18\.0\.2/);
  });

  it("sends a changed probe source outbound, a changed probe target inbound, changed namespace labels both ways", () => {
    const edit = (live: K8sObject[]) =>
      live.map((o) => {
        if (o.kind === "Deployment" && o.metadata.namespace === "tenant-t0001" && o.metadata.name === "client") return { ...o, spec: { ...(o.spec as Json), template: { metadata: { labels: { app: "client", extra: "yes" }, annotations: {} }, spec: ((o.spec as Json).template as Json).spec } } };
        if (o.kind === "Deployment" && o.metadata.namespace === "tenant-t0002" && o.metadata.name === "echo") return { ...o, spec: { ...(o.spec as Json), template: { metadata: { labels: { app: "echo-v2" } }, spec: ((o.spec as Json).template as Json).spec } } };
        if (o.kind === "Namespace" && o.metadata.name === "tenant-t0003") return { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, team: "blue" } } };
        return o;
      });
    const { conformance, assertEqualsBruteForce } = applied(edit);
    const directions = (t: string) => [conformance.deviations.get(t)?.ingress, conformance.deviations.get(t)?.egress];
    assert.deepEqual(directions("t0001"), [false, true]);
    assert.deepEqual(directions("t0002"), [true, true], "its echo lost its Service's endpoints: its own HTTP listener port too");
    assert.deepEqual(directions("t0003"), [true, true]);
    assertEqualsBruteForce();
  });
});
