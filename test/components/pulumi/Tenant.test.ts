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
});
