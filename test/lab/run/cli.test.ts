import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EXIT_CODES } from "../../../lab/check/compare";
import type { AutomationCall } from "../../../lab/plan/types";
import { main, parseLabArgs } from "../../../lab/run/cli";
import type { LabIO } from "../../../lab/run/execute";
import type { CommandResult } from "../../../lab/run/runner";

const REPO = resolve(__dirname, "../../..");

function recordingIO(answer: (argv: readonly string[]) => CommandResult = () => ({ code: 0, stdout: "", stderr: "" })) {
  const runs: string[][] = [];
  const automation: AutomationCall[] = [];
  const lines: string[] = [];
  const io: LabIO = {
    run: async (argv) => (runs.push([...argv]), answer(argv)),
    automation: async (call) => (automation.push(call), { ok: true }),
    log: (line) => lines.push(line),
    sleep: async () => undefined,
    now: () => new Date("2026-11-25T10:00:00Z"),
  };
  return { io, runs, automation, lines };
}

describe("lab command line", () => {
  for (const argv of [["up"], ["check"], ["ablate", "authorization"], ["scenario", "permissive-mtls"], ["down"]]) {
    it(`lab ${argv.join(" ")} --dry-run prints the plan as argv with what each waits for, and runs nothing`, async () => {
      const { io, runs, automation, lines } = recordingIO();
      assert.equal(await main([...argv, "--dry-run"], REPO, io), EXIT_CODES.pass);
      assert.deepEqual(runs, []);
      assert.deepEqual(automation, []);
      const out = lines.join("\n");
      assert.match(out, new RegExp(`^lab ${argv[0]} --dry-run: \\d+ invocation\\(s\\), nothing is run`));
      assert.match(out, /waits for: /);
    });
  }

  it("labels Automation API steps in a dry run and shows the kind cluster creation", async () => {
    const { io, lines } = recordingIO();
    await main(["up", "--dry-run"], REPO, io);
    const out = lines.join("\n");
    assert.match(out, /pulumi up --yes --skip-preview --stack lab {2}\[Automation API: up; CLI equivalent\]/);
    assert.match(out, /kind create cluster --name hard-tenancy-lab --config .*\.lab\/kind-config\.yaml/);
    assert.match(out, /env: PULUMI_BACKEND_URL="file:\/\/.*\/\.lab\/state" PULUMI_CONFIG_PASSPHRASE=""/);
  });

  it("passes --context to every kubectl call of a dry run", async () => {
    const { io, lines } = recordingIO();
    await main(["check", "--dry-run", "--context", "staging"], REPO, io);
    const kubectlLines = lines.join("\n").split("\n").filter((l) => /^\s+\d+\. kubectl /.test(l));
    assert.ok(kubectlLines.length > 0);
    assert.ok(kubectlLines.every((l) => l.includes("kubectl --context staging ")));
  });

  it("rejects unknown commands, layers, scenarios and options with exit 2 and says what is allowed", async () => {
    for (const [argv, pattern] of [
      [["deploy"], /command: "deploy"; use one of up, check, ablate, scenario, down/],
      [["ablate"], /lab ablate needs a LAYER/],
      [["ablate", "quotas", "--dry-run"], /"quotas" is not an enforcement layer/],
      [["scenario", "nope", "--dry-run"], /unknown scenario "nope"; choose one of/],
      [["check", "--verbose"], /unknown option --verbose/],
      [["check", "--max-time", "0"], /--max-time: "0" is not a positive whole number/],
    ] as const) {
      const { io, lines } = recordingIO();
      assert.equal(await main(argv, REPO, io), EXIT_CODES.usage, argv.join(" "));
      assert.match(lines.join("\n"), pattern);
    }
    assert.deepEqual(parseLabArgs(["ablate", "calico", "--context=dev", "--batch-size", "8"]), { command: "ablate", argument: "calico", dryRun: false, stack: "lab", context: "dev", batchSize: 8 });
  });

  it("refuses to check a cluster whose context is not the lab's (exit 4) and makes no other call", async () => {
    const { io, runs, lines } = recordingIO((argv) => ({ code: 0, stdout: argv.includes("current-context") ? "prod-eu-1\n" : "", stderr: "" }));
    assert.equal(await main(["check"], REPO, io), EXIT_CODES.unsafeContext);
    assert.deepEqual(runs, [["kubectl", "config", "current-context"]]);
    assert.match(lines.join("\n"), /refusing to act/);
  });

  it("lab ablate restores the layer and redeploys even when the check fails midway", async () => {
    const { io, automation, runs } = recordingIO((argv) =>
      argv.includes("current-context") ? { code: 0, stdout: "kind-hard-tenancy-lab\n", stderr: "" } : { code: 1, stdout: "", stderr: "error: the server doesn't have a resource type \"pods\"" },
    );
    assert.equal(await main(["ablate", "authorization"], REPO, io), EXIT_CODES.commandFailed);
    assert.deepEqual(
      automation.map((c) => (c.op === "setAllConfig" ? `set ${JSON.stringify(c.config)}` : c.op === "removeConfig" ? `rm ${c.key}` : c.op)),
      ["createOrSelectStack", "getConfig", 'set {"hard-tenancy:layers.authorization":"false"}', "up", "rm hard-tenancy:layers.authorization", "up"],
    );
    assert.ok(runs.some((r) => r.includes("pods")));
  });

  it("lab down deletes the lab cluster when listed and removes only .lab/state", async () => {
    const root = mkdtempSync(join(tmpdir(), "ht-down-"));
    try {
      mkdirSync(join(root, ".lab", "state"), { recursive: true });
      mkdirSync(join(root, ".lab", "reports", "r1"), { recursive: true });
      writeFileSync(join(root, ".lab", "reports", "r1", "report.json"), "{}");
      cpSync(join(REPO, "package.json"), join(root, "package.json"));
      const { io, runs } = recordingIO((argv) => ({ code: 0, stdout: argv.includes("get") ? "other-cluster\nhard-tenancy-lab\n" : "", stderr: "" }));
      assert.equal(await main(["down"], root, io), EXIT_CODES.pass);
      assert.deepEqual(runs, [["kind", "get", "clusters"], ["kind", "delete", "cluster", "--name", "hard-tenancy-lab"]]);
      assert.equal(existsSync(join(root, ".lab", "state")), false);
      assert.equal(existsSync(join(root, ".lab", "reports", "r1", "report.json")), true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
