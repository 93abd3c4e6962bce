import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildInfoNames, ensureTools, generatedContent, ToolsError } from "../../../lab/tools/build";

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

describe("npm run tools: provider plugins", () => {
  it("writes an embedded schema the way upstream's release generator does: compact JSON with the stamped version", () => {
    const schema = '{\n  "name": "kubernetes",\n  "resources": {"kubernetes:core/v1:Namespace": {}}\n}';
    assert.deepEqual(JSON.parse(generatedContent(schema, "4.0.0-x")), { name: "kubernetes", resources: { "kubernetes:core/v1:Namespace": {} }, version: "4.0.0-x" });
    assert.equal(generatedContent(schema, undefined), '{"name":"kubernetes","resources":{"kubernetes:core/v1:Namespace":{}}}');
  });

  it("accepts a plugin only when `go version -m` lists the pinned module at the pinned version", () => {
    const info = "/bin/p: go1.26.8\n\tpath\thard-tenancy.local/tools/pulumi-kubernetes/cmd/pulumi-resource-kubernetes\n\tdep\tgithub.com/pulumi/pulumi-kubernetes/provider/v4\tv4.0.0-20260115033456-f47bc2d6f199\th1:x=\n";
    assert.equal(buildInfoNames(info, "github.com/pulumi/pulumi-kubernetes/provider/v4", "v4.0.0-20260115033456-f47bc2d6f199"), true);
    assert.equal(buildInfoNames(info, "github.com/pulumi/pulumi-kubernetes/provider/v4", "v4.34.2"), false);
    assert.equal(buildInfoNames(info, "github.com/pulumi/pulumi/pkg/v3", "v4.0.0-20260115033456-f47bc2d6f199"), false);
  });
});
