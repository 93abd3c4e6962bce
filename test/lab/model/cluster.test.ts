import assert from "node:assert/strict";
import { join } from "node:path";
import { buildClusterModel, findWorkload, resolveServicePort, workloadByIp } from "../../../lab/model/cluster";
import { loadManifestDir } from "../../../lab/model/load";
import type { K8sObject } from "../../../components/k8s/object";
import { model, namespace, pod } from "./fixtures";

const basic = () => buildClusterModel(loadManifestDir(join(__dirname, "../../fixtures/manifests/basic")).objects);

describe("cluster model", () => {
  it("groups a Pod with a controller ownerReference under its Deployment", () => {
    const m = basic();
    assert.deepEqual(m.workloads.map((w) => `${w.namespace}/${w.name}:${w.kind}`).sort(), ["tenant-a/debug:Deployment", "tenant-a/echo:Deployment", "tenant-b/db:StatefulSet"]);
    assert.deepEqual(findWorkload(m, "tenant-a/echo")?.podIPs, ["10.244.1.7"]);
    assert.equal(workloadByIp(m, "10.244.1.7")?.name, "echo");
  });

  it("groups pods whose controller reference names no kind under one workload named after the owner", () => {
    const owned = (name: string, ip: string): K8sObject => ({
      ...pod("x", name, { app: "web" }, { ips: [ip] }),
      metadata: { name, namespace: "x", labels: { app: "web" }, ownerReferences: [{ name: "web-5f7c", controller: true, uid: "u1" }] } as K8sObject["metadata"],
    });
    const m = model([namespace("x"), owned("web-5f7c-a", "10.0.0.1"), owned("web-5f7c-b", "10.0.0.2")]);
    assert.deepEqual(m.workloads.map((w) => `${w.namespace}/${w.name}:${w.kind}`), ["x/web-5f7c:Owner"]);
    assert.deepEqual(findWorkload(m, "x/web-5f7c")?.podIPs, ["10.0.0.1", "10.0.0.2"]);
    // When the owner object is in the dump, the reference resolves to it and up to its Deployment.
    const withOwners = model([
      namespace("x"),
      owned("web-5f7c-a", "10.0.0.1"),
      { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-5f7c", namespace: "x", ownerReferences: [{ name: "web", controller: true }] } as K8sObject["metadata"], spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } } } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "x" }, spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } } } },
    ]);
    assert.deepEqual(withOwners.workloads.map((w) => `${w.namespace}/${w.name}:${w.kind}`), ["x/web:Deployment"]);
  });

  it("follows Istio's injection precedence: a pod's inject=false beats the namespace label", () => {
    const m = basic();
    assert.equal(findWorkload(m, "tenant-a/echo")?.sidecar, true);
    assert.equal(findWorkload(m, "tenant-a/debug")?.sidecar, false);
    assert.equal(findWorkload(m, "tenant-b/db")?.sidecar, false);
    const revOnly = model([namespace("x", { "istio.io/rev": "stable" }), pod("x", "p", {}), namespace("y", { "istio-injection": "disabled" }), pod("y", "q", { "sidecar.istio.io/inject": "true" })]);
    assert.equal(findWorkload(revOnly, "x/p")?.sidecar, true);
    assert.equal(findWorkload(revOnly, "y/q")?.sidecar, false);
  });

  it("gives every namespace its kubernetes.io/metadata.name label, also ones only referenced", () => {
    const m = basic();
    assert.equal(m.namespaces.get("tenant-a")?.labels["kubernetes.io/metadata.name"], "tenant-a");
    const referenced = model([pod("ghost", "p", {})]).namespaces.get("ghost");
    assert.deepEqual(referenced, { name: "ghost", labels: { "kubernetes.io/metadata.name": "ghost" }, defined: false });
  });

  it("resolves a named Service targetPort on each destination pod's container ports", () => {
    const resolved = resolveServicePort(basic(), "tenant-a/echo", 80);
    assert.deepEqual(resolved?.targets.map((t) => [t.workload.name, t.port, t.portName, t.protocol]), [["echo", 8080, "http", "TCP"]]);
    assert.equal(resolveServicePort(basic(), "tenant-a/echo", 81), undefined);
    assert.equal(resolveServicePort(basic(), "tenant-a/nope", 80), undefined);
  });

  it("keeps policy objects and carries the given warnings and Istio settings", () => {
    const m = buildClusterModel(loadManifestDir(join(__dirname, "../../fixtures/manifests/basic")).objects, { rootNamespace: "mesh", trustDomain: "example.org", warnings: ["w1"] });
    assert.deepEqual(m.policies.map((p) => p.metadata.name).sort(), ["default-deny", "from-a"]);
    assert.equal(m.rootNamespace, "mesh");
    assert.equal(m.trustDomain, "example.org");
    assert.deepEqual(m.warnings, ["w1"]);
  });
});
