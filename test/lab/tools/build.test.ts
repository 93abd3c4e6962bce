import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureTools, ToolsError } from "../../../lab/tools/build";

const REPO = join(__dirname, "..", "..", "..");

describe("npm run tools", () => {
  it("stops with how to get Go when `go` is not on PATH, building nothing", async () => {
    await assert.rejects(ensureTools({ repoRoot: REPO, env: { ...process.env, PATH: "/nonexistent" }, log: () => undefined }), (error: Error) => {
      assert.ok(error instanceof ToolsError);
      assert.match(error.message, /Go is not available .* install Go 1\.26 or newer/);
      return true;
    });
  });

  it("stops with how to set the module proxy when GOPROXY is off", async function () {
    const hasGo = process.env.PATH?.split(":").some((dir) => existsSync(join(dir, "go")));
    if (!hasGo) this.skip();
    await assert.rejects(ensureTools({ repoRoot: REPO, env: { ...process.env, GOPROXY: "off" }, log: () => undefined }), /GOPROXY is "off": the tools are built from modules fetched through the Go module proxy/);
  });
});
