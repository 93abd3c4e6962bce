// Preflight with a controlled PATH: a temp dir holding small shell stubs that print what the real
// tools print (or fail as they fail), and log every invocation so "nothing else ran" is checked.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validatePlatformConfig } from "../../components/spec/validate";
import { DOCKER_NOT_RUNNING_EXIT_CODE, PREFLIGHT_TOOLS, runPreflight, type ToolName } from "../../lab/preflight";
import { labSettings } from "../../lab/plan/settings";
import type { AutomationExecutor } from "../../lab/run/automation";
import { labUp } from "../../lab/run/commands";
import type { LabIO } from "../../lab/run/execute";
import { zxRunner, type CommandRunner } from "../../lab/run/runner";
import { syntheticConfig } from "../fixtures/platform";

const REAL_OUTPUT: Record<ToolName, string> = {
  docker: "28.5.1",
  kind: "kind v0.33.0 go1.24.6 linux/amd64",
  kubectl: "Client Version: v1.36.0\nKustomize Version: v5.7.1",
  pulumi: "v3.248.0",
};

describe("lab preflight with a controlled PATH", () => {
  let bin: string;
  let root: string;
  const log = (): string[] => (existsSync(join(bin, "calls.log")) ? readFileSync(join(bin, "calls.log"), "utf8").trim().split("\n") : []);

  function stub(tool: ToolName, body: string): void {
    const file = join(bin, tool);
    writeFileSync(file, `#!/bin/sh\necho "${tool} $*" >> "${join(bin, "calls.log")}"\n${body}\n`);
    chmodSync(file, 0o755);
  }
  function stubAll(except: ToolName[] = []): void {
    for (const tool of PREFLIGHT_TOOLS) if (!except.includes(tool.name)) stub(tool.name, `printf '${REAL_OUTPUT[tool.name].replace(/\n/g, "\\n")}\\n'`);
  }

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), "ht-preflight-bin-"));
    root = mkdtempSync(join(tmpdir(), "ht-preflight-repo-"));
  });
  afterEach(() => {
    rmSync(bin, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  const runner = (): CommandRunner => zxRunner({ PATH: bin });

  it("reports every tool's version when all are present", async () => {
    stubAll();
    const result = await runPreflight(runner());
    assert.equal(result.ok, true);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(result.tools.map((t) => [t.name, t.version]), [["docker", "28.5.1"], ["kind", "v0.33.0"], ["kubectl", "v1.36.0"], ["pulumi", "v3.248.0"]]);
  });

  for (const tool of PREFLIGHT_TOOLS) {
    it(`stops lab up with exit ${tool.exitCode} and an install hint when ${tool.name} is missing, and runs nothing else`, async () => {
      stubAll([tool.name]);
      const recorded: string[][] = [];
      const run = runner();
      const lines: string[] = [];
      const automation: AutomationExecutor = async (call) => assert.fail(`automation ${call.op} must not run`);
      const io: LabIO = { run: (argv, o) => (recorded.push([...argv]), run(argv, o)), automation, log: (l) => lines.push(l), sleep: async () => undefined, now: () => new Date(0) };
      const settings = labSettings(root);
      const code = await labUp(io, validatePlatformConfig(syntheticConfig(3)), settings);
      assert.equal(code, tool.exitCode);
      assert.match(lines.join("\n"), new RegExp(`${tool.name} is not installed \\(not found on PATH\\): install`));
      assert.deepEqual(recorded, PREFLIGHT_TOOLS.map((t) => [...t.argv]));
      assert.deepEqual(log().sort(), PREFLIGHT_TOOLS.filter((t) => t.name !== tool.name).map((t) => t.argv.join(" ")).sort());
      assert.equal(existsSync(settings.stateDir), false);
      assert.equal(existsSync(settings.kindConfigPath), false);
    });
  }

  it("tells a stopped Docker daemon apart from a missing docker (exit 11)", async () => {
    stubAll(["docker"]);
    stub("docker", `echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1`);
    const result = await runPreflight(runner());
    assert.equal(result.exitCode, DOCKER_NOT_RUNNING_EXIT_CODE);
    assert.match(result.tools[0].message ?? "", /daemon is not running.*Cannot connect to the Docker daemon/);
  });

  it("reports every missing tool at once and exits with the first one's code", async () => {
    stubAll(["kind", "pulumi"]);
    const result = await runPreflight(runner());
    assert.deepEqual(result.tools.filter((t) => !t.ok).map((t) => t.name), ["kind", "pulumi"]);
    assert.equal(result.exitCode, 12);
  });
});
