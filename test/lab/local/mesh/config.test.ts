import assert from "node:assert/strict";
import { istiodValues } from "../../../../components/builders/istio-values";
import { validatePlatformConfig } from "../../../../components/spec/validate";
import { ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY, labMeshConfig, podLabelsFile, sidecarEnv } from "../../../../lab/local/mesh/config";
import { labConfig } from "../../../fixtures/platform";

describe("the local lab's istiod and sidecar settings", () => {
  const spec = validatePlatformConfig(labConfig());
  const envoyPath = "/cache/mesh/bin/envoy";

  it("runs istiod with the platform's own mesh config: trust domain, root namespace, path normalization and XFCC unchanged", () => {
    const platform = (istiodValues(spec) as { meshConfig: Record<string, unknown> }).meshConfig;
    const lab = labMeshConfig(spec, { envoyPath });
    for (const field of ["trustDomain", "rootNamespace", "pathNormalization"]) assert.deepEqual(lab[field], platform[field], field);
    assert.deepEqual((lab.defaultConfig as { proxyHeaders: unknown }).proxyHeaders, { forwardedClientCert: "SANITIZE_SET" });
  });

  it("adds only what upstream Envoy needs: no default metrics provider (no istio.stats filter) and the Envoy binary's path", () => {
    const lab = labMeshConfig(spec, { envoyPath });
    assert.deepEqual(lab.defaultProviders, { metrics: [] });
    assert.equal((lab.defaultConfig as { binaryPath: string }).binaryPath, envoyPath);
    assert.deepEqual(ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY, { PILOT_ENABLE_ALPN_FILTER: "false", PILOT_ENABLE_METADATA_EXCHANGE: "false" });
  });

  it("gives pilot-agent the pod's identity and a ProxyConfig carrying the platform's XFCC handling and istiod's address", () => {
    const env = sidecarEnv({ namespace: "acme", pod: "echo-0", serviceAccount: "echo", ip: "10.0.0.5", workload: "echo", labels: { app: "echo" } }, spec, { envoyPath, discoveryAddress: "localhost:15012" });
    assert.equal(env.SERVICE_ACCOUNT, "echo");
    assert.equal(env.POD_NAMESPACE, "acme");
    assert.equal(env.TRUST_DOMAIN, spec.cluster.trustDomain);
    const proxyConfig = JSON.parse(env.PROXY_CONFIG) as Record<string, unknown>;
    assert.equal(proxyConfig.discoveryAddress, "localhost:15012");
    assert.equal(proxyConfig.binaryPath, envoyPath);
    assert.deepEqual(proxyConfig.proxyHeaders, { forwardedClientCert: "SANITIZE_SET" });
  });

  it("writes pod labels as the downward API does: one key=\"value\" per line, values quoted", () => {
    assert.equal(podLabelsFile({ app: "echo", "security.istio.io/tlsMode": "istio" }), 'app="echo"\nsecurity.istio.io/tlsMode="istio"');
  });
});
