import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPins, parsePins, versionLdflags, wrapperRequirements } from "../../../lab/tools/pins";

const REPO = join(__dirname, "..", "..", "..");

describe("tool pins (lab/tools/pins.yaml)", () => {
  const pins = loadPins(REPO);

  it("pins etcd, kube-apiserver, kube-controller-manager and kubectl, each once", () => {
    const names = pins.modules.flatMap((m) => m.binaries.map((b) => b.name)).sort();
    assert.deepEqual(names, ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl"]);
  });

  it("keeps every wrapper go.mod in step with its pin: the module at the pinned version", () => {
    for (const module of pins.modules) {
      const goMod = readFileSync(join(REPO, module.wrapper, "go.mod"), "utf8");
      const { requires } = wrapperRequirements(goMod);
      assert.equal(requires.get(module.module), module.version, `${module.wrapper}/go.mod requires ${module.module}`);
      for (const binary of module.binaries) assert.match(goMod, new RegExp(`\\b${binary.package.replace(/\./g, "\\.")}\\b`), `${binary.package} is a tool of ${module.wrapper}`);
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
});
