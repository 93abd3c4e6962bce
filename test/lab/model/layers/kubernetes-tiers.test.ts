import assert from "node:assert/strict";
import type { K8sObject } from "../../../../components/k8s/object";
import { connectionMatrix } from "../../../../lab/model/matrix";
import { evaluateProbes } from "../../../../lab/model/probe";
import type { LayerId } from "../../../../lab/probes/types";
import { model, namespace, networkPolicy, pod, policy } from "../fixtures";

// Admin tier → NetworkPolicy → Baseline tier (network-policy-api), in the probe pipeline and the matrix.
const V2 = "policy.networking.k8s.io/v1alpha2";
const V1 = "policy.networking.k8s.io/v1alpha1";
const tenant = (t: string) => ({ matchLabels: { tenant: t } });

const cnp = (name: string, tier: string, priority: number, spec: object): K8sObject => policy(V2, "ClusterNetworkPolicy", name, { tier, priority, ...spec });
const intoB = (name: string, tier: string, priority: number, action: string): K8sObject =>
  cnp(name, tier, priority, { subject: { namespaces: tenant("b") }, ingress: [{ action, from: [{ namespaces: tenant("a") }] }] });
const denyAllIntoB = networkPolicy("b", "default-deny", { podSelector: {} });
const allowAllIntoB = networkPolicy("b", "allow-all", { podSelector: {}, ingress: [{}] });

function probe(objects: K8sObject[], ablate: LayerId[] = []) {
  const m = model([namespace("a", { tenant: "a" }), namespace("b", { tenant: "b" }), pod("a", "web", { app: "web" }), pod("b", "web", { app: "web" }), ...objects]);
  const [result] = evaluateProbes(m, [{ id: "a->b", from: "a/web", to: { workload: "b/web", port: 8080 }, protocol: "TCP" }], { ablate });
  return result;
}

function matrixAllows(objects: K8sObject[], ablate: LayerId[] = []): boolean {
  const m = model([namespace("a", { tenant: "a" }), namespace("b", { tenant: "b" }), pod("a", "web", { app: "web" }), pod("b", "web", { app: "web" }), ...objects]);
  return connectionMatrix(m, { ablate }).connections.some((c) => c.from.namespace === "a" && c.to.namespace === "b");
}

describe("Kubernetes policy tiers combined", () => {
  it("an Admin Accept is final: a NetworkPolicy default-deny does not stop the traffic, yet its own verdict stays visible", () => {
    const r = probe([intoB("accept-a", "Admin", 10, "Accept"), denyAllIntoB]);
    assert.equal(r.verdict, "allow");
    assert.equal(r.layers.networkPolicy, "deny");
    assert.equal(r.layers.clusterNetworkPolicy, "allow");
    assert.deepEqual(r.decidedBy, { kind: "ClusterNetworkPolicy", name: "accept-a", rule: 0 });
    assert.equal(matrixAllows([intoB("accept-a", "Admin", 10, "Accept"), denyAllIntoB]), true);
  });

  it("an AdminNetworkPolicy Allow (v1alpha1) overrides a NetworkPolicy default-deny the same way", () => {
    const anp = policy(V1, "AdminNetworkPolicy", "allow-a", { priority: 10, subject: { namespaces: tenant("b") }, ingress: [{ action: "Allow", from: [{ namespaces: tenant("a") }] }] });
    assert.equal(probe([anp, denyAllIntoB]).verdict, "allow");
    assert.equal(matrixAllows([anp, denyAllIntoB]), true);
  });

  it("an Admin Deny beats a NetworkPolicy that allows everything", () => {
    const r = probe([intoB("deny-a", "Admin", 10, "Deny"), allowAllIntoB]);
    assert.equal(r.verdict, "deny");
    assert.equal(r.layers.networkPolicy, "allow");
    assert.deepEqual(r.decidedBy, { kind: "ClusterNetworkPolicy", name: "deny-a", rule: 0 });
    assert.equal(matrixAllows([intoB("deny-a", "Admin", 10, "Deny"), allowAllIntoB]), false);
  });

  it("an Admin Pass skips the rest of the Admin tier and lets NetworkPolicy decide either way", () => {
    const passThenDeny = [intoB("pass-a", "Admin", 5, "Pass"), intoB("deny-a", "Admin", 10, "Deny")];
    const allowed = probe([...passThenDeny, allowAllIntoB]);
    assert.equal(allowed.verdict, "allow");
    assert.equal(allowed.layers.clusterNetworkPolicy, "not-applicable");
    assert.equal(matrixAllows([...passThenDeny, allowAllIntoB]), true);
    const denied = probe([...passThenDeny, denyAllIntoB]);
    assert.equal(denied.verdict, "deny");
    assert.deepEqual(denied.decidedBy, { kind: "NetworkPolicy", namespace: "b", name: "default-deny" });
    assert.equal(matrixAllows([...passThenDeny, denyAllIntoB]), false);
  });

  it("the Baseline tier decides only for pods that no NetworkPolicy isolates", () => {
    const baselineDeny = intoB("baseline-deny-a", "Baseline", 10, "Deny");
    const unisolated = probe([baselineDeny]);
    assert.equal(unisolated.verdict, "deny");
    assert.deepEqual(unisolated.decidedBy, { kind: "ClusterNetworkPolicy", name: "baseline-deny-a", rule: 0 });
    assert.equal(matrixAllows([baselineDeny]), false);
    const isolated = probe([baselineDeny, allowAllIntoB]);
    assert.equal(isolated.verdict, "allow");
    assert.equal(isolated.layers.clusterNetworkPolicy, "not-applicable");
    assert.equal(matrixAllows([baselineDeny, allowAllIntoB]), true);
  });

  it("with the networkPolicy layer ablated, NetworkPolicies no longer shield a pod from the Baseline tier", () => {
    const objects = [intoB("baseline-deny-a", "Baseline", 10, "Deny"), allowAllIntoB];
    assert.equal(probe(objects, ["networkPolicy"]).verdict, "deny");
    assert.equal(matrixAllows(objects, ["networkPolicy"]), false);
  });

  it("a Calico deny still denies traffic an Admin Accept lets past NetworkPolicy", () => {
    const calicoDeny = policy("projectcalico.org/v3", "GlobalNetworkPolicy", "deny-into-b", { namespaceSelector: "tenant == 'b'", ingress: [{ action: "Deny" }] });
    const r = probe([intoB("accept-a", "Admin", 10, "Accept"), denyAllIntoB, calicoDeny]);
    assert.equal(r.verdict, "deny");
    assert.equal(r.layers.calico, "deny");
    assert.deepEqual(r.decidedBy, { kind: "GlobalNetworkPolicy", name: "deny-into-b", rule: 0 });
    assert.equal(matrixAllows([intoB("accept-a", "Admin", 10, "Accept"), denyAllIntoB, calicoDeny]), false);
  });
});
