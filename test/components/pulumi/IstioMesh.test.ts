import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { baseValues, cniValues, gatewayValues, IstioMesh, istiodValues } from "../../../components/pulumi/IstioMesh";
import { validatePlatformConfig } from "../../../components/spec";
import { MESH_PATH_NORMALIZATION } from "../../../components/spec/defaults";
import { syntheticConfig } from "../../fixtures/platform";
import { Graph, recordGraph, settled } from "./mock-graph";

describe("IstioMesh values", function () {
  const spec = validatePlatformConfig(syntheticConfig(1, { cluster: { ...syntheticConfig(1).cluster, trustDomain: "corp.example" }, versions: { istioHub: "mirror.example/istio" } }));

  it("configures istiod with the trust domain, the root namespace and istio-cni, and no accessLogFile", () => {
    const values = istiodValues(spec) as { meshConfig: Record<string, unknown>; pilot: { cni: { enabled: boolean } }; global: { hub: string } };
    assert.equal(values.meshConfig.trustDomain, "corp.example");
    assert.equal(values.meshConfig.rootNamespace, spec.meshNamespace);
    assert.equal("accessLogFile" in values.meshConfig, false);
    assert.equal(values.pilot.cni.enabled, true);
    assert.equal(values.global.hub, "mirror.example/istio");
  });

  it("has istiod decode encoded slashes and merge slashes before path-based policies match (DECODE_AND_MERGE_SLASHES)", () => {
    const values = istiodValues(spec) as { meshConfig: { pathNormalization?: { normalization?: string } } };
    assert.deepEqual(values.meshConfig.pathNormalization, { normalization: "DECODE_AND_MERGE_SLASHES" });
    assert.equal(values.meshConfig.pathNormalization?.normalization, MESH_PATH_NORMALIZATION);
  });

  it("gives every injected sidecar the mesh's proxy resources (global.proxy.resources), an order of magnitude below Istio's 2000m CPU limit", () => {
    const values = istiodValues(spec) as { global: { proxy: { resources: unknown } } };
    assert.deepEqual(values.global.proxy.resources, { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } });
    const custom = validatePlatformConfig(syntheticConfig(1, { mesh: { proxyResources: { limitsCpu: "500m", limitsMemory: "512Mi" } } }));
    assert.deepEqual((istiodValues(custom) as { global: { proxy: { resources: unknown } } }).global.proxy.resources, {
      requests: { cpu: "10m", memory: "64Mi" },
      limits: { cpu: "500m", memory: "512Mi" },
    });
  });

  it("has every sidecar reset x-forwarded-client-cert to the verified peer (proxyHeaders.forwardedClientCert SANITIZE_SET), not Istio's APPEND_FORWARD", () => {
    const values = istiodValues(spec) as { meshConfig: { defaultConfig?: { proxyHeaders?: { forwardedClientCert?: string } } } };
    assert.equal(values.meshConfig.defaultConfig?.proxyHeaders?.forwardedClientCert, "SANITIZE_SET");
  });

  it("passes each chart only the global values it reads: base istioNamespace, cni hub, istiod both, gateway neither", () => {
    assert.deepEqual(baseValues(spec), { global: { istioNamespace: spec.meshNamespace } });
    assert.deepEqual(cniValues(spec), { global: { hub: "mirror.example/istio" } });
    const istiod = istiodValues(spec) as { global: Record<string, unknown> };
    assert.equal(istiod.global.istioNamespace, spec.meshNamespace);
    assert.equal(istiod.global.hub, "mirror.example/istio");
    assert.equal("global" in gatewayValues(spec), false);
    assert.deepEqual(cniValues(validatePlatformConfig(syntheticConfig(1))), {}, "no hub override: the cni chart keeps its own");
  });

  it("runs the ingress gateway as the configured service account with the configured pod labels", () => {
    const values = gatewayValues(spec) as { labels: Record<string, string>; serviceAccount: { name: string } };
    assert.deepEqual(values.labels, spec.ingressGateway.podLabels);
    assert.equal(values.serviceAccount.name, spec.ingressGateway.serviceAccount);
  });

  it("overrides the image hub only when one is configured", () => {
    const plain = validatePlatformConfig(syntheticConfig(1));
    assert.equal("hub" in (istiodValues(plain).global as Record<string, unknown>), false);
  });

  it("exposes the ingress gateway with the configured `ingressGateway.serviceType`, LoadBalancer by default", () => {
    const serviceTypeOf = (s: typeof spec) => (gatewayValues(s) as { service: { type: string } }).service.type;
    assert.equal(serviceTypeOf(spec), "LoadBalancer");
    for (const serviceType of ["ClusterIP", "NodePort"] as const) {
      assert.equal(serviceTypeOf(validatePlatformConfig(syntheticConfig(1, { ingressGateway: { serviceType } }))), serviceType);
    }
    assert.equal((gatewayValues(spec) as { serviceAccount: { create: boolean } }).serviceAccount.create, true);
  });

  it("used on its own, lets the base release create the mesh namespace; given the namespace, creates none", async () => {
    const releaseNamed = async (meshNamespace: boolean) => {
      const registrations = recordGraph();
      const provider = new k8s.Provider("k8s", {});
      const namespace = meshNamespace ? new k8s.core.v1.Namespace("mesh", { metadata: { name: spec.meshNamespace } }, { provider }) : undefined;
      new IstioMesh("mesh", { spec, provider, meshNamespace: namespace });
      await settled();
      return (name: string) => new Graph(registrations).byName("kubernetes:helm.sh/v3:Release", name).inputs;
    };
    const standalone = await releaseNamed(false);
    assert.equal(standalone("mesh-base").createNamespace, true);
    assert.equal(standalone("mesh-base").chart, "base");
    assert.equal(standalone("mesh-cni").chart, "cni");
    const composed = await releaseNamed(true);
    assert.equal(composed("mesh-base").createNamespace, false);
  });
});
