// The audit of a read cluster (no API server: the read is the synthetic server read of a rendered
// stack, test/fixtures/server-read.ts). Against a stack, the verdict groups tenants by conformance;
// the grouped verdict equals the one over every pair.
import { strict as assert } from "node:assert";
import type { K8sObject } from "../../../components/k8s/object";
import { renderableObjects } from "../../../components/render/cli";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { runAudit } from "../../../lab/audit/audit";
import { AUDIT_KINDS, apiVersionOf, kindId } from "../../../lab/audit/kinds";
import type { ClusterRead } from "../../../lab/audit/read";
import { stackDemoWorkloads } from "../../../lab/workloads/demo";
import { heterogeneousConfig } from "../../fixtures/heterogeneous-platform";
import { serverRead } from "../../fixtures/server-read";

/** Every audit kind read (Calico v3 too), the objects of the read, no mesh ConfigMap. */
function clusterRead(objects: K8sObject[]): ClusterRead {
  const kinds = AUDIT_KINDS.map((kind) => {
    const apiVersion = apiVersionOf(kind.group, kind.versions[0]);
    const count = objects.filter((o) => o.kind === kind.kind && o.apiVersion === apiVersion).length;
    return { id: kindId(kind), kind, apiVersion, status: "read" as const, count, pages: 1 };
  });
  const readable = new Set(kinds.map((k) => `${k.apiVersion}/${k.kind.kind}`));
  return { target: "synthetic read", objects: objects.filter((o) => readable.has(`${o.apiVersion}/${o.kind}`)), kinds, meshConfig: { source: "istio-system/istio", status: "absent" }, readMs: 0 };
}

describe("audit of a read cluster against its stack", () => {
  const spec = validatePlatformConfig(heterogeneousConfig(30, { seed: 11, sharedServiceCount: 2 }));
  const applied = serverRead(renderableObjects(spec, stackDemoWorkloads), { seed: 3 });
  const extra: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "admit-t0002", namespace: "tenant-t0005" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tenant-t0002" } } }] }] } };
  const audit = (grouping: boolean) => runAudit(clusterRead([...applied, extra]), { spec, title: "synthetic", mode: { kind: "verdict" }, ablate: [], grouping, drift: true });

  it("groups the tenants that conform by their spec and names the one that deviates, with the paths its change governs", () => {
    const result = audit(true);
    assert.deepEqual(result.verdict!.conformance!.deviating, [{ tenant: "t0005", ingress: true, egress: false, reasons: ["extra NetworkPolicy/admit-t0002 (ingress)"] }]);
    assert.equal(result.verdict!.conformance!.conforming, 29);
    assert.ok(result.verdict!.classes.length < 30, `${result.verdict!.classes.length} classes`);
    assert.deepEqual(result.drift!.items.map((i) => `${i.type} ${i.ref}`), ["extra NetworkPolicy.networking.k8s.io tenant-t0005/admit-t0002"]);
  });

  it("gives the verdict of every pair", () => {
    assert.deepEqual(audit(true).verdict!.summary, audit(false).verdict!.summary);
  });
});
