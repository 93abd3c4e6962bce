import assert from "node:assert/strict";
import { sidecarScopeLayer } from "../../../../lab/model/layers/sidecar-scope";
import { model, policy, service, workload } from "./istio-model";

const SC = "Sidecar";
const NET = "networking.istio.io/v1";
const clientA = workload("tenant-a", "client");
const echoA = service("tenant-a", "echo");
const echoB = service("tenant-b", "echo");
const istiod = service("istio-system", "istiod");
const ownNamespaceOnly = (ns: string, name = "default") => policy(SC, ns, name, { egress: [{ hosts: ["./*", "istio-system/*"] }] }, NET);

describe("sidecar scope (Istio Sidecar egress hosts)", () => {
  it("lets a proxy know every service when no Sidecar scopes it", () => {
    const scope = sidecarScopeLayer(model({}));
    assert.equal(scope.knowsService(clientA, echoB).known, true);
  });

  it("limits a namespace default Sidecar to its hosts: ./* is the client's own namespace", () => {
    const scope = sidecarScopeLayer(model({ policies: [ownNamespaceOnly("tenant-a")] }));
    assert.equal(scope.knowsService(clientA, echoA).known, true);
    assert.equal(scope.knowsService(clientA, istiod).known, true);
    const other = scope.knowsService(clientA, echoB);
    assert.equal(other.known, false);
    assert.deepEqual(other.decidedBy, { kind: SC, namespace: "tenant-a", name: "default" });
    assert.match(other.reason, /PassthroughCluster/);
  });

  it("applies the root-namespace default Sidecar to namespaces without their own, with . meaning the client's namespace", () => {
    const scope = sidecarScopeLayer(model({ policies: [ownNamespaceOnly("istio-system", "mesh-default")] }));
    assert.equal(scope.knowsService(clientA, echoA).known, true);
    assert.equal(scope.knowsService(clientA, echoB).known, false);
  });

  it("prefers a workload-selected Sidecar over the namespace default", () => {
    const wide = policy(SC, "tenant-a", "client-wide", { workloadSelector: { labels: { app: "client" } }, egress: [{ hosts: ["*/*"] }] }, NET);
    const scope = sidecarScopeLayer(model({ policies: [ownNamespaceOnly("tenant-a"), wide] }));
    assert.equal(scope.knowsService(clientA, echoB).known, true);
    assert.equal(scope.knowsService(workload("tenant-a", "echo"), echoB).known, false);
  });

  it("lets a Sidecar without egress inherit the next level's hosts", () => {
    const noEgress = policy(SC, "tenant-a", "client-ingress-only", { workloadSelector: { labels: { app: "client" } }, ingress: [] }, NET);
    const scope = sidecarScopeLayer(model({ policies: [ownNamespaceOnly("tenant-a"), noEgress] }));
    assert.equal(scope.knowsService(clientA, echoB).known, false);
  });

  it("matches ~ as no namespace, * as any, and *.suffix / FQDN dns names", () => {
    const hosts = (h: string[]) => sidecarScopeLayer(model({ policies: [policy(SC, "tenant-a", "default", { egress: [{ hosts: h }] }, NET)] }));
    assert.equal(hosts(["~/*"]).knowsService(clientA, echoA).known, false);
    assert.equal(hosts(["*/*.tenant-b.svc.cluster.local"]).knowsService(clientA, echoB).known, true);
    assert.equal(hosts(["*/*.tenant-b.svc.cluster.local"]).knowsService(clientA, echoA).known, false);
    assert.equal(hosts(["tenant-b/echo.tenant-b.svc.cluster.local"]).knowsService(clientA, echoB).known, true);
  });

  it("reports a host without a namespace part, naming the field", () => {
    const m = model({ policies: [policy(SC, "tenant-a", "default", { egress: [{ hosts: ["echo.tenant-b.svc.cluster.local"] }] }, NET)] });
    sidecarScopeLayer(m);
    assert.ok(m.warnings.some((w) => w.includes("spec.egress[0].hosts[0]")));
  });
});
