import assert from "node:assert/strict";
import { allObjects, buildPlatformObjects } from "../../../components/builders";
import { ADMISSION_GUARDRAILS_NAME, guardrailGroups, isGuardrailPolicy, tenantGuardrails } from "../../../components/builders/cluster-policy/admission-guardrails";
import { KUBERNETES_TOLERATION_KEYS } from "../../../components/spec/defaults";
import { objectKey, type K8sObject } from "../../../components/k8s/object";
import { ROLE_LABEL } from "../../../components/spec/labels";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { labConfig } from "../../fixtures/platform";
import { refusals, type AdmissionRequest } from "../../support/admission-cel";
import { labSpec, ofKind, spec, syntheticSpec } from "./helpers";

const POLICY = "ValidatingAdmissionPolicy";
const BINDING = "ValidatingAdmissionPolicyBinding";

const GROUPS = guardrailGroups({ allowedTolerationKeys: [...KUBERNETES_TOLERATION_KEYS] });

function guardrails(objects: K8sObject[]): { policies: K8sObject[]; bindings: K8sObject[] } {
  return { policies: ofKind(objects, POLICY), bindings: ofKind(objects, BINDING) };
}

/** The validation of the policy for `resource` that mentions this field. */
function validationFor(resource: string, field: string): { expression: string; message: string; reason?: string } {
  const policy = guardrails(buildPlatformObjects(labSpec()).clusterPolicies).policies.find((p) =>
    spec(p).matchConstraints.resourceRules.some((r: { resources: string[] }) => r.resources.includes(resource)),
  );
  assert.ok(policy, `a policy matches ${resource}`);
  const found = spec(policy).validations.filter((v: { expression: string }) => v.expression.includes(field));
  assert.equal(found.length, 1, `one validation for ${resource} ${field}`);
  return found[0];
}

const TENANT_GUARDRAILS = tenantGuardrails({ allowedTolerationKeys: [...KUBERNETES_TOLERATION_KEYS] });

describe("admission guardrails for tenant namespaces", () => {
  const objects = buildPlatformObjects(labSpec()).clusterPolicies;
  const { policies, bindings } = guardrails(objects);

  it("one cluster-scoped ValidatingAdmissionPolicy and binding per group of kinds that share a schema (admissionregistration.k8s.io/v1)", () => {
    assert.deepEqual(policies.map((p) => p.metadata.name), GROUPS.map((g) => `${ADMISSION_GUARDRAILS_NAME}-${g.suffix}`));
    assert.deepEqual(bindings.map((b) => spec(b).policyName), policies.map((p) => p.metadata.name));
    for (const o of [...policies, ...bindings]) {
      assert.equal(o.apiVersion, "admissionregistration.k8s.io/v1");
      assert.equal(o.metadata.namespace, undefined);
      assert.ok(isGuardrailPolicy(o.metadata.name));
    }
  });

  it("lists every policy before any binding, so a binding never names a policy that does not exist yet", () => {
    const kinds = objects.filter((o) => o.apiVersion.startsWith("admissionregistration")).map((o) => o.kind);
    assert.ok(kinds.lastIndexOf(POLICY) < kinds.indexOf(BINDING));
  });

  it("stays the same size whatever the number of tenants, and names none of them", () => {
    const small = guardrails(buildPlatformObjects(syntheticSpec(3)).clusterPolicies);
    const large = guardrails(buildPlatformObjects(syntheticSpec(200)).clusterPolicies);
    assert.deepEqual(large, small);
    assert.doesNotMatch(JSON.stringify(large), /t0\d{3}/);
  });

  it("the bindings reject (validationActions Deny) in exactly the namespaces the platform labels as tenants", () => {
    for (const binding of bindings) {
      const s = spec(binding);
      assert.deepEqual(s.validationActions, ["Deny"]);
      assert.deepEqual(s.matchResources, { namespaceSelector: { matchLabels: { [ROLE_LABEL]: "tenant" } } });
    }
    const namespaces = ofKind(allObjects(buildPlatformObjects(labSpec())), "Namespace");
    const selected = namespaces.filter((ns) => ns.metadata.labels?.[ROLE_LABEL] === "tenant").map((ns) => ns.metadata.name);
    assert.deepEqual(selected.sort(), ["tenant-acme", "tenant-globex", "tenant-initech"]);
    assert.ok(namespaces.some((ns) => ns.metadata.name === "shared-services" && ns.metadata.labels?.[ROLE_LABEL] !== "tenant"), "the shared namespace is not a tenant");
  });

  it("the policies check creates and updates of Services, Secrets, Pods and every pod-template workload kind, have no parameters and fail closed", () => {
    const rules = policies.flatMap((p) => spec(p).matchConstraints.resourceRules as { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[]);
    const covered = rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups[0]}/${res}`)).sort();
    assert.deepEqual(covered, ["/pods", "/secrets", "/services", "apps/daemonsets", "apps/deployments", "apps/replicasets", "apps/statefulsets", "batch/cronjobs", "batch/jobs"]);
    for (const r of rules) assert.deepEqual([r.apiVersions, r.operations], [["v1"], ["CREATE", "UPDATE"]]);
    for (const p of policies) {
      const s = spec(p);
      assert.equal(s.failurePolicy, "Fail");
      assert.equal(s.paramKind, undefined);
      assert.deepEqual(s.matchConstraints.namespaceSelector, spec(bindings[0]).matchResources.namespaceSelector);
    }
  });

  it("groups kinds so every expression reads only fields of the kinds its policy matches (the API server type-checks each against each)", () => {
    const fieldsOf: Record<string, RegExp> = { services: /object\.spec\.(externalIPs|type)/, secrets: /object\.type/, pods: /object\.spec\.(nodeName|tolerations|nodeSelector|affinity)/ };
    for (const group of GROUPS) {
      for (const g of group.guardrails) {
        assert.doesNotMatch(g.expression, /request\.kind\.kind/, `${group.suffix}/${g.id} needs no kind guard`);
        if (group.suffix === "workloads") assert.match(g.expression, /object\.spec\.template\.spec/);
        if (group.suffix === "cronjobs") assert.match(g.expression, /object\.spec\.jobTemplate\.spec\.template\.spec/);
        if (fieldsOf[group.suffix]) assert.match(g.expression, fieldsOf[group.suffix]);
      }
    }
  });

  it("every validation is a plain expression/message/reason (no rule ids leak into the API object), and each message names its rule", () => {
    const validations = policies.flatMap((p) => spec(p).validations as Record<string, unknown>[]);
    assert.deepEqual(validations.map((v) => Object.keys(v).sort().join(",")), validations.map(() => "expression,message,reason"));
    assert.deepEqual(
      validations.map((v) => String(v.message).split(":")[0]),
      TENANT_GUARDRAILS.map((g) => `${ADMISSION_GUARDRAILS_NAME}/${g.id}`),
    );
  });

  it("a Service may not set spec.externalIPs (CVE-2020-8554)", () => {
    const v = validationFor("services", "object.spec.externalIPs");
    assert.match(v.expression, /!has\(object\.spec\.externalIPs\) \|\| size\(object\.spec\.externalIPs\) == 0/);
    assert.match(v.message, /externalIPs/);
  });

  it("a Service must be type ClusterIP: NodePort, LoadBalancer and ExternalName are refused", () => {
    const v = validationFor("services", "object.spec.type");
    assert.match(v.expression, /object\.spec\.type == 'ClusterIP'/);
    for (const refused of ["NodePort", "LoadBalancer", "ExternalName"]) assert.match(v.message, new RegExp(refused));
  });

  it("a Secret may not be a legacy service-account token", () => {
    const v = validationFor("secrets", "object.type");
    assert.match(v.expression, /object\.type != 'kubernetes\.io\/service-account-token'/);
  });

  it("a Pod may not pick its node with spec.nodeName when created, while scheduled pods can still be updated", () => {
    const v = validationFor("pods", "object.spec.nodeName");
    assert.match(v.expression, /request\.operation != 'CREATE' \|\|/);
  });

  it("every rule tests presence before use, so an object without the field never errors", () => {
    for (const g of TENANT_GUARDRAILS) {
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

describe("admission guardrails evaluated with a CEL evaluator", () => {
  const policy = ofKind(buildPlatformObjects(labSpec()).clusterPolicies, POLICY);
  const ruleIds = (request: AdmissionRequest) => refusals(policy, request).map((m) => m.slice(ADMISSION_GUARDRAILS_NAME.length + 1, m.indexOf(":")));
  const podSpec = (extra: Record<string, unknown> = {}) => ({ containers: [{ name: "app", image: "app" }], ...extra });
  const everywhere = (spec: Record<string, unknown>): AdmissionRequest[] => [
    { kind: "Pod", object: { spec } },
    ...["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].map((kind) => ({ kind, object: { spec: { template: { spec } } } })),
    { kind: "CronJob", object: { spec: { schedule: "* * * * *", jobTemplate: { spec: { template: { spec } } } } } },
  ];

  it("admits an ordinary pod and every workload kind's template, also with the tolerations Kubernetes itself adds", () => {
    const kubernetesAdded = KUBERNETES_TOLERATION_KEYS.map((key) => ({ key, operator: "Exists", effect: key.endsWith("ready") || key.endsWith("unreachable") ? "NoExecute" : "NoSchedule" }));
    for (const request of [...everywhere(podSpec()), ...everywhere(podSpec({ tolerations: kubernetesAdded }))]) {
      assert.deepEqual(refusals(policy, request), [], request.kind);
    }
  });

  it("refuses a toleration without a key (operator Exists tolerates every taint) in a Pod and in every template kind", () => {
    for (const request of everywhere(podSpec({ tolerations: [{ operator: "Exists" }] }))) {
      assert.deepEqual(ruleIds(request), ["pod-tolerations"], request.kind);
    }
  });

  it("refuses tolerating the control-plane taint or a dedicated node pool's taint that the platform does not allow", () => {
    for (const key of ["node-role.kubernetes.io/control-plane", "dedicated.example.com/gpu"]) {
      assert.deepEqual(ruleIds({ kind: "Deployment", object: { spec: { template: { spec: podSpec({ tolerations: [{ key, operator: "Exists", effect: "NoSchedule" }] }) } } } }), ["pod-tolerations"], key);
    }
  });

  it("lets a cluster allow its tenant node pool's taint key", () => {
    const pools = validatePlatformConfig({ ...labConfig(), guardrails: { allowedTolerationKeys: [...KUBERNETES_TOLERATION_KEYS, "example.com/tenant-pool"] } });
    const custom = ofKind(buildPlatformObjects(pools).clusterPolicies, POLICY);
    const request: AdmissionRequest = { kind: "Pod", object: { spec: podSpec({ tolerations: [{ key: "example.com/tenant-pool", operator: "Equal", value: "acme", effect: "NoSchedule" }] }) } };
    assert.deepEqual(refusals(custom, request), []);
    assert.deepEqual(ruleIds(request), ["pod-tolerations"], "not allowed by default");
  });

  it("refuses a nodeSelector or a required/preferred node-affinity term that selects control-plane nodes", () => {
    const inCp = { key: "node-role.kubernetes.io/control-plane", operator: "Exists" };
    const placements = [
      { nodeSelector: { "node-role.kubernetes.io/control-plane": "" } },
      { nodeSelector: { "node-role.kubernetes.io/master": "" } },
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [inCp] }] } } } },
      { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ ...inCp, operator: "In", values: [""] }] } }] } } },
    ];
    for (const placement of placements) {
      for (const request of everywhere(podSpec(placement))) assert.deepEqual(ruleIds(request), ["pod-control-plane-placement"], `${request.kind} ${JSON.stringify(placement)}`);
    }
  });

  it("admits affinity that keeps pods off control-plane nodes, and a DaemonSet pod's matchFields pin to its node", () => {
    const away = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" }] }] } } } };
    const daemonPod = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["worker-1"] }] }] } } } };
    for (const request of [...everywhere(podSpec(away)), ...everywhere(podSpec(daemonPod)), ...everywhere(podSpec({ nodeSelector: { "kubernetes.io/os": "linux" } }))]) {
      assert.deepEqual(refusals(policy, request), [], request.kind);
    }
  });

  it("keeps the Service, Secret and nodeName rules working, and never errors on an object without a pod spec", () => {
    assert.deepEqual(ruleIds({ kind: "Service", object: { spec: { externalIPs: ["1.2.3.4"], ports: [{ port: 80 }] } } }), ["service-external-ips"]);
    assert.deepEqual(ruleIds({ kind: "Service", object: { spec: { type: "NodePort" } } }), ["service-type"]);
    assert.deepEqual(ruleIds({ kind: "Secret", object: { type: "kubernetes.io/service-account-token" } }), ["secret-service-account-token"]);
    assert.deepEqual(ruleIds({ kind: "Pod", object: { spec: podSpec({ nodeName: "cp-1" }) } }), ["pod-node-name"]);
    assert.deepEqual(ruleIds({ kind: "Pod", operation: "UPDATE", object: { spec: podSpec({ nodeName: "cp-1" }) } }), []);
    for (const kind of ["Deployment", "CronJob", "Pod", "Secret"]) assert.deepEqual(refusals(policy, { kind, object: {} }), [], kind);
    assert.deepEqual(refusals(policy, { kind: "CronJob", object: { spec: { jobTemplate: {} } } }), []);
  });
});
