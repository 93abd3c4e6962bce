import assert from "node:assert/strict";
import { clusterNetworkPolicyLayer } from "../../../../lab/model/layers/cluster-network-policy";
import type { ClusterModel } from "../../../../lab/model/types";
import { connection, model, namespace, networkPolicy, pod, policy } from "../fixtures";

const V2 = "policy.networking.k8s.io/v1alpha2";
const V1 = "policy.networking.k8s.io/v1alpha1";
const tenant = (t: string) => ({ matchLabels: { tenant: t } });

function cnp(name: string, tier: string, priority: number, spec: object) {
  return policy(V2, "ClusterNetworkPolicy", name, { tier, priority, ...spec });
}

function base(...objects: ReturnType<typeof policy>[]): ClusterModel {
  return model([
    namespace("a", { tenant: "a" }),
    namespace("b", { tenant: "b" }),
    pod("a", "web", { app: "web" }, { ports: [{ name: "http", containerPort: 8080 }] }),
    pod("b", "web", { app: "web" }, { ports: [{ name: "http", containerPort: 8080 }], ips: ["10.244.2.5"] }),
    pod("b", "db", { app: "db" }, { ports: [{ name: "pg", containerPort: 5432 }] }),
    ...objects,
  ]);
}

function decide(m: ClusterModel, from: string, to: string, port: number) {
  return clusterNetworkPolicyLayer(m).evaluate(connection(m, from, to, port));
}

describe("clusterNetworkPolicy layer", () => {
  it("denies with an Admin-tier Deny and names the policy and rule", () => {
    const m = base(cnp("iso-b", "Admin", 10, { subject: { namespaces: tenant("b") }, ingress: [{ action: "Deny", from: [{ namespaces: tenant("a") }] }] }));
    const d = decide(m, "a/web", "b/web", 8080);
    assert.equal(d.verdict, "deny");
    assert.deepEqual(d.decidedBy, { kind: "ClusterNetworkPolicy", name: "iso-b", rule: 0 });
  });

  it("lets the lower priority value win and keeps rule order within a policy", () => {
    const m = base(
      cnp("deny-late", "Admin", 20, { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }),
      cnp("accept-early", "Admin", 5, { subject: { namespaces: tenant("b") }, ingress: [{ action: "Accept", from: [{ namespaces: tenant("a") }] }, { action: "Deny", from: [{ namespaces: {} }] }] }),
    );
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "allow");
    assert.equal(decide(m, "b/db", "b/web", 8080).verdict, "deny");
    assert.equal(decide(m, "b/db", "b/web", 8080).decidedBy?.name, "accept-early");
  });

  it("is not applicable when only a Pass matches: the NetworkPolicy tier decides", () => {
    const m = base(
      cnp("pass-same", "Admin", 1, { subject: { namespaces: tenant("b") }, ingress: [{ action: "Pass", from: [{ namespaces: tenant("b") }] }] }),
      cnp("deny-all", "Admin", 2, { subject: { namespaces: tenant("b") }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }),
    );
    assert.equal(decide(m, "b/db", "b/web", 8080).verdict, "not-applicable");
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "deny");
  });

  it("applies the Baseline tier only to pods no NetworkPolicy isolates", () => {
    const baseline = cnp("baseline-deny", "Baseline", 1, { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] });
    assert.equal(decide(base(baseline), "a/web", "b/web", 8080).verdict, "deny");
    const withNp = base(baseline, networkPolicy("b", "own", { podSelector: {}, ingress: [{}] }));
    assert.equal(decide(withNp, "a/web", "b/web", 8080).verdict, "not-applicable");
  });

  it("matches pods peers by namespace AND pod selector", () => {
    const m = base(cnp("db", "Admin", 1, { subject: { pods: { namespaceSelector: tenant("b"), podSelector: { matchLabels: { app: "db" } } } }, ingress: [{ action: "Deny", from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } } }] }] }));
    assert.equal(decide(m, "a/web", "b/db", 5432).verdict, "deny");
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "not-applicable");
  });

  it("matches protocols by port number, range and a named port on the destination", () => {
    const m = base(cnp("ports", "Admin", 1, {
      subject: { namespaces: tenant("b") },
      ingress: [{ action: "Deny", from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 22 } } }, { tcp: { destinationPort: { range: { start: 5000, end: 5500 } } } }, { destinationNamedPort: "http" }] }],
    }));
    assert.equal(decide(m, "a/web", "b/db", 22).verdict, "deny");
    assert.equal(decide(m, "a/web", "b/db", 5432).verdict, "deny");
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "deny");
    assert.equal(decide(m, "a/web", "b/db", 8080).verdict, "not-applicable"); // b/db has no "http" port
  });

  it("matches egress networks peers against external addresses and known pod IPs", () => {
    const m = base(cnp("no-internet", "Admin", 1, { subject: { namespaces: tenant("a") }, egress: [{ action: "Deny", to: [{ networks: ["10.244.2.0/24", "8.8.8.8/32"] }] }] }));
    assert.equal(decide(m, "a/web", "8.8.8.8", 53).verdict, "deny");
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "deny");
    assert.equal(decide(m, "a/web", "1.1.1.1", 53).verdict, "not-applicable");
  });

  it("supports AdminNetworkPolicy Pass and Allow and BaselineAdminNetworkPolicy Deny (v1alpha1)", () => {
    const m = base(
      policy(V1, "AdminNetworkPolicy", "pass-b", { priority: 1, subject: { namespaces: tenant("b") }, ingress: [{ action: "Pass", from: [{ namespaces: tenant("a") }], ports: [{ portNumber: { protocol: "TCP", port: 8080 } }] }, { action: "Allow", from: [{ namespaces: {} }], ports: [{ portRange: { protocol: "TCP", start: 5000, end: 6000 } }] }] }),
      policy(V1, "BaselineAdminNetworkPolicy", "default", { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }),
    );
    assert.equal(decide(m, "a/web", "b/db", 5432).verdict, "allow");
    // Pass skips the rest of the admin tier; the baseline tier then denies (no NetworkPolicy isolates b/web).
    const passed = decide(m, "a/web", "b/web", 8080);
    assert.equal(passed.verdict, "deny");
    assert.equal(passed.decidedBy?.kind, "BaselineAdminNetworkPolicy");
  });

  it("warns about and ignores a policy with an unknown tier", () => {
    const m = base(cnp("bad", "Platform", 1, { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: {} }] }] }));
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "not-applicable");
    assert.ok(m.warnings.some((w) => w.includes("ClusterNetworkPolicy bad") && w.includes("spec.tier")));
  });
});
