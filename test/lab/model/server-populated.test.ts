import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { K8sObject } from "../../../components/k8s/object";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { fieldChanges } from "../../../lab/audit/diff";
import { platformObjects } from "../../../lab/model/platform";
import { normaliseServerPopulated, policyNormalForm, withServerDefaults } from "../../../lab/model/server-populated";
import { tenantClasses } from "../../../lab/model/tenant-classes";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";
import { renderableObjects } from "../../../components/render/cli";
import { stackDemoWorkloads } from "../../../lab/workloads/demo";
import { heterogeneousConfig } from "../../fixtures/heterogeneous-platform";
import { syntheticConfig } from "../../fixtures/platform";
import { serverRead } from "../../fixtures/server-read";

type Json = Record<string, unknown>;

const spec = validatePlatformConfig(syntheticConfig(4, { grants: [] }));
const rendered = platformObjects(spec, labProbeEndpoints);
const read = serverRead(rendered);
const inNamespace = (objects: K8sObject[], ns: string, kind: string) => objects.filter((o) => o.kind === kind && o.metadata.namespace === ns);

describe("server-populated fields", () => {
  it("normalises away what the server and controllers assign: uids, versions, managedFields, status, clusterIPs, nodeName, hashes and generated names", () => {
    const [pod] = inNamespace(read, "tenant-t0001", "Pod").filter((p) => p.metadata.name.startsWith("echo-"));
    const normal = normaliseServerPopulated(pod) as unknown as Json & { metadata: Json; spec: Json };
    assert.equal(normal.status, undefined);
    for (const field of ["uid", "resourceVersion", "creationTimestamp", "managedFields", "ownerReferences", "generateName"]) assert.equal(normal.metadata[field], undefined, field);
    assert.match(String(normal.metadata.name), /^echo-<server-assigned>-<server-assigned>$/);
    assert.equal((normal.metadata.labels as Record<string, string>)["pod-template-hash"], "<server-assigned>");
    assert.equal(normal.spec.nodeName, undefined);
    assert.ok((normal.spec.volumes as { name: string }[]).some((v) => v.name === "kube-api-access-<server-assigned>"));
    const [service] = inNamespace(read, "tenant-t0001", "Service");
    assert.equal((normaliseServerPopulated(service).spec as Json).clusterIP, undefined);
  });

  it("makes the reads of tenants rendered alike group together again (the raw reads do not: every object carries its own values)", () => {
    const names = (objects: K8sObject[]) => tenantClasses(spec, objects).map((c) => c.tenants.map((t) => t.name));
    assert.equal(names(read).length, 4);
    assert.deepEqual(names(read.map(normaliseServerPopulated)), [["t0001", "t0002", "t0003", "t0004"]]);
  });

  it("applies the API server's NetworkPolicy default: Ingress, plus Egress when there are egress rules", () => {
    const np = (spec: Json): Json => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x" }, spec });
    assert.deepEqual((withServerDefaults(np({ podSelector: {} })).spec as Json).policyTypes, ["Ingress"]);
    assert.deepEqual((withServerDefaults(np({ podSelector: {}, egress: [{}] })).spec as Json).policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual((withServerDefaults(np({ podSelector: {}, policyTypes: ["Egress"] })).spec as Json).policyTypes, ["Egress"]);
  });

  it("gives a rendered policy and its server read one normal form, and an edited one another", () => {
    const desired = inNamespace(rendered, "tenant-t0001", "NetworkPolicy").find((o) => o.metadata.name === "default-deny")!;
    const live = inNamespace(read, "tenant-t0001", "NetworkPolicy").find((o) => o.metadata.name === "default-deny")!;
    assert.equal(policyNormalForm(live), policyNormalForm(desired));
    assert.notEqual(policyNormalForm({ ...live, spec: { ...(live.spec as Json), policyTypes: ["Egress"] } }), policyNormalForm(desired));
  });

  it("is what drift ignores: no field change between the rendered objects and their server read", () => {
    const live = new Map(read.map((o) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o]));
    for (const d of rendered) {
      const l = live.get(`${d.kind}/${d.metadata.namespace}/${d.metadata.name}`)!;
      assert.deepEqual(fieldChanges(d as unknown as Json, l as unknown as Json), [], `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`);
    }
  });

  it("is what drift ignores on a real read too (three tenants' namespaces from the local backend's API server)", () => {
    const recorded = JSON.parse(readFileSync(join(__dirname, "../../fixtures/recorded/heterogeneous-read.json"), "utf8")) as { objects: K8sObject[] };
    const big = validatePlatformConfig(heterogeneousConfig(1000, { seed: 1 }));
    const namespaces = new Set(recorded.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
    const desired = renderableObjects(big, stackDemoWorkloads).filter((o) => namespaces.has(o.metadata.namespace ?? "") || (o.kind === "Namespace" && namespaces.has(o.metadata.name)));
    const live = new Map(recorded.objects.map((o) => [`${o.apiVersion}/${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o]));
    let compared = 0;
    for (const d of desired) {
      const l = live.get(`${d.apiVersion}/${d.kind}/${d.metadata.namespace}/${d.metadata.name}`);
      if (!l) continue;
      compared += 1;
      assert.deepEqual(fieldChanges(d as unknown as Json, l as unknown as Json), [], `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`);
    }
    assert.ok(compared > 40, `${compared} objects compared`);
    // Two tenants' echo Pods as read differ in every server-assigned value; normalised, only in the tenant's name.
    const echo = (ns: string) => recorded.objects.find((o) => o.kind === "Pod" && o.metadata.namespace === ns && o.metadata.name.startsWith("echo-"))!;
    const [a, b] = [echo("tenant-t0002"), echo("tenant-t0003")];
    const named = (o: K8sObject, t: string) => JSON.stringify(normaliseServerPopulated(o)).split(t).join("<tenant>");
    assert.notEqual(JSON.stringify(a).split("t0002").join("<tenant>"), JSON.stringify(b).split("t0003").join("<tenant>"));
    assert.equal(named(a, "t0002"), named(b, "t0003"));
  });

  it("reports a live policyTypes that differs from the default a manifest without one gets", () => {
    const desired: Json = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "x", namespace: "a" }, spec: { podSelector: {}, egress: [{}] } };
    const live: Json = { ...desired, spec: { podSelector: {}, egress: [{}], policyTypes: ["Ingress"] } };
    assert.deepEqual(fieldChanges(desired, live), [{ path: "spec.policyTypes", desired: ["Ingress", "Egress"], live: ["Ingress"] }]);
    assert.deepEqual(fieldChanges(desired, { ...desired, spec: { podSelector: {}, egress: [{}], policyTypes: ["Ingress", "Egress"] } }), []);
  });
});
