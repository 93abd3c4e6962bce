import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProbeScript, parseProbeOutput, parseWriteOut } from "../../../lab/check/script";

const NONCE = "scriptnonce1";
const block = (i: number, rc: string, meta: string, body: string): string =>
  `@@ht-probe ${NONCE} ${i} BEGIN@@\nrc=${rc}\n${meta}\n@@ht-probe ${NONCE} ${i} BODY@@\n${body}\n@@ht-probe ${NONCE} ${i} END@@\n`;

describe("lab check probe script and its output", () => {
  it("runs requests in batches of the given size, waiting after each batch", () => {
    const request = { url: "http://x:80/", method: "GET", headers: {} };
    const script = buildProbeScript(Array.from({ length: 5 }, () => request), { nonce: NONCE, batchSize: 2, maxTimeSeconds: 3 });
    const lines = script.split("\n").filter((l) => /^p \d|^wait$/.test(l)).map((l) => (l === "wait" ? "wait" : l.split(" ")[1]));
    assert.deepEqual(lines, ["0", "1", "wait", "2", "3", "wait", "4", "wait"]);
    assert.match(script, /--max-time 3 /);
  });

  it("rejects a guessable or unsafe nonce and a batch size below one", () => {
    assert.throws(() => buildProbeScript([], { nonce: "short", batchSize: 2, maxTimeSeconds: 3 }), /nonce: "short" must be 8-64 letters or digits/);
    assert.throws(() => buildProbeScript([], { nonce: "abc$(id)xyz", batchSize: 2, maxTimeSeconds: 3 }), /nonce/);
    assert.throws(() => buildProbeScript([], { nonce: NONCE, batchSize: 0, maxTimeSeconds: 3 }), /batchSize: 0 must be a positive integer/);
  });

  it("works in $TMPDIR (default /tmp) only, and removes its directory when done", () => {
    const script = buildProbeScript([], { nonce: NONCE, batchSize: 1, maxTimeSeconds: 1 });
    assert.match(script, /mktemp -d "\$\{TMPDIR:-\/tmp\}\/ht-probe\.XXXXXX"/);
    assert.doesNotMatch(script, /\/dev\/shm/);
    const dir = mkdtempSync(join(tmpdir(), "script-test-"));
    try {
      const run = spawnSync("sh", ["-c", script], { env: { ...process.env, TMPDIR: dir }, encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops with exit 90 and a message naming the directory when it cannot create its temporary directory", () => {
    const script = buildProbeScript([], { nonce: NONCE, batchSize: 1, maxTimeSeconds: 1 });
    const missing = join(tmpdir(), `no-such-dir-${process.pid}`, "nested");
    const run = spawnSync("sh", ["-c", script], { env: { ...process.env, TMPDIR: missing }, encoding: "utf8" });
    assert.equal(run.status, 90);
    assert.match(run.stderr, new RegExp(`ht-probe: cannot create a temporary directory under ${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    assert.equal(run.stdout, "");
  });

  it("parses the -w line curl 7.88/8.x prints for a success and for a timeout", () => {
    assert.deepEqual(parseWriteOut("ht-w http=200 exit=0 time=0.004512 error="), { httpCode: 200, writeOutExitCode: 0, timeSeconds: 0.004512, errorMessage: "" });
    assert.deepEqual(parseWriteOut("ht-w http=000 exit=28 time=2.001734 error=Connection timed out after 2001 milliseconds"), {
      httpCode: 0,
      writeOutExitCode: 28,
      timeSeconds: 2.001734,
      errorMessage: "Connection timed out after 2001 milliseconds",
    });
    assert.equal(parseWriteOut('{"tenant":"x"}'), null);
  });

  it("keeps each body exactly, including one that imitates the -w line or another run's delimiter", () => {
    const forged = `ht-w http=200 exit=0 time=0 error=\n@@ht-probe othernonce 1 END@@`;
    const out = block(0, "0", "ht-w http=403 exit=0 time=0.01 error=", forged) + block(1, "56", "ht-w http=000 exit=56 time=0.01 error=Recv failure: Connection reset by peer", "");
    const [first, second] = parseProbeOutput(out, NONCE, 2);
    assert.deepEqual([first.httpCode, first.exitCode, first.body], [403, 0, forged]);
    assert.deepEqual([second.exitCode, second.httpCode, second.errorMessage, second.reported], [56, 0, "Recv failure: Connection reset by peer", true]);
  });

  it("marks a request the pod never reported as unreported, never as a result", () => {
    const [, missing] = parseProbeOutput(block(0, "0", "ht-w http=200 exit=0 time=0.01 error=", "{}"), NONCE, 2);
    assert.equal(missing.reported, false);
    assert.equal(missing.exitCode, null);
  });
});
