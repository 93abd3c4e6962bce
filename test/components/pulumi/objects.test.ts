import assert from "node:assert/strict";
import { isCalicoApiKind, isIstioKind, kindDependencies, kubernetesResourceName, kubernetesTypeToken } from "../../../components/pulumi/objects";

describe("components/pulumi/objects", function () {
  it("names core kinds with the provider's core/v1 token and other groups by group/version", () => {
    assert.equal(kubernetesTypeToken({ apiVersion: "v1", kind: "Namespace" }), "kubernetes:core/v1:Namespace");
    assert.equal(kubernetesTypeToken({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" }), "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    assert.equal(kubernetesTypeToken({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy" }), "kubernetes:projectcalico.org/v3:GlobalNetworkPolicy");
  });

  it("refuses an object without apiVersion or kind, naming both", () => {
    assert.throws(() => kubernetesTypeToken({ apiVersion: "", kind: "Pod" }), /needs apiVersion and kind/);
  });

  it("gives namespaced objects a namespace/name resource name and cluster-scoped ones their name", () => {
    assert.equal(kubernetesResourceName({ metadata: { name: "default-deny", namespace: "tenant-acme" } }), "tenant-acme/default-deny");
    assert.equal(kubernetesResourceName({ metadata: { name: "tenant-acme" } }), "tenant-acme");
  });

  it("makes Istio kinds wait for Istio, Calico v3 kinds for the Calico API server and pods for injection", () => {
    const istio = [{ urn: "istio" }] as never[];
    const calico = [{ urn: "calico" }] as never[];
    const injection = [{ urn: "istiod" }] as never[];
    const readiness = { istio, calico, injection };
    assert.ok(isIstioKind({ apiVersion: "security.istio.io/v1" }));
    assert.ok(isCalicoApiKind({ apiVersion: "projectcalico.org/v3" }));
    assert.equal(kindDependencies({ apiVersion: "security.istio.io/v1", kind: "PeerAuthentication" }, readiness), istio);
    assert.equal(kindDependencies({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy" }, readiness), calico);
    assert.equal(kindDependencies({ apiVersion: "apps/v1", kind: "Deployment" }, readiness), injection);
    assert.deepEqual(kindDependencies({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" }, readiness), []);
  });
});
