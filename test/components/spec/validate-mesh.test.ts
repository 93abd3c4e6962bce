import { strict as assert } from "node:assert";
import { KUBERNETES_TOLERATION_KEYS } from "../../../components/spec/defaults";
import { baseConfig, problemsOf, tenant } from "./support";

describe("mesh and guardrails validation", () => {
  it("reads the sidecar's proxy resources as quantities, requests no more than limits", () => {
    const raw = baseConfig();
    raw.mesh = { proxyResources: { requestsCpu: "1", limitsCpu: "500m", limitsMemory: "lots" } };
    assert.deepEqual(problemsOf(raw), ['mesh.proxyResources.limitsMemory: "lots" is not a Kubernetes quantity']);
    raw.mesh = { proxyResources: { requestsCpu: "1", limitsCpu: "500m" } };
    assert.deepEqual(problemsOf(raw), ["mesh.proxyResources.requestsCpu: 1 is more than limitsCpu 500m"]);
    raw.mesh = { proxyResources: { cpu: "1" } };
    assert.deepEqual(problemsOf(raw), ['mesh.proxyResources.cpu: unknown key "cpu"']);
  });

  it("refuses a LimitRange max below the sidecar's limits, which would reject every meshed pod of the tenant", () => {
    const raw = baseConfig();
    tenant(raw, 1).limits = { maxCpu: "150m", defaultCpu: "100m", defaultRequestCpu: "50m" };
    assert.deepEqual(problemsOf(raw), [
      "tenants[1].limits.maxCpu: 150m is below the sidecar's limit 200m (mesh.proxyResources.limitsCpu): the LimitRange would reject every meshed pod, whose istio-proxy and istio-validation containers carry that limit",
    ]);
    raw.install = { istio: false };
    assert.deepEqual(problemsOf(raw), [], "no sidecars without Istio");
  });

  it("allows Kubernetes' own toleration keys by default and lets a cluster add its tenant node pools' keys", () => {
    const raw = baseConfig();
    raw.guardrails = { allowedTolerationKeys: [...KUBERNETES_TOLERATION_KEYS, "example.com/tenant-pool"] };
    assert.deepEqual(problemsOf(raw), []);
  });

  it("refuses the control-plane taint, invalid keys, duplicates, and a list without the keys Kubernetes adds to every pod", () => {
    const raw = baseConfig();
    raw.guardrails = { allowedTolerationKeys: ["node-role.kubernetes.io/control-plane", "bad key", "example.com/a", "example.com/a"] };
    assert.deepEqual(problemsOf(raw), [
      'guardrails.allowedTolerationKeys[0]: "node-role.kubernetes.io/control-plane" is the control-plane taint: tolerating it lets tenant pods onto control-plane nodes',
      'guardrails.allowedTolerationKeys[1]: "bad key" is not a taint key: its name "bad key" must be 1–63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      'guardrails.allowedTolerationKeys: lists "example.com/a" more than once',
      "guardrails.allowedTolerationKeys: lacks node.kubernetes.io/not-ready and node.kubernetes.io/unreachable, which Kubernetes' DefaultTolerationSeconds admission plugin adds to every pod: every tenant pod would be refused",
    ]);
  });

  it("takes a per-tenant apiServerAccess switch, off by default", () => {
    const raw = baseConfig();
    tenant(raw, 0).apiServerAccess = "yes";
    assert.deepEqual(problemsOf(raw), ['tenants[0].apiServerAccess: must be true or false, got string "yes"']);
  });
});
