// The lab's command runner runs through zx's `$`: real processes, checked for what the lab relies on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mapLimited, zxRunner } from "../../../lab/run/runner";

describe("lab command runner (zx)", () => {
  const run = zxRunner();

  it("passes every argument verbatim: spaces, quotes and shell characters are quoted by zx", async () => {
    const r = await run(["printf", "%s|", "a b", "it's", "$HOME", "; rm -rf /", "*"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "a b|it's|$HOME|; rm -rf /|*|");
  });

  it("feeds stdin, adds env, and returns a failing command's exit code and stderr instead of throwing (nothrow)", async () => {
    assert.equal((await run(["cat"], { stdin: "manifest: yes\n" })).stdout, "manifest: yes\n");
    const r = await run(["sh", "-c", 'echo "$LAB_VALUE" >&2; exit 3'], { env: { LAB_VALUE: "from env" } });
    assert.equal(r.code, 3);
    assert.equal(r.stderr, "from env\n");
  });

  it("kills a command that outlives its timeout and says so", async () => {
    const started = Date.now();
    const r = await run(["sleep", "5"], { timeoutMs: 200 });
    assert.equal(r.timedOut, true);
    assert.notEqual(r.code, 0);
    assert.ok(Date.now() - started < 4000);
  });

  it("reports a binary missing from PATH as notFound, without running a shell error", async () => {
    const r = await zxRunner({ PATH: "/nonexistent" })(["kind", "get", "clusters"]);
    assert.equal(r.notFound, true);
    assert.match(r.stderr, /kind: not found on PATH/);
  });

  it("keeps the order of results when running with a limit", async () => {
    const out = await mapLimited([30, 10, 20], 2, async (ms, i) => (await new Promise((res) => setTimeout(res, ms)), i));
    assert.deepEqual(out, [0, 1, 2]);
  });

  it("is the only way lab commands start processes: no hand-written child_process runner is left", () => {
    const source = readFileSync(join(__dirname, "../../../lab/run/runner.ts"), "utf8");
    assert.doesNotMatch(source, /child_process/);
    assert.match(source, /await import\("zx"\)/);
  });
});
