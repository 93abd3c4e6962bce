import assert from "node:assert/strict";
import { buildClusterModel, resolveServicePort } from "../../../lab/model/cluster";
import { kindBuiltins } from "../../../lab/model/kind-builtins";
import type { PlatformSpec } from "../../../components/spec/types";

function spec(overrides: { istio?: boolean; serviceCidr?: string; podLabels?: Record<string, string> } = {}): PlatformSpec {
  return {
    cluster: { serviceCidr: overrides.serviceCidr ?? "10.96.0.0/16", dns: { namespace: "kube-system", podLabels: overrides.podLabels ?? { "k8s-app": "kube-dns" } } },
    install: { istio: overrides.istio ?? true },
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
});
