import assert from "node:assert/strict";
import { Platform } from "../../../components/pulumi/Platform";
import { HELM_RELEASE_TIMEOUT_SECONDS } from "../../../components/pulumi/release";
import { ConfigError, validatePlatformConfig } from "../../../components/spec";
import type { LayerSwitches, PlatformConfig, PlatformSpec } from "../../../components/spec/types";
import { buildDemoWorkloads } from "../../../lab/workloads/demo";
import { labConfig, syntheticConfig } from "../../fixtures/platform";
import { Graph, recordGraph, settled, type Registration } from "./mock-graph";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const TENANT = "hard-tenancy:tenancy:Tenant";

async function deploy(config: PlatformConfig, withWorkloads = false): Promise<{ graph: Graph; spec: PlatformSpec }> {
  const registrations = recordGraph();
  const spec = validatePlatformConfig(config);
  new Platform("lab", { spec, workloads: withWorkloads ? buildDemoWorkloads(spec) : [] });
  await settled();
  return { graph: new Graph(registrations), spec };
}

function objectName(r: Registration): string {
  return r.name.slice(r.name.indexOf("/") + 1);
}

describe("Platform (Pulumi mocks, lab stack: 3 tenants)", function () {
  let graph: Graph;
  let spec: PlatformSpec;
  before(async () => ({ graph, spec } = await deploy(labConfig(), true)));

  it("registers one component of each kind and one Tenant per tenant, under the Platform", () => {
    const platform = graph.byName("hard-tenancy:platform:Platform", "lab");
    assert.equal(platform.parent, "");
    for (const type of ["hard-tenancy:network:Calico", "hard-tenancy:pki:MeshCertificateAuthority", "hard-tenancy:mesh:IstioMesh", "hard-tenancy:tenancy:SharedServices"]) {
      assert.deepEqual(graph.ofType(type).map((r) => r.parent), [platform.urn], type);
    }
    assert.deepEqual(graph.ofType(TENANT).map((r) => r.name).sort(), ["lab-tenant-acme", "lab-tenant-globex", "lab-tenant-initech"]);
  });

  it("gives every resource except the Platform a registered parent", () => {
    const orphans = graph.registrations.filter((r) => r.type !== "hard-tenancy:platform:Platform" && !graph.byUrn(r.parent));
    assert.deepEqual(orphans.map((r) => r.urn), []);
  });

  it("passes the one explicit Kubernetes provider to every Kubernetes resource and remote component", () => {
    const [provider] = graph.ofType("pulumi:providers:kubernetes");
    const ref = `${provider.urn}::${provider.name}-id`;
    const custom = graph.registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    assert.ok(custom.length > 50);
    assert.deepEqual(custom.filter((r) => r.provider !== ref).map((r) => r.urn), []);
    for (const remote of graph.registrations.filter((r) => r.remote)) assert.equal(remote.providers.kubernetes, ref, remote.urn);
  });

  it("creates each tenant's namespace before anything else, and the default-deny NetworkPolicy right after it", () => {
    for (const tenant of graph.ofType(TENANT)) {
      const children = graph.childrenOf(tenant);
      const namespace = children.find((r) => r.type === "kubernetes:core/v1:Namespace") as Registration;
      assert.deepEqual(namespace.dependencies, []);
      const defaultDeny = children.find((r) => r.type.endsWith(":NetworkPolicy") && objectName(r) === "default-deny");
      assert.ok(defaultDeny, `${tenant.name} has a default-deny NetworkPolicy`);
      assert.deepEqual(defaultDeny.dependencies, [namespace.urn]);
      for (const r of children.filter((c) => c !== namespace)) assert.ok(graph.dependsOn(r, namespace), `${r.name} waits for the namespace`);
    }
  });

  it("creates everything in a tenant except the namespace and its default-deny set only after that set", () => {
    for (const tenant of graph.ofType(TENANT)) {
      const children = graph.childrenOf(tenant);
      const namespace = children.find((r) => r.type === "kubernetes:core/v1:Namespace") as Registration;
      const denySet = children.filter((r) => r !== namespace && r.dependencies.includes(namespace.urn) && !children.some((o) => o !== namespace && r.dependencies.includes(o.urn)));
      assert.ok(denySet.some((r) => r.type.endsWith(":NetworkPolicy")), "the first wave holds the default-deny NetworkPolicy");
      assert.ok(denySet.every((r) => /:(NetworkPolicy|PeerAuthentication|AuthorizationPolicy)$/.test(r.type)), "the first wave only removes access");
      const later = children.filter((r) => r !== namespace && !denySet.includes(r));
      assert.ok(later.length > 5);
      for (const r of later) for (const deny of denySet) assert.ok(graph.dependsOn(r, deny), `${r.name} waits for ${deny.name}`);
    }
  });

  it("starts tenant workloads only after istiod, the tenant's policies and the cluster-wide deny", () => {
    const istiod = graph.byName(RELEASE, "lab-istio-istiod");
    const clusterDeny = graph.kind("GlobalNetworkPolicy");
    assert.equal(clusterDeny.length, spec.tenants.length);
    for (const tenant of graph.ofType(TENANT)) {
      const children = graph.childrenOf(tenant);
      const deployments = children.filter((r) => r.type.endsWith(":Deployment"));
      assert.ok(deployments.length >= 3, `${tenant.name} runs the demo workloads`);
      const policies = children.filter((r) => /:(NetworkPolicy|AuthorizationPolicy|PeerAuthentication|Sidecar)$/.test(r.type));
      for (const d of deployments) {
        assert.ok(graph.dependsOn(d, istiod), `${d.name} waits for istiod`);
        for (const p of [...policies, ...clusterDeny]) assert.ok(graph.dependsOn(d, p), `${d.name} waits for ${p.name}`);
      }
    }
  });

  it("installs the Calico CRD chart before the operator, and serves projectcalico.org/v3 before any cluster policy", () => {
    const crds = graph.byName("kubernetes:helm.sh/v4:Chart", "lab-calico-crds");
    const operator = graph.byName(RELEASE, "lab-calico-tigera-operator");
    const apiServer = graph.kind("APIServer")[0];
    assert.ok(graph.dependsOn(operator, crds));
    assert.ok(graph.dependsOn(apiServer, operator));
    for (const policy of [...graph.kind("GlobalNetworkPolicy"), ...graph.kind("Tier")]) assert.ok(graph.dependsOn(policy, apiServer), policy.name);
  });

  it("creates every Calico GlobalNetworkPolicy after the Tier it names (the Calico API server answers NotFound before)", () => {
    const [tier] = graph.kind("Tier");
    const policies = graph.kind("GlobalNetworkPolicy");
    assert.ok(policies.length >= 3);
    for (const policy of policies) {
      assert.equal((policy.inputs.spec as { tier: string }).tier, (tier.inputs.metadata as { name: string }).name);
      assert.ok(graph.dependsOn(policy, tier), `${policy.name} waits for its tier`);
    }
  });

  it("sets the Calico IP pool to the pod CIDR", () => {
    const installation = graph.kind("Installation")[0];
    const network = (installation.inputs.spec as { calicoNetwork: { ipPools: { cidr: string }[] } }).calicoNetwork;
    assert.equal(network.ipPools[0].cidr, spec.cluster.podCidr);
  });

  it("starts istiod after Calico is serving and the plug-in CA secret is issued", () => {
    const istiod = graph.byName(RELEASE, "lab-istio-istiod");
    const intermediate = graph.byName("kubernetes:cert-manager.io/v1:Certificate", `${spec.meshNamespace}/istio-plugin-ca`);
    assert.equal((intermediate.inputs.spec as { secretName: string }).secretName, "cacerts");
    for (const dep of [graph.kind("APIServer")[0], intermediate, graph.byName(RELEASE, "lab-istio-base"), graph.byName(RELEASE, "lab-istio-cni")]) {
      assert.ok(graph.dependsOn(istiod, dep), dep.name);
    }
  });

  it("installs cert-manager and the istio-cni node agent only once Calico serves the pod network", () => {
    const apiServer = graph.kind("APIServer")[0];
    const certManager = graph.ofType("kubernetes-cert-manager:index:CertManager")[0];
    assert.ok(graph.dependsOn(certManager, apiServer));
    assert.ok(graph.dependsOn(graph.byName(RELEASE, "lab-istio-cni"), apiServer));
  });

  it("installs cert-manager from the configured chart, with its CRDs switched on by `crds.enabled`", () => {
    const certManager = graph.ofType("kubernetes-cert-manager:index:CertManager")[0];
    const helm = certManager.inputs.helmOptions as Record<string, unknown>;
    assert.equal(helm.version, spec.versions.certManager);
    assert.deepEqual(helm.repositoryOpts, { repo: spec.versions.repos.certManager });
    assert.equal(helm.namespace, "cert-manager");
    assert.deepEqual((helm.values as { crds: unknown }).crds, { enabled: true, keep: true });
    assert.equal("installCRDs" in certManager.inputs, false);
  });

  it("gives every Helm release the first-run timeout and lets Helm wait for its rollout", () => {
    const certManager = graph.ofType("kubernetes-cert-manager:index:CertManager")[0];
    const releases = [...graph.ofType(RELEASE).map((r) => r.inputs), certManager.inputs.helmOptions as Record<string, unknown>];
    assert.equal(releases.length, 5);
    for (const release of releases) {
      assert.equal(release.timeout, HELM_RELEASE_TIMEOUT_SECONDS, String(release.name));
      assert.notEqual(release.skipAwait, true, String(release.name));
    }
  });

  it("issues the CA chain in order in the mesh namespace, each step after cert-manager and its webhook, with no ClusterIssuer", () => {
    const certManager = graph.ofType("kubernetes-cert-manager:index:CertManager")[0];
    const selfSigned = graph.byName("kubernetes:cert-manager.io/v1:Issuer", `${spec.meshNamespace}/hard-tenancy-selfsigned`);
    const root = graph.byName("kubernetes:cert-manager.io/v1:Certificate", `${spec.meshNamespace}/hard-tenancy-mesh-root`);
    const rootIssuer = graph.byName("kubernetes:cert-manager.io/v1:Issuer", `${spec.meshNamespace}/hard-tenancy-mesh-root`);
    const intermediate = graph.byName("kubernetes:cert-manager.io/v1:Certificate", `${spec.meshNamespace}/istio-plugin-ca`);
    const meshNamespace = graph.byName("kubernetes:core/v1:Namespace", spec.meshNamespace);
    for (const r of [selfSigned, root, rootIssuer, intermediate]) {
      assert.ok(graph.dependsOn(r, certManager), r.name);
      assert.ok(graph.dependsOn(r, meshNamespace), r.name);
    }
    assert.deepEqual(graph.kind("ClusterIssuer").map((r) => r.name), []);
    assert.ok(graph.dependsOn(root, selfSigned));
    assert.ok(graph.dependsOn(rootIssuer, root));
    assert.ok(graph.dependsOn(intermediate, rootIssuer));
    assert.ok(graph.dependsOn(intermediate, meshNamespace));
  });

  it("applies every Istio object only after the Istio CRDs and istiod exist", () => {
    const base = graph.byName(RELEASE, "lab-istio-base");
    const istiod = graph.byName(RELEASE, "lab-istio-istiod");
    const istioObjects = graph.registrations.filter((r) => /^kubernetes:[a-z]+\.istio\.io\//.test(r.type));
    assert.ok(istioObjects.length > 10);
    for (const r of istioObjects) {
      assert.ok(graph.dependsOn(r, base), `${r.name} waits for the Istio CRDs`);
      assert.ok(graph.dependsOn(r, istiod), `${r.name} waits for istiod`);
    }
  });

  it("labels the mesh namespace privileged for the istio-cni node agent", () => {
    const namespace = graph.byName("kubernetes:core/v1:Namespace", spec.meshNamespace);
    const labels = (namespace.inputs.metadata as { labels: Record<string, string> }).labels;
    assert.equal(labels["pod-security.kubernetes.io/enforce"], "privileged");
  });

  it("pins every chart to the configured version", () => {
    const versionOf = (r: Registration) => r.inputs.version;
    assert.equal(versionOf(graph.byName(RELEASE, "lab-calico-tigera-operator")), spec.versions.calico);
    assert.equal(versionOf(graph.byName("kubernetes:helm.sh/v4:Chart", "lab-calico-crds")), spec.versions.calico);
    for (const name of ["lab-istio-base", "lab-istio-cni", "lab-istio-istiod"]) {
      assert.equal(versionOf(graph.byName(RELEASE, name)), spec.versions.istio, name);
      assert.deepEqual(graph.byName(RELEASE, name).inputs.repositoryOpts, { repo: spec.versions.repos.istio }, name);
    }
  });
});

describe("Platform tenant RBAC ordering (Pulumi mocks, every layer on)", function () {
  it("tenant admins get their Role only after every layer of their namespace exists", async () => {
    const { graph, spec } = await deploy(syntheticConfig(2, { layers: { clusterNetworkPolicy: true } }));
    const istiod = graph.byName(RELEASE, "lab-istio-istiod");
    const clusterLayers = [...graph.kind("GlobalNetworkPolicy"), ...graph.kind("ClusterNetworkPolicy")];
    const meshWide = graph.registrations.filter((r) => /^kubernetes:[a-z]+\.istio\.io\//.test(r.type) && r.name.startsWith(`${spec.meshNamespace}/`));
    assert.ok(graph.kind("GlobalNetworkPolicy").length >= spec.tenants.length, "the Calico cross-tenant deny");
    assert.ok(graph.kind("ClusterNetworkPolicy").length >= spec.tenants.length, "the ClusterNetworkPolicy cross-tenant deny");
    assert.ok(meshWide.some((r) => r.type.endsWith(":PeerAuthentication")), "the mesh-wide STRICT PeerAuthentication");
    for (const tenant of graph.ofType(TENANT)) {
      const children = graph.childrenOf(tenant);
      const grants = children.filter((r) => /:(Role|RoleBinding)$/.test(r.type));
      assert.deepEqual(grants.map((r) => r.type.slice(r.type.lastIndexOf(":") + 1)).sort(), ["Role", "RoleBinding"], tenant.name);
      const ownLayers = children.filter((r) => !grants.includes(r));
      assert.ok(ownLayers.some((r) => r.type.endsWith(":ResourceQuota")) && ownLayers.some((r) => r.type.endsWith(":NetworkPolicy")), tenant.name);
      for (const grant of grants) {
        for (const layer of [...ownLayers, ...clusterLayers, ...meshWide, istiod]) {
          assert.ok(graph.dependsOn(grant, layer), `${tenant.name}: ${grant.name} waits for ${layer.type} ${layer.name}`);
        }
      }
    }
  });
});

describe("Platform admission guardrails (Pulumi mocks)", function () {
  const ADMISSION = "kubernetes:admissionregistration.k8s.io/v1";

  it("admits the tenant guardrail policies and their bindings before any tenant RBAC or workload, without waiting for Calico", async () => {
    const { graph } = await deploy(labConfig(), true);
    const policies = graph.ofType(`${ADMISSION}:ValidatingAdmissionPolicy`);
    const bindings = graph.ofType(`${ADMISSION}:ValidatingAdmissionPolicyBinding`);
    assert.equal(policies.length, 5, "one policy per schema group");
    assert.equal(bindings.length, policies.length);
    for (const binding of bindings) for (const policy of policies) assert.ok(graph.dependsOn(binding, policy), "a binding only ever names an existing policy");
    const apiServer = graph.kind("APIServer")[0];
    for (const r of [...policies, ...bindings]) assert.equal(graph.dependsOn(r, apiServer), false, `${r.name} needs only the Kubernetes API server`);
    for (const tenant of graph.ofType(TENANT)) {
      const gated = graph.childrenOf(tenant).filter((r) => /:(Role|RoleBinding|Deployment)$/.test(r.type));
      assert.ok(gated.some((r) => r.type.endsWith(":RoleBinding")) && gated.some((r) => r.type.endsWith(":Deployment")), tenant.name);
      for (const r of gated) {
        for (const guardrail of [...policies, ...bindings]) assert.ok(graph.dependsOn(r, guardrail), `${r.name} waits for ${guardrail.type}`);
      }
    }
  });
});

describe("Platform layer and install switches (Pulumi mocks)", function () {
  const LAYER_KINDS: Partial<Record<keyof LayerSwitches, string[]>> = {
    networkPolicy: ["NetworkPolicy"],
    calico: ["GlobalNetworkPolicy"],
    peerAuthentication: ["PeerAuthentication"],
    authorization: ["AuthorizationPolicy"],
    sidecarScoping: ["Sidecar"],
    quotas: ["ResourceQuota", "LimitRange"],
    tenantRbac: ["Role", "RoleBinding"],
    admissionGuardrails: ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    accessLogging: ["Telemetry"],
  };

  it("registers every layer's kinds when all layers are on (the control for the test below)", async () => {
    const { graph } = await deploy(syntheticConfig(2, { layers: { clusterNetworkPolicy: true } }));
    for (const kind of [...Object.values(LAYER_KINDS).flat(), "ClusterNetworkPolicy"]) assert.ok(graph.kind(kind).length > 0, kind);
  });

  it("a switched-off layer registers no object of that layer, with every layer off at once", async () => {
    const allOff = Object.fromEntries([...Object.keys(LAYER_KINDS), "clusterNetworkPolicy"].map((layer) => [layer, false]));
    const { graph } = await deploy(syntheticConfig(2, { layers: allOff }));
    for (const [layer, kinds] of Object.entries(LAYER_KINDS)) {
      for (const kind of kinds) assert.deepEqual(graph.kind(kind).map((r) => r.name), [], `${kind} with ${layer} off`);
    }
    assert.equal(graph.kind("ClusterNetworkPolicy").length, 0);
    assert.equal(graph.ofType(TENANT).length, 2, "tenants still get their namespaces");
  });

  it("the clusterNetworkPolicy layer is off by default", async () => {
    const { graph } = await deploy(syntheticConfig(1));
    assert.equal(graph.kind("ClusterNetworkPolicy").length, 0);
  });

  it("installs nothing of Calico, cert-manager or Istio when the stack brings its own", async () => {
    const { graph } = await deploy(syntheticConfig(2, { install: { calico: false, certManager: false, istio: false } }));
    for (const type of ["hard-tenancy:network:Calico", "hard-tenancy:pki:MeshCertificateAuthority", "hard-tenancy:mesh:IstioMesh", RELEASE, "kubernetes:helm.sh/v4:Chart", "kubernetes-cert-manager:index:CertManager"]) {
      assert.deepEqual(graph.ofType(type).map((r) => r.name), [], type);
    }
    assert.equal(graph.kind("Certificate").length, 0);
    // Policies still go in (the cluster's own Calico/Istio enforce them), with no readiness edges to wait for.
    assert.equal(graph.kind("GlobalNetworkPolicy").length, 2);
  });

  it("installs the ingress gateway, in its own namespace after istiod, only when asked", async () => {
    const without = await deploy(syntheticConfig(1));
    assert.equal(without.graph.ofType(RELEASE).filter((r) => r.name.endsWith("-gateway")).length, 0);
    const { graph, spec } = await deploy(syntheticConfig(1, { install: { ingressGateway: true } }));
    const gateway = graph.byName(RELEASE, "lab-istio-gateway");
    assert.equal(gateway.inputs.namespace, spec.ingressGateway.namespace);
    assert.ok(graph.dependsOn(gateway, graph.byName(RELEASE, "lab-istio-istiod")));
    assert.ok(graph.dependsOn(gateway, graph.byName("kubernetes:core/v1:Namespace", spec.ingressGateway.namespace)));
  });

  it("gives the ingress gateway's Service the configured type: LoadBalancer by default, ClusterIP when the config says so", async () => {
    const serviceTypeOf = async (config: PlatformConfig) => {
      const { graph } = await deploy(config);
      return (graph.byName(RELEASE, "lab-istio-gateway").inputs.values as { service: { type: string } }).service.type;
    };
    assert.equal(await serviceTypeOf(syntheticConfig(1, { install: { ingressGateway: true } })), "LoadBalancer");
    assert.equal(await serviceTypeOf(syntheticConfig(1, { install: { ingressGateway: true }, ingressGateway: { serviceType: "ClusterIP" } })), "ClusterIP");
  });
});

describe("Platform input checks (Pulumi mocks)", function () {
  it("bad config throws ConfigError and registers no resource at all", async () => {
    const registrations = recordGraph();
    const bad = { ...syntheticConfig(2), tenants: [{ name: "Not_A_Label" }, { name: "dup" }, { name: "dup" }] } as PlatformConfig;
    assert.throws(() => new Platform("bad", { config: bad }), (e: unknown) => e instanceof ConfigError && e.problems.length >= 2);
    await settled();
    assert.deepEqual(registrations, []);
  });

  it("a workload outside every tenant and shared namespace is rejected before any resource exists", async () => {
    const registrations = recordGraph();
    const stray = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "kube-system" } };
    assert.throws(() => new Platform("stray", { config: syntheticConfig(1), workloads: [stray] }), /Deployment\/kube-system\/x not in a tenant/);
    await settled();
    assert.deepEqual(registrations, []);
  });

  it("a spec and a config together are refused", () => {
    const config = syntheticConfig(1);
    const args = { config, spec: validatePlatformConfig(config) } as unknown as ConstructorParameters<typeof Platform>[1];
    assert.throws(() => new Platform("both", args), /either `config`.*or `spec`/);
  });
});

describe("Platform at 20 tenants (Pulumi mocks)", function () {
  it("registers one Tenant per tenant, each with the same number of resources", async () => {
    const { graph } = await deploy(syntheticConfig(20));
    const tenants = graph.ofType(TENANT);
    assert.equal(tenants.length, 20);
    // t0001 and t0002 carry the grant's extra policies; every other tenant is identical in shape.
    const sizes = new Set(tenants.filter((t) => !/t000[12]$/.test(t.name)).map((t) => graph.descendantsOf(t).length));
    assert.equal(sizes.size, 1, `per-tenant resource counts: ${[...sizes].join(", ")}`);
  });
});

describe("Platform without Helm releases (helmReleases: false, the local lab's cluster with CRDs but no chart repository)", function () {
  let graph: Graph;
  before(async () => {
    const registrations = recordGraph();
    const spec = validatePlatformConfig(labConfig());
    new Platform("lab", { spec, workloads: buildDemoWorkloads(spec), helmReleases: false });
    await settled();
    graph = new Graph(registrations);
  });

  it("registers no Helm release, no Calico and no Istio component", () => {
    assert.deepEqual(graph.registrations.filter((r) => r.type.startsWith("kubernetes:helm.sh/") || r.remote).map((r) => r.urn), []);
    assert.deepEqual(graph.ofType("hard-tenancy:network:Calico"), []);
    assert.deepEqual(graph.ofType("hard-tenancy:mesh:IstioMesh"), []);
  });

  it("still registers the mesh CA's issuers and certificates, in the mesh namespace and in chain order", () => {
    const [ca] = graph.ofType("hard-tenancy:pki:MeshCertificateAuthority");
    const children = graph.childrenOf(ca);
    const named = (kind: string, name: string) => children.find((r) => r.type.endsWith(`:${kind}`) && objectName(r) === name) as Registration;
    const meshNamespace = graph.kind("Namespace").find((r) => r.name === "istio-system") as Registration;
    const selfSigned = named("Issuer", "hard-tenancy-selfsigned");
    const root = named("Certificate", "hard-tenancy-mesh-root");
    const rootIssuer = named("Issuer", "hard-tenancy-mesh-root");
    const intermediate = named("Certificate", "istio-plugin-ca");
    assert.deepEqual(selfSigned.dependencies, [meshNamespace.urn]);
    assert.deepEqual(root.dependencies, [meshNamespace.urn, selfSigned.urn]);
    assert.deepEqual(rootIssuer.dependencies, [meshNamespace.urn, root.urn]);
    assert.deepEqual(intermediate.dependencies, [meshNamespace.urn, rootIssuer.urn]);
  });

  it("still registers every tenant, the shared services and the demo workloads", () => {
    assert.deepEqual(graph.ofType(TENANT).map((r) => r.name).sort(), ["lab-tenant-acme", "lab-tenant-globex", "lab-tenant-initech"]);
    assert.equal(graph.ofType("hard-tenancy:tenancy:SharedServices").length, 1);
    assert.ok(graph.kind("Deployment").length >= 4);
  });
});
