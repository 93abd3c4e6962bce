import assert from "node:assert/strict";
import { buildClusterModel, resolveServicePort } from "../../../lab/model/cluster";
import { kindBuiltins, OPERATOR_TIER } from "../../../lab/model/kind-builtins";
import { calicoLayer } from "../../../lab/model/layers/calico";
import { CALICO_TIER, CALICO_TIER_ORDER } from "../../../components/builders/cluster-policy/calico";
import { buildPlatformObjects, allObjects } from "../../../components/builders";
import type { PlatformSpec } from "../../../components/spec/types";
import type { Workload } from "../../../lab/model/types";
import { labSpec } from "../../components/builders/helpers";

function spec(overrides: { istio?: boolean; serviceCidr?: string; podLabels?: Record<string, string> } = {}): PlatformSpec {
  return {
    cluster: { serviceCidr: overrides.serviceCidr ?? "10.96.0.0/16", dns: { namespace: "kube-system", podLabels: overrides.podLabels ?? { "k8s-app": "kube-dns" } } },
    install: { istio: overrides.istio ?? true, calico: true },
    meshNamespace: "istio-system",
  } as unknown as PlatformSpec;
}

describe("kind built-ins", () => {
  it("adds CoreDNS with the spec's DNS pod labels behind kube-dns on 10.96.0.10", () => {
    const m = buildClusterModel(kindBuiltins(spec({ podLabels: { "k8s-app": "dns-x" } })));
    const dns = resolveServicePort(m, "kube-system/kube-dns", 53);
    assert.deepEqual(dns?.targets.map((t) => [t.workload.name, t.port, t.portName, t.protocol]), [["coredns", 53, "dns", "UDP"], ["coredns", 53, "dns-tcp", "TCP"]]);
    assert.equal(dns?.service.clusterIP, "10.96.0.10");
    assert.deepEqual(dns?.targets[0].workload.podLabels, { "k8s-app": "dns-x" });
  });

  it("leaves out the kube-dns ClusterIP when it is outside the service CIDR", () => {
    const m = buildClusterModel(kindBuiltins(spec({ serviceCidr: "10.100.0.0/16" })));
    assert.equal(m.services.find((s) => s.name === "kube-dns")?.clusterIP, undefined);
  });

  it("adds istiod without a sidecar only when Istio is installed", () => {
    const m = buildClusterModel(kindBuiltins(spec()));
    const istiod = m.workloads.find((w) => w.name === "istiod");
    assert.equal(istiod?.namespace, "istio-system");
    assert.equal(istiod?.sidecar, false);
    assert.ok(istiod?.ports.some((p) => p.containerPort === 15012) && istiod.ports.some((p) => p.containerPort === 15017));
    assert.equal(buildClusterModel(kindBuiltins(spec({ istio: false }))).workloads.some((w) => w.name === "istiod"), false);
  });

  it("knows the tigera-operator's calico-system tier (order 100), and the platform's tier sits before it, not tied with it", () => {
    const tier = kindBuiltins(spec()).find((o) => o.kind === "Tier");
    assert.equal(tier?.metadata.name, "calico-system");
    assert.deepEqual(tier?.spec, { order: OPERATOR_TIER.order, defaultAction: "Deny" });
    assert.ok(CALICO_TIER_ORDER < OPERATOR_TIER.order, `${CALICO_TIER} (${CALICO_TIER_ORDER}) is evaluated before calico-system (${OPERATOR_TIER.order})`);
  });

  it("a tenant's DNS query passes the calico-system tier (its kube-dns policy ends in Pass for non-Calico pods), while Calico's own pods are allowed there", () => {
    const s = labSpec();
    const model = buildClusterModel([...allObjects(buildPlatformObjects(s)), ...kindBuiltins(s), ...tenantPod("tenant-acme", "client"), ...tenantPod("calico-system", "calico-kube-controllers")]);
    const layer = calicoLayer(model);
    const coredns = model.workloads.find((w) => w.name === "coredns") as Workload;
    const from = (ns: string) => ({ type: "workload" as const, workload: model.workloads.find((w) => w.namespace === ns) as Workload });
    const tenant = layer.evaluate({ from: from("tenant-acme"), to: { type: "workload", workload: coredns }, port: 53, protocol: "UDP" });
    assert.equal(tenant.verdict, "not-applicable", `every tier passed it on, the profile allows: ${tenant.reason ?? ""}`);
    const calico = layer.evaluate({ from: from("calico-system"), to: { type: "workload", workload: coredns }, port: 53, protocol: "UDP" });
    assert.equal(calico.verdict, "allow");
    assert.deepEqual(calico.decidedBy, { kind: "NetworkPolicy", namespace: "kube-system", name: "calico-system.cluster-dns", rule: 0 });
  });

  it("leaves the operator's tier out when the stack does not install Calico", () => {
    assert.equal(kindBuiltins({ ...spec(), install: { istio: true, calico: false } } as unknown as PlatformSpec).some((o) => o.kind === "Tier"), false);
  });
});

function tenantPod(namespace: string, name: string) {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    { apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name, image: name }] } },
  ];
}
