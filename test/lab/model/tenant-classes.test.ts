import { strict as assert } from "node:assert";
import type { K8sObject } from "../../../components/k8s/object";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { platformObjects } from "../../../lab/model/platform";
import { singletonClasses, tenantClasses } from "../../../lab/model/tenant-classes";
import { syntheticConfig } from "../../fixtures/platform";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

describe("tenant classes", () => {
  const spec = validatePlatformConfig(syntheticConfig(6, { grants: [] }));
  const objects = platformObjects(spec, labProbeEndpoints);
  const names = (objs: K8sObject[]): string[][] => tenantClasses(spec, objs).map((c) => c.tenants.map((t) => t.name));

  it("puts tenants rendered from the same config, up to their names, in one class", () => {
    assert.deepEqual(names(objects), [["t0001", "t0002", "t0003", "t0004", "t0005", "t0006"]]);
    assert.equal(singletonClasses(spec).length, 6);
  });

  it("separates a tenant whose own namespace holds a different object", () => {
    const extra: K8sObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "extra", namespace: "tenant-t0004" } };
    assert.deepEqual(names([...objects, extra]), [["t0001", "t0002", "t0003", "t0005", "t0006"], ["t0004"]]);
  });

  it("never merges two tenants that one object names together: each gets a class of its own", () => {
    const peering: K8sObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "from-t0005", namespace: "tenant-t0002" },
      spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tenant-t0005" } } }] }] },
    };
    assert.deepEqual(names([...objects, peering]), [["t0001", "t0003", "t0004", "t0006"], ["t0002"], ["t0005"]]);
  });

  it("attributes one tenant's rule inside a shared object to that tenant only", () => {
    const rules = spec.tenants.map((t) => ({ from: [{ source: { namespaces: [t.namespace] } }], to: [{ operation: { methods: t.name === "t0003" ? ["DELETE"] : ["GET"] } }] }));
    const shared: K8sObject = { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "shared", namespace: "shared-services" }, spec: { action: "ALLOW", rules } };
    assert.deepEqual(names([...objects, shared]), [["t0001", "t0002", "t0004", "t0005", "t0006"], ["t0003"]]);
  });
});
