import assert from "node:assert/strict";
import { allObjects, buildPlatformObjects } from "../../../components/builders";
import { objectKey, type K8sObject } from "../../../components/k8s/object";
import { MANAGED_BY_LABEL, TENANT_LABEL } from "../../../components/spec/labels";
import type { LayerSwitches } from "../../../components/spec/types";
import { labSpec, syntheticSpec } from "./helpers";

/** Which objects belong to each switchable layer. */
const LAYER_OBJECTS: Record<Exclude<keyof LayerSwitches, "podSecurity">, (o: K8sObject) => boolean> = {
  networkPolicy: (o) => o.kind === "NetworkPolicy",
  calico: (o) => o.apiVersion.startsWith("projectcalico.org/"),
  clusterNetworkPolicy: (o) => o.kind === "ClusterNetworkPolicy",
  peerAuthentication: (o) => o.kind === "PeerAuthentication",
  authorization: (o) => o.kind === "AuthorizationPolicy",
  sidecarScoping: (o) => o.kind === "Sidecar",
  quotas: (o) => o.kind === "ResourceQuota" || o.kind === "LimitRange",
  tenantRbac: (o) => o.kind === "Role" || o.kind === "RoleBinding",
  admissionGuardrails: (o) => o.apiVersion.startsWith("admissionregistration.k8s.io/"),
  accessLogging: (o) => o.kind === "Telemetry",
};

function everything(overrides = {}): K8sObject[] {
  return allObjects(buildPlatformObjects(labSpec({ layers: { clusterNetworkPolicy: true }, ...overrides })));
}

describe("platform objects", () => {
  it("every object carries app.kubernetes.io/managed-by: hard-tenancy", () => {
    for (const o of everything()) assert.equal(o.metadata.labels?.[MANAGED_BY_LABEL], "hard-tenancy", objectKey(o));
  });

  it("every object has a unique key, and two builds from the same spec are identical", () => {
    const first = everything();
    assert.equal(new Set(first.map(objectKey)).size, first.length);
    assert.deepEqual(everything(), first);
  });

  it("every tenant object carries the tenant label of the tenant that owns it", () => {
    for (const tenant of buildPlatformObjects(labSpec()).tenants) {
      for (const o of [tenant.namespace, ...tenant.defaultDeny, ...tenant.rest]) assert.equal(o.metadata.labels?.[TENANT_LABEL], tenant.tenant, objectKey(o));
    }
  });

  for (const [layer, belongs] of Object.entries(LAYER_OBJECTS)) {
    it(`switching off ${layer} leaves no objects of it, and leaves the other layers' objects alone`, () => {
      const on = everything();
      assert.ok(on.some(belongs), `${layer} emits objects when on`);
      const off = everything({ layers: { clusterNetworkPolicy: true, [layer]: false } });
      assert.equal(off.filter(belongs).length, 0);
      const untouched = (os: K8sObject[]) => os.filter((o) => !belongs(o) && o.kind !== "Namespace").map(objectKey);
      if (layer !== "networkPolicy" && layer !== "authorization") assert.deepEqual(untouched(off), untouched(on));
    });
  }

  it("switching off Pod Security removes the Pod Security labels from every namespace", () => {
    const namespaces = everything({ layers: { podSecurity: false } }).filter((o) => o.kind === "Namespace");
    assert.ok(namespaces.length > 0);
    for (const ns of namespaces) assert.equal(Object.keys(ns.metadata.labels ?? {}).some((k) => k.startsWith("pod-security.kubernetes.io/")), false);
  });

  it("the default-deny comes before anything else in the tenant, and namespaces before their objects", () => {
    const all = everything();
    const seen = new Set<string>(["istio-system"]);
    for (const o of all) {
      if (o.kind === "Namespace") seen.add(o.metadata.name);
      else if (o.metadata.namespace !== undefined) assert.ok(seen.has(o.metadata.namespace), `${objectKey(o)} before its namespace`);
    }
    const acme = buildPlatformObjects(labSpec()).tenants[0];
    assert.deepEqual(acme.defaultDeny.map((o) => o.kind), ["NetworkPolicy", "PeerAuthentication", "AuthorizationPolicy"]);
  });

  it("objects per tenant are constant whatever the number of tenants", () => {
    const perTenant = (n: number) => buildPlatformObjects(syntheticSpec(n)).tenants.slice(2).map((t) => 1 + t.defaultDeny.length + t.rest.length);
    const counts = [...perTenant(10), ...perTenant(60)];
    assert.equal(new Set(counts).size, 1, `counts: ${[...new Set(counts)].join(", ")}`);
    const clusterPerTenant = (n: number) => buildPlatformObjects(syntheticSpec(n)).clusterPolicies.length - n;
    assert.equal(clusterPerTenant(10), clusterPerTenant(60));
  });

  it("no object lists every tenant: each names at most its own tenant and its grant partners", () => {
    const s = syntheticSpec(50, { layers: { clusterNetworkPolicy: true } });
    const names = s.tenants.map((t) => t.name);
    for (const o of allObjects(buildPlatformObjects(s))) {
      const text = JSON.stringify(o);
      const mentioned = names.filter((n) => text.includes(`"${n}"`) || text.includes(`-${n}`) || text.includes(`'${n}'`));
      assert.ok(mentioned.length <= 2, `${objectKey(o)} names ${mentioned.length} tenants`);
    }
  });
});
