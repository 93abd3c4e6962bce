import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EXIT_INVALID, EXIT_OK, parseRenderArgs, runRenderCli } from "../../../components/render/cli";
import { stackDemoWorkloads } from "../../../lab/workloads/demo";

const REPO = resolve(__dirname, "..", "..", "..");

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const code = runRenderCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, stackDemoWorkloads);
  return { code, stdout, stderr };
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
    assert.deepEqual(parseRenderArgs([], "/w"), { source: { stack: "lab" }, out: undefined, split: "namespace" });
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
});
