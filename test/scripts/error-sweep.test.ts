// Every command, spawned for real, on bad input: one message naming the problem, exit 2, never a
// stack trace and never a binary byte echoed back.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";

const REPO = resolve(__dirname, "..", "..");
const TSX = join(REPO, "node_modules", ".bin", "tsx");
const ZX = join(REPO, "node_modules", ".bin", "zx");

interface Case {
  command: string[];
  expect: RegExp;
}

function runScript(argv: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.on("close", (code) => done({ code, output }));
  });
}

describe("bad input to every command", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ht-sweep-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("gets a clean message and exit 2 from render, verify, bench and lab", async function () {
    this.timeout(240_000);
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xc3]);
    writeFileSync(join(dir, "binary.yaml"), binary);
    writeFileSync(join(dir, "binary.json"), binary);
    mkdirSync(join(dir, "binary-only"));
    writeFileSync(join(dir, "binary-only", "blob.yaml"), binary);
    mkdirSync(join(dir, "two-pods"));
    writeFileSync(join(dir, "two-pods", "pods.yaml"), [{ apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "x" }, spec: { containers: [{ name: "a", image: "i" }] } }].map((o) => stringify(o)).join("---\n"));
    writeFileSync(join(dir, "probes.json"), JSON.stringify([{ id: "p", from: "x/nobody", to: { service: "x/none", port: 80 }, protocol: "HTTP" }]));
    writeFileSync(join(dir, "a-file"), "x");
    const render = (...a: string[]): string[] => [TSX, "scripts/render.ts", ...a];
    const verify = (...a: string[]): string[] => [TSX, "scripts/verify.ts", ...a];
    const cases: Case[] = [
      { command: render("--config", join(dir, "binary.yaml")), expect: /^render: invalid configuration/ },
      { command: render("--config", join(dir, "missing.yaml")), expect: /^render: invalid configuration .*\n .*cannot be read/ },
      { command: render("--out", join(dir, "a-file")), expect: /^render: --out .*a-file: is a file, not a directory/ },
      { command: render("--out", "/proc/self"), expect: /^render: --out \/proc\/self: \/proc is a kernel pseudo filesystem/ },
      { command: render("--bogus"), expect: /^render: --bogus: unknown argument/ },
      { command: verify("--manifests", join(dir, "binary-only")), expect: /^verify: .*binary-only: no usable Kubernetes objects.*binary content \(not UTF-8 text\); skipped/ },
      { command: verify("--manifests", "/proc"), expect: /^verify: --manifests \/proc: \/proc is a kernel pseudo filesystem/ },
      { command: verify("--manifests", join(dir, "a-file"), "--matrix"), expect: /^verify: --manifests .*a-file: not a directory/ },
      { command: verify("--manifests", join(dir, "two-pods"), "--probes", join(dir, "probes.json")), expect: /^verify: --probes .*probes\.json: probes name what .* does not hold \(2 problem\(s\)\):\n  probes\[0\] \(p\)\.from: no workload x\/nobody/ },
      { command: verify("--manifests", join(dir, "two-pods"), "--probes", join(dir, "binary.json")), expect: /^verify: --probes .*binary\.json: binary content, not JSON text/ },
      { command: verify("--config", "/proc/self/status"), expect: /^verify: --config \/proc\/self\/status: \/proc is a kernel pseudo filesystem/ },
      { command: verify("--format", "xml"), expect: /^verify: --format xml: use "table", "json" or "html"/ },
      { command: [TSX, "scripts/bench.ts", "--tenants", "5"], expect: /^bench: Unknown option '--tenants'/ },
      { command: [ZX, "scripts/lab.mjs", "ablate", "firewall", "--dry-run"], expect: /^lab ablate: .*firewall/ },
      { command: [ZX, "scripts/lab.mjs", "up", "--max-time", "soon"], expect: /^--max-time: "soon" is not a positive whole number/ },
      { command: [ZX, "scripts/lab.mjs", "teleport"], expect: /^command: "teleport"; use one of up, check, ablate, scenario, down/ },
    ];
    const results: { code: number | null; output: string }[] = [];
    for (let i = 0; i < cases.length; i += 4) results.push(...(await Promise.all(cases.slice(i, i + 4).map((c) => runScript(c.command)))));
    cases.forEach((c, i) => {
      const { code, output } = results[i];
      const what = c.command.slice(1).join(" ");
      assert.equal(code, 2, `${what}: exit ${code}\n${output}`);
      assert.match(output, c.expect, what);
      assert.doesNotMatch(output, /^\s+at .*[(:]\d+/m, `${what}: stack trace\n${output}`);
      assert.doesNotMatch(output, /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/, `${what}: binary bytes echoed`);
    });
  });
});
