import { strict as assert } from "node:assert";
import { lstatSync, mkdtempSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { containerRoot } from "../../../../lab/local/dataplane/kubelet";

describe("the local node's container working directory", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "ht-root-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lays out each mount path as a link to the volume's host directory, so ./etc/... resolves as in the image", () => {
    const root = containerRoot(dir, { container: "discovery", argv: ["x"], env: {}, uid: 0, gid: 0, addCapabilities: [], volumes: [{ kind: "configMap", name: "istio", hostDir: join(dir, "volumes", "config-volume"), mountPath: "/etc/istio/config" }] });
    assert.equal(root, join(dir, "root", "discovery"));
    assert.ok(lstatSync(join(root, "etc/istio/config")).isSymbolicLink());
    assert.equal(readlinkSync(join(root, "etc/istio/config")), join(dir, "volumes", "config-volume"));
  });

  it("gives the container's user its working directory and the directories above its mounts, so it can write its own files", function () {
    if (process.getuid?.() !== 0) this.skip();
    const root = containerRoot(dir, { container: "discovery", argv: ["x"], env: {}, uid: 1337, gid: 1337, addCapabilities: [], volumes: [{ kind: "secret", name: "k", hostDir: join(dir, "volumes", "k"), mountPath: "/var/run/secrets/k" }] });
    for (const path of [root, join(root, "var"), join(root, "var/run/secrets")]) assert.equal(statSync(path).uid, 1337, path);
  });
});
