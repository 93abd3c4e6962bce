import assert from "node:assert/strict";
import { DEFAULT_CLUSTER, DEFAULT_LAYERS, DEFAULT_LIMITS, DEFAULT_QUOTA, DEFAULT_SHARED_SERVICES } from "../../../components/spec/defaults";
import { checkPlatformConfig, ConfigError, formatProblem, validatePlatformConfig } from "../../../components/spec/validate";
import { syntheticConfig } from "../../fixtures/platform";
import { baseConfig, onlyFix, problemsOf, tenant } from "./support";

describe("platform configuration validation", () => {
  it("rejects a root that is not a map", () => {
    for (const raw of [undefined, null, "tenants", [], 3]) {
      assert.equal(problemsOf(raw).length, 1, String(raw));
      assert.match(problemsOf(raw)[0], /^\(root\): must be a map of configuration keys, got /);
    }
    assert.deepEqual(problemsOf(null), ["(root): must be a map of configuration keys, got null"]);
  });

  it("requires tenants", () => {
    const raw = baseConfig();
    delete raw.tenants;
    assert.deepEqual(problemsOf(raw), ["tenants: is required"]);
  });

  it("rejects an unknown top-level key with a did-you-mean suggestion", () => {
    const raw = baseConfig();
    raw.demoWorkload = true;
    assert.deepEqual(problemsOf(raw), ['demoWorkload: unknown key "demoWorkload"']);
    assert.equal(onlyFix(raw), 'did you mean "demoWorkloads"?');
  });

  it("lists the allowed keys when an unknown key resembles none of them", () => {
    const raw = baseConfig();
    raw.colour = "blue";
    assert.match(onlyFix(raw), /^remove it; allowed keys: cluster, layers, install, versions, meshNamespace, mesh, guardrails, ingressGateway, sharedServices, tenants, grants, demoWorkloads$/);
  });

  it("rejects demoWorkloads written as a string", () => {
    const raw = baseConfig();
    raw.demoWorkloads = "yes";
    assert.deepEqual(problemsOf(raw), ['demoWorkloads: must be true or false, got string "yes"']);
  });

  it("reports every problem of a config at once, across sections", () => {
    const raw = baseConfig(true);
    raw.layers = { authorisation: false };
    (raw.cluster as Record<string, unknown>).podCidr = "10.244.1.0/16";
    tenant(raw, 0).name = "Acme";
    tenant(raw, 1).quota = { pods: -1 };
    raw.versions = { istio: "^1.30.0" };
    assert.deepEqual(problemsOf(raw), [
      'cluster.podCidr: "10.244.1.0/16" has host bits set (its network address is 10.244.0.0/16)',
      'layers.authorisation: unknown key "authorisation"',
      'versions.istio: "^1.30.0" is a version range; pins must be exact',
      'tenants[0].name: "Acme" is not a DNS-1123 label',
      "tenants[1].quota.pods: must be a non-negative whole number, got number -1",
      'grants[0].to: "t0001" is not a configured tenant',
    ]);
    assert.equal(checkPlatformConfig(raw).spec, undefined);
  });

  it("throws a ConfigError whose message lists every problem with its fix", () => {
    const raw = baseConfig();
    raw.layers = { calico: "no" };
    raw.meshNamespace = "";
    let caught: unknown;
    try {
      validatePlatformConfig(raw);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(caught.problems.length, 2);
    assert.equal(
      caught.message,
      "Invalid hard-tenancy configuration (2 problems):\n" +
        '  - layers.calico: must be true or false, got string "no" — write true or false without quotes\n' +
        '  - meshNamespace: must not be empty — set a namespace, e.g. "istio-system"',
    );
  });

  it("says 1 problem, not 1 problems", () => {
    const raw = baseConfig();
    raw.demoWorkloads = 1;
    assert.throws(() => validatePlatformConfig(raw), (error: unknown) => error instanceof ConfigError && error.message.startsWith("Invalid hard-tenancy configuration (1 problem):\n  - demoWorkloads: "));
  });

  it("formats a problem as field, message and fix", () => {
    assert.equal(formatProblem({ field: "tenants[1].name", message: "is required", fix: "name the tenant" }), "tenants[1].name: is required — name the tenant");
  });

  it("fills every default for a minimal config", () => {
    const spec = validatePlatformConfig({ tenants: [{ name: "acme" }], cluster: { apiServerEndpoints: [{ cidr: "172.18.0.2/32", port: 6443 }] } });
    assert.deepEqual(spec.layers, DEFAULT_LAYERS);
    assert.equal(spec.layers.clusterNetworkPolicy, false);
    assert.equal(spec.meshNamespace, "istio-system");
    assert.equal(spec.demoWorkloads, false);
    assert.deepEqual(spec.grants, []);
    assert.deepEqual(spec.mesh.proxyResources, { requestsCpu: "10m", requestsMemory: "64Mi", limitsCpu: "200m", limitsMemory: "256Mi" });
    assert.equal(spec.guardrails.allowedTolerationKeys.length, 7);
    assert.deepEqual(spec.tenants[0], {
      name: "acme",
      apiServerAccess: false,
      namespace: "tenant-acme",
      adminGroups: [],
      sharedServices: ["log-collector"],
      ingress: { fromGateway: false, ports: [] },
      quota: DEFAULT_QUOTA,
      limits: DEFAULT_LIMITS,
      labels: {},
    });
  });

  it("returns a spec that shares no objects with the defaults or the input", () => {
    const raw = syntheticConfig(2);
    const spec = validatePlatformConfig(raw);
    spec.tenants[0].quota.pods = 999;
    spec.layers.calico = false;
    spec.cluster.dns.podLabels.extra = "x";
    spec.sharedServices.services[0].methods.push("GET");
    assert.notEqual(DEFAULT_QUOTA.pods, 999);
    assert.equal(DEFAULT_LAYERS.calico, true);
    assert.equal(DEFAULT_CLUSTER.dns.podLabels.hasOwnProperty("extra"), false);
    assert.deepEqual(DEFAULT_SHARED_SERVICES[0].methods, ["POST"]);
    assert.deepEqual(validatePlatformConfig(raw), validatePlatformConfig(syntheticConfig(2)));
  });

  it("validates synthetic configs of any size, with one grant between the first two tenants", () => {
    assert.equal(validatePlatformConfig(syntheticConfig(1)).grants.length, 0);
    const spec = validatePlatformConfig(syntheticConfig(250));
    assert.equal(spec.tenants.length, 250);
    assert.equal(new Set(spec.tenants.map((t) => t.namespace)).size, 250);
    assert.deepEqual(spec.grants.map((g) => [g.from, g.to]), [["t0002", "t0001"]]);
    assert.equal(spec.demoWorkloads, true);
  });
});
