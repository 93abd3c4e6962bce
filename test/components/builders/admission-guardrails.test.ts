import assert from "node:assert/strict";
import { allObjects, buildPlatformObjects } from "../../../components/builders";
import { ADMISSION_GUARDRAILS_NAME, TENANT_GUARDRAILS } from "../../../components/builders/cluster-policy/admission-guardrails";
import { objectKey, type K8sObject } from "../../../components/k8s/object";
import { ROLE_LABEL } from "../../../components/spec/labels";
import { find, labSpec, ofKind, spec, syntheticSpec } from "./helpers";

const POLICY = "ValidatingAdmissionPolicy";
const BINDING = "ValidatingAdmissionPolicyBinding";

function guardrails(objects: K8sObject[]): { policy: K8sObject; binding: K8sObject } {
  return { policy: find(objects, POLICY, ADMISSION_GUARDRAILS_NAME), binding: find(objects, BINDING, ADMISSION_GUARDRAILS_NAME) };
}

/** The validation whose expression guards this kind and mentions this field. */
function validationFor(kind: string, field: string): { expression: string; message: string; reason?: string } {
  const found = spec(guardrails(buildPlatformObjects(labSpec()).clusterPolicies).policy).validations.filter(
    (v: { expression: string }) => v.expression.startsWith(`request.kind.kind != '${kind}' ||`) && v.expression.includes(field),
  );
  assert.equal(found.length, 1, `one validation for ${kind} ${field}`);
  return found[0];
}

describe("admission guardrails for tenant namespaces", () => {
  const objects = buildPlatformObjects(labSpec()).clusterPolicies;
  const { policy, binding } = guardrails(objects);

  it("one cluster-scoped ValidatingAdmissionPolicy and one binding serve every tenant (admissionregistration.k8s.io/v1)", () => {
    assert.equal(ofKind(objects, POLICY).length, 1);
    assert.equal(ofKind(objects, BINDING).length, 1);
    for (const o of [policy, binding]) {
      assert.equal(o.apiVersion, "admissionregistration.k8s.io/v1");
      assert.equal(o.metadata.namespace, undefined);
    }
  });

  it("stays the same size whatever the number of tenants, and names none of them", () => {
    const small = guardrails(buildPlatformObjects(syntheticSpec(3)).clusterPolicies);
    const large = guardrails(buildPlatformObjects(syntheticSpec(200)).clusterPolicies);
    assert.deepEqual(large, small);
    assert.doesNotMatch(JSON.stringify(large), /t0\d{3}/);
  });

  it("the binding rejects (validationActions Deny) in exactly the namespaces the platform labels as tenants", () => {
    const s = spec(binding);
    assert.equal(s.policyName, ADMISSION_GUARDRAILS_NAME);
    assert.deepEqual(s.validationActions, ["Deny"]);
    assert.deepEqual(s.matchResources, { namespaceSelector: { matchLabels: { [ROLE_LABEL]: "tenant" } } });
    const namespaces = ofKind(allObjects(buildPlatformObjects(labSpec())), "Namespace");
    const selected = namespaces.filter((ns) => ns.metadata.labels?.[ROLE_LABEL] === "tenant").map((ns) => ns.metadata.name);
    assert.deepEqual(selected.sort(), ["tenant-acme", "tenant-globex", "tenant-initech"]);
    assert.ok(namespaces.some((ns) => ns.metadata.name === "shared-services" && ns.metadata.labels?.[ROLE_LABEL] !== "tenant"), "the shared namespace is not a tenant");
  });

  it("the policy checks creates and updates of Services, Secrets and Pods only, has no parameters and fails closed", () => {
    const s = spec(policy);
    assert.equal(s.failurePolicy, "Fail");
    assert.equal(s.paramKind, undefined);
    assert.deepEqual(s.matchConstraints.resourceRules, [
      { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services", "secrets", "pods"] },
    ]);
    assert.deepEqual(s.matchConstraints.namespaceSelector, spec(binding).matchResources.namespaceSelector);
  });

  it("a Service may not set spec.externalIPs (CVE-2020-8554)", () => {
    const v = validationFor("Service", "object.spec.externalIPs");
    assert.match(v.expression, /!has\(object\.spec\.externalIPs\) \|\| size\(object\.spec\.externalIPs\) == 0/);
    assert.match(v.message, /externalIPs/);
  });

  it("a Service must be type ClusterIP: NodePort, LoadBalancer and ExternalName are refused", () => {
    const v = validationFor("Service", "object.spec.type");
    assert.match(v.expression, /object\.spec\.type == 'ClusterIP'/);
    for (const refused of ["NodePort", "LoadBalancer", "ExternalName"]) assert.match(v.message, new RegExp(refused));
  });

  it("a Secret may not be a legacy service-account token", () => {
    const v = validationFor("Secret", "object.type");
    assert.match(v.expression, /object\.type != 'kubernetes\.io\/service-account-token'/);
  });

  it("a Pod may not pick its node with spec.nodeName when created, while scheduled pods can still be updated", () => {
    const v = validationFor("Pod", "object.spec.nodeName");
    assert.match(v.expression, /request\.operation != 'CREATE' \|\|/);
  });

  it("every rule is guarded by its kind and tests presence before use, so no object errors on another kind's fields", () => {
    for (const g of TENANT_GUARDRAILS) {
      assert.match(g.expression, /^request\.kind\.kind != '(Service|Secret|Pod)' \|\| \(/);
      for (const [, field] of g.expression.matchAll(/(?<!has\()(object(?:\.\w+)+)/g)) {
        if (/\.(externalIPs|type|nodeName)$/.test(field)) assert.ok(g.expression.includes(`has(${field})`), `${field} is tested with has() in ${g.expression}`);
      }
    }
  });

  it("every message tells the tenant what to do instead, on one line, with reason Forbidden", () => {
    for (const g of TENANT_GUARDRAILS) {
      assert.equal(/\n/.test(g.message), false);
      assert.match(g.message, /tenant namespaces/);
      assert.equal(g.reason, "Forbidden");
    }
  });

  it("switching the layer off leaves no admission objects", () => {
    const off = allObjects(buildPlatformObjects(labSpec({ layers: { admissionGuardrails: false } })));
    assert.deepEqual(off.filter((o) => o.apiVersion.startsWith("admissionregistration.k8s.io/")).map(objectKey), []);
  });
});
