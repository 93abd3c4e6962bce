import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { toolsCacheKey, toolsCacheRoot, TOOLS_CACHE_ENV } from "../../../lab/tools/cache";
import { loadPins, modulesOf } from "../../../lab/tools/pins";

const REPO = join(__dirname, "..", "..", "..");

describe("tools cache", () => {
  it("lives outside the repository: ~/.cache/hard-tenancy/tools by default, or where the environment says", () => {
    assert.equal(toolsCacheRoot(REPO, {}), join(homedir(), ".cache", "hard-tenancy", "tools"));
    assert.equal(toolsCacheRoot(REPO, { XDG_CACHE_HOME: "/var/cache/u" }), "/var/cache/u/hard-tenancy/tools");
    assert.equal(toolsCacheRoot(REPO, { [TOOLS_CACHE_ENV]: "/opt/ht-tools" }), "/opt/ht-tools");
  });

  it("refuses a cache inside the repository, naming the variable", () => {
    assert.throws(() => toolsCacheRoot(REPO, { [TOOLS_CACHE_ENV]: join(REPO, ".tools") }), new RegExp(`${TOOLS_CACHE_ENV}: .* is inside the repository`));
  });

  describe("key", () => {
    let copy: string;
    before(() => {
      copy = mkdtempSync(join(tmpdir(), "ht-pins-"));
      cpSync(join(REPO, "lab", "tools"), join(copy, "lab", "tools"), { recursive: true });
    });
    after(() => rmSync(copy, { recursive: true, force: true }));

    it("is stable for the same pins and Go, and changes with the Go version or any wrapper's go.sum", () => {
      const pins = loadPins(copy);
      const key = toolsCacheKey(copy, pins, "go1.26.8");
      assert.equal(toolsCacheKey(copy, pins, "go1.26.8"), key);
      assert.notEqual(toolsCacheKey(copy, pins, "go1.26.9"), key);
      writeFileSync(join(copy, pins.modules[0].wrapper, "go.sum"), "changed\n");
      assert.notEqual(toolsCacheKey(copy, pins, "go1.26.8"), key);
    });

    it("changes a group's key when a file of its wrapper changes, and leaves the other groups' keys alone", () => {
      const pins = loadPins(copy);
      const mesh = modulesOf(pins, "mesh")[0];
      const before = { core: toolsCacheKey(copy, pins, "go1.26.8"), mesh: toolsCacheKey(copy, pins, "go1.26.8", "mesh") };
      assert.notEqual(before.core, before.mesh);
      writeFileSync(join(copy, mesh.wrapper, mesh.sourceOverlay[0].file), "package changed\n");
      assert.notEqual(toolsCacheKey(copy, pins, "go1.26.8", "mesh"), before.mesh);
      assert.equal(toolsCacheKey(copy, pins, "go1.26.8"), before.core);
    });
  });
});
