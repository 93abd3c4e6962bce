import assert from "node:assert/strict";
import type { K8sObject } from "../../../../components/k8s/object";
import { platformObjects } from "../../../../lab/model/platform";
import { checkUnknownFields, preloadIstioSchemas } from "../../../../lab/model/schema/unknown-fields";
import { labProbeEndpoints } from "../../../../lab/workloads/probe-endpoints";
import { validatePlatformConfig } from "../../../../components/spec/validate";
import { labConfig } from "../../../fixtures/platform";

const obj = (apiVersion: string, kind: string, spec: unknown, ns = "a"): K8sObject => ({ apiVersion, kind, metadata: { name: "x", namespace: ns }, spec });

describe("unknown fields", () => {
  before(preloadIstioSchemas);

  it("finds nothing unknown in the platform's own objects (every kind the model reads)", () => {
    const objects = platformObjects(validatePlatformConfig(labConfig()), labProbeEndpoints);
    const check = checkUnknownFields(objects);
    assert.deepEqual(check.warnings, []);
    assert.deepEqual(check.unchecked, []);
    assert.ok(check.checked >= objects.length - 4, `${check.checked} of ${objects.length}`);
  });

  it("names a NetworkPolicy's typos, one warning per object, and drops them as the API server stores the object", () => {
    const np = obj("networking.k8s.io/v1", "NetworkPolicy", { podSelectr: { matchLabels: { app: "db" } }, ingres: [], ingress: [{ from: [{ podSelector: { matchLabelz: { a: "b" } } }] }] });
    const check = checkUnknownFields([np]);
    assert.equal(check.warnings.length, 1);
    assert.match(check.warnings[0], /^NetworkPolicy a\/x: unknown fields spec\.podSelectr, spec\.ingres, spec\.ingress\[0\]\.from\[0\]\.podSelector\.matchLabelz \(.*evaluated without them, as the API server stores it\)$/);
    assert.deepEqual(check.objects[0].spec, { ingress: [{ from: [{ podSelector: {} }] }] });
    assert.equal(check.withUnknownFields, 1);
  });

  it("reads Istio kinds through @kubernetes-models/istio: a typo in an AuthorizationPolicy's selector or rules", () => {
    const ap = obj("security.istio.io/v1", "AuthorizationPolicy", { selectr: { matchLabels: { app: "db" } }, action: "DENY", rulez: [{}], rules: [{ from: [{ source: { principalz: ["a"] } }] }] });
    const check = checkUnknownFields([ap]);
    assert.match(check.warnings[0], /AuthorizationPolicy a\/x: unknown fields spec\.selectr, spec\.rulez, spec\.rules\[0\]\.from\[0\]\.source\.principalz/);
    assert.deepEqual(check.objects[0].spec, { action: "DENY", rules: [{ from: [{ source: {} }] }] });
  });

  it("checks Calico and ClusterNetworkPolicy kinds against their field trees", () => {
    const gnp = { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name: "g" }, spec: { selectr: "all()", ingress: [{ action: "Deny", source: { namespaceSelectr: "x == 'y'" } }] } };
    const cnp = { apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name: "c" }, spec: { tier: "Admin", priority: 1, subject: { namespace: {} }, ingress: [] } };
    const check = checkUnknownFields([gnp, cnp]);
    assert.match(check.warnings[0], /GlobalNetworkPolicy g: unknown fields spec\.selectr, spec\.ingress\[0\]\.source\.namespaceSelectr/);
    assert.match(check.warnings[1], /ClusterNetworkPolicy c: unknown field spec\.subject\.namespace /);
  });

  it("accepts real dump fields: status, managedFields, labels and annotations with slashes", () => {
    const pod = {
      apiVersion: "v1", kind: "Pod",
      metadata: { name: "p", namespace: "a", labels: { "app.kubernetes.io/name": "x" }, annotations: { "kubectl.kubernetes.io/restartedAt": "now" }, managedFields: [{ manager: "kubectl", operation: "Apply", fieldsType: "FieldsV1", fieldsV1: { "f:metadata": {} } }], ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "r", uid: "u", controller: true }] },
      spec: { containers: [{ name: "c", image: "i", ports: [{ containerPort: 80, protocol: "TCP" }], resources: { limits: { cpu: "1", memory: 1024 } } }] },
      status: { phase: "Running", podIP: "10.0.0.1", podIPs: [{ ip: "10.0.0.1" }], conditions: [{ type: "Ready", status: "True" }] },
    };
    assert.deepEqual(checkUnknownFields([pod]).warnings, []);
  });
});
