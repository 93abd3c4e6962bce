import { strict as assert } from "node:assert";
import { tenantCapacityProblems } from "../../../components/spec/capacity";
import { validatePlatformConfig } from "../../../components/spec/validate";
import type { PlatformConfig } from "../../../components/spec/types";
import { stackDemoWorkloads } from "../../../lab/workloads/demo";
import { labConfig } from "../../fixtures/platform";

/** Istio's istiod chart default for global.proxy.resources (manifests/charts/istio-control/istio-discovery/values.yaml). */
const ISTIO_CHART_PROXY = { requestsCpu: "100m", requestsMemory: "128Mi", limitsCpu: "2000m", limitsMemory: "1024Mi" };

function lab(overrides: Partial<PlatformConfig> = {}) {
  return validatePlatformConfig({ ...labConfig(), ...overrides });
}

describe("tenant capacity: quota vs workloads, sidecars and a surge pod", () => {
  it("the lab stack's real demo workloads fit every tenant's default quota with the platform's proxy resources", () => {
    const spec = lab();
    assert.deepEqual(tenantCapacityProblems(spec, stackDemoWorkloads(spec)), []);
  });

  it("with Istio's chart-default sidecars (2000m CPU limit each) the lab's rolling update would be refused: the quota field and the numbers are named", () => {
    const spec = lab({ mesh: { proxyResources: ISTIO_CHART_PROXY } });
    const problems = tenantCapacityProblems(spec, stackDemoWorkloads(spec));
    assert.deepEqual(problems.map((p) => p.field), ["tenants[0].quota.limitsCpu", "tenants[1].quota.limitsCpu", "tenants[2].quota.limitsCpu"]);
    // echo 200m, client/debug/bypass 100m each, three of them meshed: 500m + 3 × 2000m = 6500m; surge: echo again, 2200m.
    assert.match(problems[0].message, /^8 does not admit .* they need 8700m \(6500m for 4 pods, 2200m for the largest pod again\)/);
    assert.match(problems[0].message, /mesh\.proxyResources 100m\/128Mi requests, 2000m\/1024Mi limits/);
    assert.equal(problems[0].fix, "raise quota.limitsCpu to at least 8700m, or lower mesh.proxyResources.limitsCpu");
  });

  it("counts replicas, the pod count and no sidecar for a pod that opts out of injection", () => {
    const spec = lab({ tenants: [{ name: "acme", quota: { pods: 2, limitsCpu: "1" } }, { name: "globex" }, { name: "initech" }] });
    const deployment = (name: string, replicas: number, inject: string) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: "tenant-acme" },
      spec: { replicas, template: { metadata: { labels: { "sidecar.istio.io/inject": inject } }, spec: { containers: [{ name, image: name, resources: { limits: { cpu: "100m", memory: "64Mi" } } }] } } },
    });
    const problems = tenantCapacityProblems(spec, [deployment("plain", 3, "false")]);
    assert.deepEqual(problems.map((p) => [p.field, p.fix]), [["tenants[0].quota.pods", "raise pods to at least 4"]]);
    // 3 × (100m + 200m sidecar) + 300m surge = 1200m > 1.
    const meshed = tenantCapacityProblems(spec, [deployment("meshed", 1, "true"), deployment("other", 2, "true")]);
    assert.deepEqual(meshed.map((p) => p.field), ["tenants[0].quota.pods", "tenants[0].quota.limitsCpu"]);
    assert.match(meshed[1].message, /need 1200m/);
  });

  it("gives containers without resources the LimitRange defaults, and a container with only a limit an equal request", () => {
    const spec = lab({ tenants: [{ name: "acme", quota: { requestsCpu: "1" } }, { name: "globex" }, { name: "initech" }], install: { calico: true, certManager: true, istio: false, ingressGateway: false } });
    const pod = (name: string, resources: Record<string, unknown>) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "tenant-acme" }, spec: { containers: [{ name, image: name, resources }] } });
    // defaults: defaultRequestCpu 100m; a limit-only container requests its limit (600m).
    const problems = tenantCapacityProblems(spec, [pod("a", {}), pod("b", { limits: { cpu: "600m" } })]);
    assert.deepEqual(problems.map((p) => p.field), ["tenants[0].quota.requestsCpu"]);
    assert.match(problems[0].message, /need 1300m \(700m for 2 pods, 600m for the largest pod again\)/);
  });

  it("checks nothing when quotas are switched off", () => {
    const spec = lab({ mesh: { proxyResources: ISTIO_CHART_PROXY }, layers: { quotas: false } });
    assert.deepEqual(tenantCapacityProblems(spec, stackDemoWorkloads(spec)), []);
  });
});
