import assert from "node:assert/strict";
import { checkPlatformConfig } from "../../../components/spec/validate";
import { baseConfig, onlyFix, problemsOf, tenant, type Raw } from "./support";

function withTenant(index: number, patch: Raw, raw: Raw = baseConfig()): Raw {
  Object.assign(tenant(raw, index), patch);
  return raw;
}

describe("tenant configuration", () => {
  it("rejects a tenant name that is not a DNS-1123 label and suggests one that is", () => {
    const raw = withTenant(0, { name: "Acme_Corp" });
    assert.deepEqual(problemsOf(raw), ['tenants[0].name: "Acme_Corp" is not a DNS-1123 label']);
    assert.equal(onlyFix(raw), 'use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. "acme-corp"');
  });

  it("rejects a tenant without a name", () => {
    assert.deepEqual(problemsOf(withTenant(1, { name: undefined })), ["tenants[1].name: is required"]);
  });

  it("rejects a duplicate tenant name, pointing at the first use", () => {
    assert.deepEqual(problemsOf(withTenant(1, { name: "t0001" })), ['tenants[1].name: "t0001" is already used by tenants[0]']);
  });

  it("rejects a tenant name whose default namespace would exceed 63 characters", () => {
    assert.deepEqual(problemsOf(withTenant(0, { name: "a".repeat(57) })), [`tenants[0].name: the default namespace "tenant-${"a".repeat(57)}" would be longer than 63 characters`]);
  });

  it("rejects a namespace used by two tenants", () => {
    assert.deepEqual(problemsOf(withTenant(1, { namespace: "tenant-t0001" })), ['tenants[1].namespace: namespace "tenant-t0001" is already used by tenants[0]']);
  });

  it("rejects a tenant namespace that is a reserved system namespace", () => {
    for (const reserved of ["kube-system", "istio-system", "calico-system", "tigera-operator", "cert-manager", "default"]) {
      assert.deepEqual(problemsOf(withTenant(0, { namespace: reserved })), [`tenants[0].namespace: namespace "${reserved}" is a reserved system namespace`], reserved);
    }
  });

  it("rejects a tenant namespace with the kube- prefix Kubernetes reserves", () => {
    assert.deepEqual(problemsOf(withTenant(0, { namespace: "kube-tenant" })), ['tenants[0].namespace: namespace "kube-tenant" uses the "kube-" prefix Kubernetes reserves for system namespaces']);
  });

  it("rejects a tenant namespace that is the shared-services namespace", () => {
    assert.deepEqual(problemsOf(withTenant(0, { namespace: "shared-services" })), ['tenants[0].namespace: namespace "shared-services" is the shared-services namespace']);
  });

  it("rejects a tenant namespace that is the ingress-gateway namespace", () => {
    assert.deepEqual(problemsOf(withTenant(0, { namespace: "istio-ingress" })), ['tenants[0].namespace: namespace "istio-ingress" is the ingress-gateway namespace']);
  });

  it("rejects a tenant namespace that is a custom mesh root namespace", () => {
    const raw = withTenant(0, { namespace: "mesh-root" });
    raw.meshNamespace = "mesh-root";
    assert.deepEqual(problemsOf(raw), ['tenants[0].namespace: namespace "mesh-root" is the mesh (Istio root) namespace']);
  });

  it("reports a default namespace collision on the tenant name when no namespace was written", () => {
    const raw = baseConfig();
    raw.sharedServices = { namespace: "tenant-t0002" };
    assert.deepEqual(problemsOf(raw), ['tenants[1].name: namespace "tenant-t0002" is the shared-services namespace']);
  });

  it("rejects an unknown tenant key with a did-you-mean suggestion", () => {
    const raw = withTenant(0, { qouta: { pods: 5 } });
    assert.deepEqual(problemsOf(raw), ['tenants[0].qouta: unknown key "qouta"']);
    assert.equal(onlyFix(raw), 'did you mean "quota"?');
  });

  it("rejects a quota that is not a Kubernetes quantity", () => {
    const raw = withTenant(0, { quota: { requestsCpu: "4 cores" } });
    assert.deepEqual(problemsOf(raw), ['tenants[0].quota.requestsCpu: "4 cores" is not a Kubernetes quantity']);
    assert.match(onlyFix(raw), /"500m", "8Gi" or "1e3"/);
  });

  it("rejects a negative quota quantity", () => {
    assert.deepEqual(problemsOf(withTenant(0, { quota: { limitsMemory: "-1Gi" } })), ['tenants[0].quota.limitsMemory: "-1Gi" is negative']);
  });

  it("rejects an object count that is not a non-negative whole number", () => {
    assert.deepEqual(problemsOf(withTenant(0, { quota: { pods: 2.5, secrets: -1, services: "20" } })), [
      "tenants[0].quota.pods: must be a non-negative whole number, got number 2.5",
      'tenants[0].quota.services: must be a non-negative whole number, got string "20"',
      "tenants[0].quota.secrets: must be a non-negative whole number, got number -1",
    ]);
  });

  it("validates the controller and ServiceAccount counts like every other object count", () => {
    assert.deepEqual(problemsOf(withTenant(0, { quota: { deployments: -1, statefulSets: 1.5, serviceAccounts: "5" } })), [
      "tenants[0].quota.deployments: must be a non-negative whole number, got number -1",
      "tenants[0].quota.statefulSets: must be a non-negative whole number, got number 1.5",
      'tenants[0].quota.serviceAccounts: must be a non-negative whole number, got string "5"',
    ]);
  });

  it("rejects fewer ReplicaSets than Deployments, since every Deployment runs through one", () => {
    const raw = withTenant(0, { quota: { deployments: 10, replicaSets: 5 } });
    assert.deepEqual(problemsOf(raw), ["tenants[0].quota.replicaSets: 5 is less than deployments 10: every Deployment needs at least one ReplicaSet (and keeps old ones for rollbacks)"]);
    assert.match(onlyFix(raw), /raise replicaSets to at least 10/);
  });

  it("rejects CronJobs without any Jobs, since every scheduled run creates one", () => {
    assert.deepEqual(problemsOf(withTenant(0, { quota: { cronJobs: 2, jobs: 0 } })), ["tenants[0].quota.jobs: is 0 but cronJobs is 2: every scheduled run creates a Job"]);
    assert.deepEqual(problemsOf(withTenant(0, { quota: { cronJobs: 0, jobs: 0, deployments: 0, replicaSets: 0 } })), []);
  });

  it("rejects a default CPU request above the default CPU limit, comparing quantities numerically", () => {
    assert.deepEqual(problemsOf(withTenant(0, { limits: { defaultRequestCpu: "1", defaultCpu: "500m" } })), ["tenants[0].limits.defaultRequestCpu: 1 is more than defaultCpu 500m"]);
  });

  it("rejects a default memory limit above the maximum even when the text sorts the other way", () => {
    assert.deepEqual(problemsOf(withTenant(0, { limits: { defaultMemory: "1Gi", maxMemory: "1000Mi" } })), ["tenants[0].limits.defaultMemory: 1Gi is more than maxMemory 1000Mi"]);
  });

  it("accepts equal limits written in different units", () => {
    assert.deepEqual(problemsOf(withTenant(0, { limits: { defaultRequestCpu: "0.5", defaultCpu: "500m", maxCpu: "0.5" } })), []);
  });

  it("rejects tenant labels that would override the platform's own labels", () => {
    const raw = withTenant(0, { labels: { "hard-tenancy.io/tenant": "t0002", "pod-security.kubernetes.io/enforce": "privileged", "istio-injection": "disabled", team: "blue" } });
    assert.deepEqual(problemsOf(raw), [
      'tenants[0].labels["hard-tenancy.io/tenant"]: label "hard-tenancy.io/tenant" is set by the platform (or Kubernetes/Istio) and may not be overridden',
      'tenants[0].labels["pod-security.kubernetes.io/enforce"]: label "pod-security.kubernetes.io/enforce" is set by the platform (or Kubernetes/Istio) and may not be overridden',
      'tenants[0].labels.istio-injection: label "istio-injection" is set by the platform (or Kubernetes/Istio) and may not be overridden',
    ]);
  });

  it("rejects tenant labels with an invalid key or value", () => {
    assert.deepEqual(problemsOf(withTenant(0, { labels: { "bad key": "x", team: "blue team" } })), [
      'tenants[0].labels["bad key"]: label key "bad key" is invalid: its name "bad key" must be 1–63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      'tenants[0].labels.team: label value "blue team" must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ]);
  });

  it("rejects empty and non-string admin groups", () => {
    assert.deepEqual(problemsOf(withTenant(0, { adminGroups: ["", 5] })), ["tenants[0].adminGroups[0]: must not be empty", "tenants[0].adminGroups[1]: must be a string, got number 5"]);
  });

  it("rejects a tenant shared service that is not configured, naming the configured ones", () => {
    const raw = withTenant(0, { sharedServices: ["log-colector"] });
    assert.deepEqual(problemsOf(raw), ['tenants[0].sharedServices[0]: "log-colector" is not a configured shared service']);
    assert.equal(onlyFix(raw), "use one of: log-collector");
  });

  it("rejects a tenant shared service while shared services are disabled", () => {
    const raw = withTenant(0, { sharedServices: ["log-collector"] });
    raw.sharedServices = { enabled: false };
    assert.deepEqual(problemsOf(raw), ['tenants[0].sharedServices[0]: shared services are disabled (sharedServices.enabled is false), so "log-collector" cannot be used']);
  });

  it("rejects gateway ingress when the ingress gateway is not installed", () => {
    const raw = withTenant(0, { ingress: { fromGateway: true, ports: [8080] } });
    assert.deepEqual(problemsOf(raw), ["tenants[0].ingress.fromGateway: needs the Istio ingress gateway, but install.ingressGateway is false"]);
    assert.equal(onlyFix(raw), "set install.ingressGateway: true, or remove ingress.fromGateway");
  });

  it("rejects gateway ingress without ports, and ports without gateway ingress", () => {
    const raw = withTenant(0, { ingress: { fromGateway: true, ports: [] } });
    withTenant(1, { ingress: { ports: [8080] } }, raw);
    raw.install = { ingressGateway: true };
    assert.deepEqual(problemsOf(raw), [
      "tenants[0].ingress.ports: is empty, so fromGateway opens nothing",
      "tenants[1].ingress.ports: lists ports but fromGateway is false, so nothing is opened",
    ]);
  });

  it("rejects a tenants value that is not a list", () => {
    const raw = baseConfig();
    raw.tenants = "acme";
    assert.deepEqual(problemsOf(raw), ['tenants: must be a list, got string "acme"']);
  });

  it("rejects an empty tenant list", () => {
    const raw = baseConfig();
    raw.tenants = [];
    assert.deepEqual(problemsOf(raw), ["tenants: must list at least one tenant"]);
  });

  it("defaults the namespace to tenant-<name> and keeps a configured one", () => {
    const spec = checkPlatformConfig(withTenant(1, { namespace: "globex-prod" })).spec;
    assert.deepEqual(spec?.tenants.map((t) => t.namespace), ["tenant-t0001", "globex-prod"]);
  });

  it("merges quota and limits per field over the defaults", () => {
    const spec = checkPlatformConfig(withTenant(0, { quota: { pods: 7, requestsCpu: 3 }, limits: { maxMemory: "2Gi" } })).spec;
    assert.ok(spec);
    const [custom, plain] = spec.tenants;
    assert.equal(custom.quota.pods, 7);
    assert.equal(custom.quota.requestsCpu, "3");
    assert.equal(custom.quota.requestsMemory, plain.quota.requestsMemory);
    assert.equal(custom.limits.maxMemory, "2Gi");
    assert.equal(custom.limits.maxCpu, plain.limits.maxCpu);
    assert.notEqual(plain.quota.pods, 7);
  });

  it("defaults each tenant's shared services to every configured service, or none when disabled", () => {
    const raw = baseConfig();
    const full = { serviceAccount: "sa", port: 8080, methods: ["POST"] };
    raw.sharedServices = { services: [{ name: "log-collector", pathPrefix: "/logs/ingest", ...full }, { name: "metrics", pathPrefix: "/metrics", ...full }] };
    assert.deepEqual(checkPlatformConfig(raw).spec?.tenants[0].sharedServices, ["log-collector", "metrics"]);
    raw.sharedServices = { enabled: false };
    assert.deepEqual(checkPlatformConfig(raw).spec?.tenants[0].sharedServices, []);
  });
});
