import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { Tenant } from "../../../components/pulumi/Tenant";
import { validatePlatformConfig } from "../../../components/spec";
import { syntheticConfig } from "../../fixtures/platform";
import { Graph, recordGraph, settled } from "./mock-graph";

describe("Tenant component", function () {
  const spec = validatePlatformConfig(syntheticConfig(2));
  const [tenant] = spec.tenants;

  it("a workload outside the tenant's namespace is refused before anything is registered", async () => {
    const registrations = recordGraph();
    const provider = {} as k8s.Provider;
    const stray = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "tenant-other" } };
    assert.throws(() => new Tenant("t", { spec, tenant, provider, workloads: [stray] }), /Pod\/tenant-other\/p not in namespace "tenant-t0001"/);
    await settled();
    assert.deepEqual(registrations, []);
  });

  it("creates its objects in other namespaces (its ALLOW at a shared service) after that namespace exists", async () => {
    const registrations = recordGraph();
    const provider = new k8s.Provider("k8s", {});
    const sharedNamespace = new k8s.core.v1.Namespace("shared", { metadata: { name: spec.sharedServices.namespace } }, { provider });
    new Tenant("t", { spec, tenant, provider, otherNamespaces: { [spec.sharedServices.namespace]: sharedNamespace } });
    await settled();
    const graph = new Graph(registrations);
    const shared = graph.byName("kubernetes:core/v1:Namespace", "shared");
    const inShared = graph.registrations.filter((r) => r.name.startsWith(`${spec.sharedServices.namespace}/`));
    assert.ok(inShared.length > 0, "the tenant owns an object in the shared namespace");
    for (const r of inShared) assert.ok(graph.dependsOn(r, shared), r.name);
  });

  it("creates the tenant-admin Role and RoleBinding after every restricting object and the layers passed in, and nothing else waits for those layers", async () => {
    const registrations = recordGraph();
    const provider = new k8s.Provider("k8s", {});
    const clusterDeny = new k8s.core.v1.ConfigMap("cluster-deny-stand-in", {}, { provider });
    const workload = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app", namespace: tenant.namespace } };
    new Tenant("t", { spec, tenant, provider, layersDependOn: [clusterDeny], workloads: [workload] });
    await settled();
    const graph = new Graph(registrations);
    const layer = graph.byName("kubernetes:core/v1:ConfigMap", "cluster-deny-stand-in");
    const children = graph.childrenOf(graph.byName("hard-tenancy:tenancy:Tenant", "t"));
    const grants = children.filter((r) => r.type.startsWith("kubernetes:rbac.authorization.k8s.io/"));
    const deployment = graph.byName("kubernetes:apps/v1:Deployment", `${tenant.namespace}/app`);
    const restricting = children.filter((r) => !grants.includes(r) && r !== deployment);
    assert.equal(grants.length, 2);
    assert.ok(restricting.length > 5);
    for (const grant of [...grants, deployment]) {
      assert.ok(graph.dependsOn(grant, layer), `${grant.name} waits for the outside layer`);
      for (const r of restricting) assert.ok(graph.dependsOn(grant, r), `${grant.name} waits for ${r.name}`);
    }
    for (const grant of grants) assert.ok(graph.dependsOn(deployment, grant), `the workload waits for ${grant.name}`);
    for (const r of restricting) assert.equal(graph.dependsOn(r, layer), false, `${r.name} does not wait for the outside layer`);
  });
});
