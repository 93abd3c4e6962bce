import assert from "node:assert/strict";
import { gatewayValues, istiodValues } from "../../../components/pulumi/IstioMesh";
import { validatePlatformConfig } from "../../../components/spec";
import { syntheticConfig } from "../../fixtures/platform";

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

  it("runs the ingress gateway as the configured service account with the configured pod labels", () => {
    const values = gatewayValues(spec, "ClusterIP") as { labels: Record<string, string>; serviceAccount: { name: string } };
    assert.deepEqual(values.labels, spec.ingressGateway.podLabels);
    assert.equal(values.serviceAccount.name, spec.ingressGateway.serviceAccount);
  });
});
