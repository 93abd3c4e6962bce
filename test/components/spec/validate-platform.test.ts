import assert from "node:assert/strict";
import { DEFAULT_VERSIONS } from "../../../components/spec/defaults";
import { checkPlatformConfig } from "../../../components/spec/validate";
import { baseConfig, onlyFix, problemsOf, type Raw } from "./support";

function withField(key: string, value: unknown): Raw {
  const raw = baseConfig();
  raw[key] = value;
  return raw;
}

describe("layers, install, versions, mesh, gateway and shared services", () => {
  it("rejects a misspelt layer switch instead of silently leaving the layer on its default", () => {
    const raw = withField("layers", { authorisation: false });
    assert.deepEqual(problemsOf(raw), ['layers.authorisation: unknown key "authorisation"']);
    assert.equal(onlyFix(raw), 'did you mean "authorization"?');
  });

  it("rejects a layer switch written as a string", () => {
    const raw = withField("layers", { calico: "false" });
    assert.deepEqual(problemsOf(raw), ['layers.calico: must be true or false, got string "false"']);
    assert.equal(onlyFix(raw), "write true or false without quotes");
  });

  it("rejects an install switch that is not a boolean", () => {
    assert.deepEqual(problemsOf(withField("install", { istio: 1 })), ["install.istio: must be true or false, got number 1"]);
  });

  it("allows authorization on with peer authentication off, for ablation demos", () => {
    const spec = checkPlatformConfig(withField("layers", { peerAuthentication: false, authorization: true })).spec;
    assert.equal(spec?.layers.peerAuthentication, false);
    assert.equal(spec?.layers.authorization, true);
    assert.equal(spec?.layers.calico, true);
  });

  it("rejects an empty version pin", () => {
    assert.deepEqual(problemsOf(withField("versions", { istio: "" })), ["versions.istio: must not be empty"]);
  });

  it("rejects version ranges", () => {
    assert.deepEqual(problemsOf(withField("versions", { istio: "^1.30.0", calico: "v3.32.x", certManager: "~1.21" })), [
      'versions.calico: "v3.32.x" is a version range; pins must be exact',
      'versions.certManager: "~1.21" is a version range; pins must be exact',
      'versions.istio: "^1.30.0" is a version range; pins must be exact',
    ]);
  });

  it("rejects a version that is not MAJOR.MINOR.PATCH", () => {
    const raw = withField("versions", { istio: "latest" });
    assert.deepEqual(problemsOf(raw), ['versions.istio: "latest" is not an exact version (MAJOR.MINOR.PATCH)']);
    assert.equal(onlyFix(raw), `pin one exact version, e.g. "${DEFAULT_VERSIONS.istio}"`);
  });

  it("rejects a chart repository that is not an http(s) URL", () => {
    assert.deepEqual(problemsOf(withField("versions", { repos: { istio: "oci//charts" , calico: "ftp://mirror/calico" } })), [
      'versions.repos.calico: "ftp://mirror/calico" is not an http(s) URL',
      'versions.repos.istio: "oci//charts" is not an http(s) URL',
    ]);
  });

  it("rejects an unknown key under versions.repos", () => {
    assert.deepEqual(problemsOf(withField("versions", { repos: { certmanager: "https://charts.jetstack.io" } })), ['versions.repos.certmanager: unknown key "certmanager"']);
  });

  it("rejects a mesh namespace that is not a DNS-1123 label", () => {
    assert.deepEqual(problemsOf(withField("meshNamespace", "Istio_System")), ['meshNamespace: "Istio_System" is not a DNS-1123 label']);
  });

  it("rejects shared services in the mesh root namespace", () => {
    assert.deepEqual(problemsOf(withField("sharedServices", { namespace: "istio-system" })), [
      'sharedServices.namespace: "istio-system" is a reserved system namespace',
      'sharedServices.namespace: "istio-system" is the mesh (Istio root) namespace',
    ]);
  });

  it("rejects an unknown identity propagation mode", () => {
    assert.deepEqual(problemsOf(withField("sharedServices", { identityPropagation: "header" })), ['sharedServices.identityPropagation: must be "xfcc" or "lua", got "header"']);
  });

  it("rejects duplicate shared service names", () => {
    const services = [service("log-collector", "/logs/ingest"), service("log-collector", "/logs/other")];
    assert.deepEqual(problemsOf(withField("sharedServices", { services })), ['sharedServices.services[1].name: "log-collector" is already used by sharedServices.services[0]']);
  });

  it("rejects a shared service path prefix with a trailing slash or no leading slash", () => {
    const services = [service("a", "/logs/"), service("b", "logs")];
    const message = 'must start with "/", not end with "/", and contain no "*" or spaces';
    assert.deepEqual(problemsOf(withField("sharedServices", { services })), [
      `sharedServices.services[0].pathPrefix: "/logs/" ${message}`,
      `sharedServices.services[1].pathPrefix: "logs" ${message}`,
    ]);
  });

  it("requires every field of a listed shared service: no default nobody sees picks its identity, port, path or methods", () => {
    assert.deepEqual(problemsOf(withField("sharedServices", { services: [{ name: "metrics", pathPrefix: "/metrics" }] })), [
      "sharedServices.services[0].serviceAccount: is required for a listed shared service",
      "sharedServices.services[0].port: is required for a listed shared service",
      "sharedServices.services[0].methods: is required for a listed shared service",
    ]);
  });

  it("rejects a shared service without a name", () => {
    assert.deepEqual(problemsOf(withField("sharedServices", { services: [{ pathPrefix: "/x" }] })), ["sharedServices.services[0].name: is required"]);
  });

  it("rejects an ingress gateway with an empty pod selector", () => {
    assert.deepEqual(problemsOf(withField("ingressGateway", { podLabels: {} })), ["ingressGateway.podLabels: must not be empty (an empty selector selects every pod)"]);
  });

  it("defaults the ingress gateway Service to LoadBalancer, so a production gateway is reachable from outside", () => {
    assert.equal(checkPlatformConfig(baseConfig()).spec?.ingressGateway.serviceType, "LoadBalancer");
    for (const serviceType of ["ClusterIP", "NodePort", "LoadBalancer"]) {
      assert.equal(checkPlatformConfig(withField("ingressGateway", { serviceType })).spec?.ingressGateway.serviceType, serviceType);
    }
  });

  it("rejects an ingress gateway Service type Kubernetes does not offer, suggesting the right spelling", () => {
    const raw = withField("ingressGateway", { serviceType: "loadbalancer" });
    assert.deepEqual(problemsOf(raw), ['ingressGateway.serviceType: must be one of ClusterIP, NodePort, LoadBalancer, got "loadbalancer"']);
    assert.equal(onlyFix(raw), 'write "LoadBalancer" (Service types are case-sensitive)');
    assert.deepEqual(problemsOf(withField("ingressGateway", { serviceType: "ExternalName" })), ['ingressGateway.serviceType: must be one of ClusterIP, NodePort, LoadBalancer, got "ExternalName"']);
    assert.deepEqual(problemsOf(withField("ingressGateway", { serviceType: 1 })), ["ingressGateway.serviceType: must be one of ClusterIP, NodePort, LoadBalancer, got 1"]);
  });

  it("turns the tenant admission guardrails on by default, and lets them be switched off", () => {
    assert.equal(checkPlatformConfig(baseConfig()).spec?.layers.admissionGuardrails, true);
    assert.equal(checkPlatformConfig(withField("layers", { admissionGuardrails: false })).spec?.layers.admissionGuardrails, false);
    assert.deepEqual(problemsOf(withField("layers", { admissionGuardrail: false })), ['layers.admissionGuardrail: unknown key "admissionGuardrail"']);
  });

  it("rejects Pulumi secrets anywhere, since the configuration holds no secrets", () => {
    const raw = withField("layers", { secure: "v1:AAAA" });
    assert.deepEqual(problemsOf(raw), ["layers: is a Pulumi secret; hard-tenancy configuration holds no secrets"]);
    assert.equal(onlyFix(raw), "store it as plain config (pulumi config set --path without --secret)");
  });

  it("defaults shared services to the article's log collector", () => {
    const spec = checkPlatformConfig(baseConfig()).spec;
    assert.deepEqual(spec?.sharedServices, {
      enabled: true,
      namespace: "shared-services",
      identityPropagation: "xfcc",
      services: [{ name: "log-collector", serviceAccount: "log-collector", port: 8080, pathPrefix: "/logs/ingest", methods: ["POST"] }],
    });
  });
});

function service(name: string, pathPrefix: string) {
  return { name, serviceAccount: name, port: 8080, pathPrefix, methods: ["POST"] };
}
