import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EXIT_INVALID, EXIT_OK, parseRenderArgs, runRenderCli } from "../../../components/render/cli";
import { stackDemoWorkloads } from "../../../lab/workloads/demo";

const REPO = resolve(__dirname, "..", "..", "..");

function run(argv: string[], options: { progressTenants?: number } = {}): { code: number; stdout: string; stderr: string; progress: string[] } {
  let stdout = "";
  let stderr = "";
  const progress: string[] = [];
  let clock = 0;
  const code = runRenderCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), progress: (l) => progress.push(l), now: () => (clock += 500), ...options }, stackDemoWorkloads);
  return { code, stdout, stderr, progress };
}

describe("render CLI", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ht-render-cli-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("renders the lab stack, demo workloads included, into one file per namespace", () => {
    const out = join(dir, "out");
    const result = run(["--stack", "lab", "--out", out]);
    assert.equal(result.code, EXIT_OK, result.stderr);
    assert.ok(readdirSync(out).includes("cluster.yaml") && readdirSync(out).includes("tenant-acme.yaml"));
    assert.match(result.stdout, /objects in \d+ files/);
  });

  it("an invalid config file prints every problem on stderr, exits 2 and writes nothing", () => {
    const config = join(dir, "Pulumi.bad.yaml");
    writeFileSync(config, "config:\n  hard-tenancy:tenants:\n    - name: Bad_Name\n    - name: ok\n  hard-tenancy:layerz: {}\n");
    const out = join(dir, "out");
    const result = run(["--config", config, "--out", out]);
    assert.equal(result.code, EXIT_INVALID);
    assert.equal(existsSync(out), false);
    assert.match(result.stderr, /tenants\[0\]\.name/);
    assert.match(result.stderr, /layerz/);
    assert.equal(result.stdout, "");
  });

  it("a stack whose tenant quotas cannot admit its demo workloads plus a surge pod, sidecars included, exits 2 and writes nothing", () => {
    const config = join(dir, "Pulumi.tight.yaml");
    writeFileSync(
      config,
      [
        "config:",
        "  hard-tenancy:cluster:",
        "    apiServerEndpoints: [{ cidr: 172.18.0.2/32, port: 6443 }]",
        "  hard-tenancy:mesh:",
        "    proxyResources: { requestsCpu: 100m, requestsMemory: 128Mi, limitsCpu: 2000m, limitsMemory: 1024Mi }",
        "  hard-tenancy:tenants:",
        "    - name: acme",
        "  hard-tenancy:demoWorkloads: true",
        "",
      ].join("\n"),
    );
    const out = join(dir, "out");
    const result = run(["--config", config, "--out", out]);
    assert.equal(result.code, EXIT_INVALID, result.stdout);
    assert.equal(existsSync(out), false);
    assert.match(result.stderr, /tenants\[0\]\.quota\.limitsCpu: 8 does not admit .* need 8700m/);
  });

  it("a bad flag exits 2 with the usage, naming the flag", () => {
    const result = run(["--split", "tenant"]);
    assert.equal(result.code, EXIT_INVALID);
    assert.match(result.stderr, /--split: "tenant" is not supported — use namespace or kind/);
    assert.throws(() => parseRenderArgs(["--stack", "lab", "--config", "x.yaml"]), /give one, not both/);
    assert.deepEqual(parseRenderArgs([], "/w"), { source: { stack: "lab" }, out: undefined, split: "namespace", force: false });
  });

  it("npm run render's script, spawned for real, writes files per kind and exits 0", function () {
    this.timeout(30000);
    const out = join(dir, "spawned");
    const tsx = join(REPO, "node_modules", ".bin", "tsx");
    execFileSync(tsx, ["scripts/render.ts", "--stack", "lab", "--out", out, "--split", "kind"], { cwd: REPO, stdio: "pipe" });
    assert.ok(readdirSync(out).includes("globalnetworkpolicy.yaml"));
  });

  it("the spawned script exits 2 on an invalid config and creates no output directory", function () {
    this.timeout(30000);
    const config = join(dir, "Pulumi.bad.yaml");
    writeFileSync(config, "config:\n  hard-tenancy:tenants: []\n");
    const out = join(dir, "never");
    const result = spawnSync(join(REPO, "node_modules", ".bin", "tsx"), ["scripts/render.ts", "--config", config, "--out", out], { cwd: REPO, encoding: "utf8" });
    assert.equal(result.status, 2, result.stderr);
    assert.ok(result.stderr.length > 0);
    assert.equal(existsSync(out), false);
  });

  it("owns its output directory through an index: a re-render removes the files it no longer produces and says so", () => {
    const out = join(dir, "gitops");
    assert.equal(run(["--stack", "lab", "--out", out]).code, EXIT_OK);
    assert.ok(readdirSync(out).includes(".hard-tenancy-render.json"));
    assert.ok(readdirSync(out).includes("tenant-acme.yaml"));
    // The same platform split by kind: every per-namespace file is stale now.
    const again = run(["--stack", "lab", "--out", out, "--split", "kind"]);
    assert.equal(again.code, EXIT_OK, again.stderr);
    assert.match(again.stdout, /^  removed tenant-acme\.yaml \(written by an earlier render, no longer produced\)$/m);
    assert.equal(readdirSync(out).includes("tenant-acme.yaml"), false);
    assert.ok(readdirSync(out).includes("networkpolicy.yaml"));
  });

  it("refuses a directory holding files no render wrote unless --force, which keeps them", () => {
    const out = join(dir, "mixed");
    mkdirSync(out);
    writeFileSync(join(out, "mine.yaml"), "kind: Secret\n");
    const refused = run(["--stack", "lab", "--out", out]);
    assert.equal(refused.code, EXIT_INVALID);
    assert.match(refused.stderr, /^render: --out .*mixed: holds 1 file\(s\) no render wrote \(mine\.yaml\); choose an empty directory, remove them, or pass --force to write anyway \(they are kept\)\n$/);
    assert.deepEqual(readdirSync(out), ["mine.yaml"]);
    const forced = run(["--stack", "lab", "--out", out, "--force"]);
    assert.equal(forced.code, EXIT_OK);
    assert.match(forced.stdout, /kept 1 file\(s\) no render wrote \(--force\): mine\.yaml/);
    assert.ok(existsSync(join(out, "mine.yaml")));
    // The index does not adopt it: a later render still leaves it alone and keeps refusing without --force.
    assert.equal(run(["--stack", "lab", "--out", out]).code, EXIT_INVALID);
  });

  it("answers an --out that is a file, a pseudo filesystem path or --force without --out with one line, exit 2", () => {
    const file = join(dir, "file.yaml");
    writeFileSync(file, "x");
    for (const [argv, message] of [
      [["--out", file], /--out .*file\.yaml: is a file, not a directory; pass a directory/],
      [["--out", "/proc/out"], /--out \/proc\/out: \/proc is a kernel pseudo filesystem, not an output directory/],
      [["--config", "/proc/self/status"], /--config \/proc\/self\/status: \/proc is a kernel pseudo filesystem, not a stack config file/],
      [["--force"], /--force: only with --out DIR/],
    ] as [string[], RegExp][]) {
      const r = run(argv);
      assert.equal(r.code, EXIT_INVALID, argv.join(" "));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  });

  it("reports progress of a big render: phases and every tenth of the files, with elapsed time", () => {
    const out = join(dir, "big");
    const r = run(["--stack", "lab", "--out", out], { progressTenants: 3 });
    assert.equal(r.code, EXIT_OK);
    assert.match(r.progress[0], /^render: 3 tenants validated; building their objects…$/);
    assert.match(r.progress[1], /^render: \d+ objects built \(\d+\.\d s\); writing YAML…$/);
    assert.match(r.progress[r.progress.length - 1], /^render: (\d+)\/\1 files written \(\d+\.\d s\)$/);
    assert.deepEqual(run(["--stack", "lab", "--out", join(dir, "small")]).progress, [], "small platforms stay quiet");
  });

  it("answers --help with every option, exit 0", () => {
    const r = run(["--help"]);
    assert.equal(r.code, EXIT_OK);
    for (const option of ["--stack", "--config", "--out", "--force", "--split", "--help"]) assert.match(r.stdout, new RegExp(`^  ${option}`, "m"), option);
  });

  it("the spawned script says in one line that stdout closed early (render | head), exit 2, no stack trace", function () {
    this.timeout(30000);
    const script = `${join(REPO, "node_modules", ".bin", "tsx")} scripts/render.ts | head -c 10 > /dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const result = spawnSync("bash", ["-c", script], { cwd: REPO, encoding: "utf8" });
    assert.match(result.stderr, /^render: stdout was closed before the output was complete \(EPIPE\); write to a file/m);
    assert.match(result.stderr, /exit=2/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
