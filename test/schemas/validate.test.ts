import assert from "node:assert/strict";
import { allObjects, buildPlatformObjects } from "../../components/builders";
import type { K8sObject } from "../../components/k8s/object";
import { renderableObjects } from "../../components/render/cli";
import { stackDemoWorkloads } from "../../lab/workloads/demo";
import { labSpec, syntheticSpec } from "../components/builders/helpers";
import { validateAgainstUpstreamSchemas } from "./validate";

const EVERY_OPTION = {
  layers: { clusterNetworkPolicy: true },
  install: { ingressGateway: true },
  sharedServices: { enabled: true, identityPropagation: "lua" as const },
};

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe("objects against upstream schemas", () => {
  it("every object of the lab stack, demo workloads included, validates", async () => {
    const objects = renderableObjects(labSpec(), stackDemoWorkloads);
    assert.ok(objects.length > 50);
    assert.deepEqual(await validateAgainstUpstreamSchemas(objects), []);
  });

  it("every object of the lab stack with every optional layer, the gateway and the Lua filter validates", async () => {
    const tenants = [{ name: "acme", ingress: { fromGateway: true, ports: [8080] }, adminGroups: ["acme-admins"] }, { name: "globex" }, { name: "initech" }];
    assert.deepEqual(await validateAgainstUpstreamSchemas(allObjects(buildPlatformObjects(labSpec({ ...EVERY_OPTION, tenants })))), []);
  });

  it("every object of a 50-tenant spec validates", async () => {
    const objects = allObjects(buildPlatformObjects(syntheticSpec(50, EVERY_OPTION)));
    assert.ok(objects.length > 50 * 10);
    assert.deepEqual(await validateAgainstUpstreamSchemas(objects), []);
  });

  describe("the validator itself", () => {
    const base = allObjects(buildPlatformObjects(labSpec(EVERY_OPTION)));
    const pick = (kind: string): K8sObject => clone(base.find((o) => o.kind === kind) as K8sObject);

    it("rejects a core kind with a bad enum (NetworkPolicy policyTypes)", async () => {
      const np = pick("NetworkPolicy");
      (np.spec as { policyTypes: string[] }).policyTypes = ["Sideways"];
      const errors = await validateAgainstUpstreamSchemas([np]);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /NetworkPolicy.*policyTypes/);
    });

    it("rejects an admission policy rule without an expression, and a binding with a malformed namespace selector", async () => {
      const policy = pick("ValidatingAdmissionPolicy");
      delete (policy.spec as { validations: { expression?: string }[] }).validations[0].expression;
      const binding = pick("ValidatingAdmissionPolicyBinding");
      (binding.spec as { matchResources: unknown }).matchResources = { namespaceSelector: "hard-tenancy.io/role=tenant" };
      const errors = (await validateAgainstUpstreamSchemas([policy, binding])).join("\n");
      assert.match(errors, /ValidatingAdmissionPolicy\/\/.*validations\/0 must have required property expression/);
      assert.match(errors, /ValidatingAdmissionPolicyBinding\/\/.*namespaceSelector must be object/);
    });

    it("rejects an Istio kind with a bad action (AuthorizationPolicy)", async () => {
      const ap = pick("AuthorizationPolicy");
      (ap.spec as { action: string }).action = "AUDIT_ALL";
      assert.match((await validateAgainstUpstreamSchemas([ap])).join("\n"), /AuthorizationPolicy.*action/);
    });

    it("rejects a Calico rule with an unknown action or a templated selector", async () => {
      const gnp = pick("GlobalNetworkPolicy");
      const s = gnp.spec as { ingress: { action: string }[]; namespaceSelector: string };
      s.ingress[0].action = "Drop";
      s.namespaceSelector = "tenant == \"${tenant}\"";
      const errors = (await validateAgainstUpstreamSchemas([gnp])).join("\n");
      assert.match(errors, /spec\.ingress\[0\]\.action/);
      assert.match(errors, /templating/);
    });

    it("rejects a ClusterNetworkPolicy with an unknown field, an out-of-range priority or two subject kinds", async () => {
      const cnp = pick("ClusterNetworkPolicy");
      const s = cnp.spec as Record<string, unknown>;
      s.priority = 5000;
      s.appliedTo = {};
      s.subject = { namespaces: {}, pods: { podSelector: {} } };
      const errors = (await validateAgainstUpstreamSchemas([cnp])).join("\n");
      assert.match(errors, /spec\.priority/);
      assert.match(errors, /spec\.appliedTo: unknown field/);
      assert.match(errors, /spec\.subject: exactly one/);
    });

    it("rejects names and label values Kubernetes would refuse", async () => {
      const ns = pick("Namespace");
      ns.metadata.name = "Tenant_Acme";
      ns.metadata.labels = { ...ns.metadata.labels, team: "not a valid value" };
      const errors = (await validateAgainstUpstreamSchemas([ns])).join("\n");
      assert.match(errors, /metadata\.name/);
      assert.match(errors, /invalid label value/);
    });
  });
});
