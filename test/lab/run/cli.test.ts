import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** A repository root with the committed lab stack file (and, optionally, the working copy `lab up` writes). */
function labRoot(options: { workingCopy?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "ht-lab-cli-"));
  mkdirSync(join(root, "stacks"));
  cpSync(join(REPO, "stacks", "Pulumi.lab.yaml"), join(root, "stacks", "Pulumi.lab.yaml"));
  if (options.workingCopy) {
    mkdirSync(join(root, ".lab"));
    writeFileSync(join(root, ".lab", "Pulumi.lab.yaml"), readFileSync(join(REPO, "stacks", "Pulumi.lab.yaml"), "utf8").replace("172.18.0.0/24", "172.18.0.3/32"));
  }
  return root;
}

const LAB_CONTEXT_ANSWER = { code: 0, stdout: "kind-hard-tenancy-lab\n", stderr: "" };

/** What a healthy machine answers to `lab up`'s commands (the cluster exists; nothing deployed to wait for). */
function upAnswers(argv: readonly string[]): CommandResult {
  const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: "" });
  const line = argv.join(" ");
  if (line === "docker info --format {{.ServerVersion}}") return ok("27.3.1\n");
  if (line === "kind version") return ok("kind v0.33.0 go1.24.4 linux/amd64\n");
  if (line === "kubectl version --client") return ok("Client Version: v1.36.0\n");
  if (line === "pulumi version") return ok("v3.248.0\n");
  if (line === "kind get clusters") return ok("hard-tenancy-lab\n");
  if (line.startsWith("pulumi stack select --create lab ")) return ok("");
  if (argv.includes("current-context")) return LAB_CONTEXT_ANSWER;
  if (argv[0] === "docker" && argv[1] === "inspect") return ok(JSON.stringify([{ NetworkSettings: { Networks: { kind: { IPAddress: "172.18.0.9" } } } }]));
  if (argv.includes("deployments,daemonsets") || argv.includes("pods")) return ok(JSON.stringify({ apiVersion: "v1", kind: "List", items: [] }));
  return { code: 127, stdout: "", stderr: `unexpected ${line}` };
}

describe("lab command line", () => {
  for (const argv of [["up"], ["check"], ["ablate", "authorization"], ["scenario", "permissive-mtls"], ["down"]]) {
    it(`lab ${argv.join(" ")} --dry-run prints the plan as argv with what each waits for, and runs nothing`, async () => {
      const { io, runs, automation, lines } = recordingIO();
      assert.equal(await main([...argv, "--dry-run"], REPO, io), EXIT_CODES.pass);
      assert.deepEqual(runs, []);
      assert.deepEqual(automation, []);
      const out = lines.join("\n");
      assert.match(out, new RegExp(`^lab ${argv[0]} --dry-run: \\d+ invocation\\(s\\)( and \\d+ in-process step\\(s\\))?, nothing is run`));
      assert.match(out, /waits for: /);
    });
  }

  it("labels Automation API steps in a dry run and shows the kind cluster creation", async () => {
    const { io, lines } = recordingIO();
    await main(["up", "--dry-run"], REPO, io);
    const out = lines.join("\n");
    assert.match(out, /pulumi up --yes --skip-preview --config-file \S*\/\.lab\/Pulumi\.lab\.yaml --stack lab {2}\[Automation API: up; CLI equivalent\]/);
    assert.match(out, /\[in-process\] write \S*\/\.lab\/Pulumi\.lab\.yaml: \S*\/stacks\/Pulumi\.lab\.yaml with hard-tenancy:cluster\.apiServerEndpoints = \[\{"cidr":"<control-plane-ip>\/32","port":6443\}\]/);
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
    assert.deepEqual(parseLabArgs(["ablate", "calico", "--context=dev", "--batch-size", "8"]), { command: "ablate", argument: "calico", dryRun: false, stack: "lab", backend: "kind", context: "dev", batchSize: 8 });
  });

  it("answers --help for every command with every option explained, exit 0, running nothing", async () => {
    for (const argv of [["--help"], ["up", "--help"], ["check", "-h"], ["ablate", "--help"], ["down", "--help"], ["scenario", "x", "--help"]]) {
      const { io, runs, lines } = recordingIO();
      assert.equal(await main(argv, REPO, io), EXIT_CODES.pass, argv.join(" "));
      assert.deepEqual(runs, []);
      const text = lines.join("\n");
      for (const option of ["--dry-run", "--context NAME", "--max-time S", "--batch-size N", "--stack NAME", "--help"]) assert.match(text, new RegExp(`^  ${option}`, "m"), option);
      assert.match(text, /^  down {13}delete the kind cluster/m);
    }
  });

  it("lab up --context X uses that cluster: it neither lists nor creates a kind cluster, and needs neither docker nor kind", async () => {
    const root = labRoot();
    try {
      const answers = (argv: readonly string[]): CommandResult => {
        if (argv[0] === "docker" || argv[0] === "kind") return { code: 127, stdout: "", stderr: "must not run" };
        if (argv.includes("endpoints")) return { code: 0, stdout: JSON.stringify({ subsets: [{ addresses: [{ ip: "10.0.0.10" }], ports: [{ port: 6443, name: "https" }] }] }), stderr: "" };
        return upAnswers(argv);
      };
      const { io, runs, lines } = recordingIO(answers);
      assert.equal(await main(["up", "--context", "my-cluster"], root, io), EXIT_CODES.pass, lines.join("\n"));
      assert.deepEqual(runs.filter((a) => a[0] === "kind" || a[0] === "docker"), []);
      assert.ok(runs.some((a) => a.join(" ") === "kubectl --context my-cluster get endpoints kubernetes -n default -o json"), runs.map((a) => a.join(" ")).join("\n"));
      assert.match(readFileSync(join(root, ".lab", "Pulumi.lab.yaml"), "utf8"), /- cidr: 10\.0\.0\.10\/32\n\s+port: 6443/);
      const { io: dry, lines: plan } = recordingIO();
      assert.equal(await main(["up", "--context", "my-cluster", "--dry-run"], root, dry), EXIT_CODES.pass);
      assert.doesNotMatch(plan.join("\n"), /kind (get|create) cluster|docker (info|inspect)/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("lab down without kind on PATH says so as the preflight does: install hint and exit 12", async () => {
    const { io, lines } = recordingIO((argv) => (argv[0] === "kind" ? { code: null, stdout: "", stderr: "", notFound: true } : { code: 0, stdout: "", stderr: "" }));
    assert.equal(await main(["down"], REPO, io), 12);
    assert.match(lines.join("\n"), /^  ✘ kind is not installed \(not found on PATH\): install kind v0\.33\+: https:\/\/kind\.sigs\.k8s\.io.* \[exit 12\]$/m);
  });

  it("takes --engine pulumi only with --backend local (the kind lab always deploys with pulumi up)", async () => {
    assert.equal(parseLabArgs(["up", "--backend", "local", "--engine", "pulumi"]).engine, "pulumi");
    assert.equal(parseLabArgs(["up", "--backend", "local"]).engine, undefined);
    for (const [argv, pattern] of [
      [["up", "--engine", "pulumi"], /--engine: only with --backend local/],
      [["up", "--backend", "local", "--engine", "terraform"], /--engine: "terraform"; use pulumi or apply/],
    ] as const) {
      const { io, lines } = recordingIO();
      assert.equal(await main(argv, REPO, io), EXIT_CODES.usage, argv.join(" "));
      assert.match(lines.join("\n"), pattern);
    }
  });

  it("refuses to check a cluster whose context is not the lab's (exit 4) and makes no other call", async () => {
    const { io, runs, lines } = recordingIO((argv) => ({ code: 0, stdout: argv.includes("current-context") ? "prod-eu-1\n" : "", stderr: "" }));
    assert.equal(await main(["check"], REPO, io), EXIT_CODES.unsafeContext);
    assert.deepEqual(runs, [["kubectl", "config", "current-context"]]);
    assert.match(lines.join("\n"), /refusing to act/);
  });

  it("lab up deploys the working copy it wrote from the committed stack file, which it leaves untouched", async () => {
    const root = labRoot();
    try {
      const committed = readFileSync(join(root, "stacks", "Pulumi.lab.yaml"));
      const { io, automation, lines } = recordingIO(upAnswers);
      assert.equal(await main(["up"], root, io), EXIT_CODES.pass, lines.join("\n"));
      const working = join(root, ".lab", "Pulumi.lab.yaml");
      assert.deepEqual(automation, [
        { op: "selectStack", stackName: "lab", workDir: root },
        { op: "up", refresh: false, configFile: working },
      ]);
      assert.match(readFileSync(working, "utf8"), /- cidr: 172\.18\.0\.9\/32\n\s+port: 6443/);
      assert.deepEqual(readFileSync(join(root, "stacks", "Pulumi.lab.yaml")), committed);
      assert.ok(existsSync(join(root, ".lab", "kind-config.yaml")));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("lab ablate deploys the ablation copy, then redeploys the working copy even when the check fails midway, writing nothing under stacks/", async () => {
    const root = labRoot({ workingCopy: true });
    try {
      const committed = readFileSync(join(root, "stacks", "Pulumi.lab.yaml"));
      const { io, automation, runs } = recordingIO((argv) =>
        argv.includes("current-context") ? LAB_CONTEXT_ANSWER : { code: 1, stdout: "", stderr: "error: the server doesn't have a resource type \"pods\"" },
      );
      assert.equal(await main(["ablate", "authorization"], root, io), EXIT_CODES.commandFailed);
      assert.deepEqual(
        automation.map((c) => (c.op === "up" ? `up ${c.configFile.slice(root.length)}` : c.op)),
        ["selectStack", "up /.lab/Pulumi.lab.ablate-authorization.yaml", "up /.lab/Pulumi.lab.yaml"],
      );
      assert.ok(runs.some((r) => r.includes("pods")));
      assert.match(readFileSync(join(root, ".lab", "Pulumi.lab.ablate-authorization.yaml"), "utf8"), /hard-tenancy:layers:\n\s+authorization: false/);
      assert.deepEqual(readFileSync(join(root, "stacks", "Pulumi.lab.yaml")), committed);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("lab ablate and lab scenario stop before any change when lab up has not written the working copy", async () => {
    const root = labRoot();
    try {
      for (const argv of [["ablate", "calico"], ["scenario", "permissive-mtls"]]) {
        const { io, automation, runs, lines } = recordingIO(() => LAB_CONTEXT_ANSWER);
        assert.equal(await main(argv, root, io), EXIT_CODES.usage);
        assert.match(lines.join("\n"), /\.lab\/Pulumi\.lab\.yaml does not exist: run `lab up` first/);
        assert.deepEqual([automation, runs], [[], []]);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("predicts from the working copy when there is one, else from the committed stack file", async () => {
    const root = labRoot();
    try {
      const dryRun = async (): Promise<string> => {
        const { io, lines } = recordingIO();
        await main(["ablate", "calico", "--dry-run"], root, io);
        return lines.join("\n");
      };
      // The dry run's probes and checks name the tenants of the spec it loaded.
      const fromCommitted = await dryRun();
      writeFileSync(join(root, "stacks", "Pulumi.lab.yaml"), readFileSync(join(root, "stacks", "Pulumi.lab.yaml"), "utf8").replace("- name: initech\n      adminGroups: [initech-admins]\n", ""));
      mkdirSync(join(root, ".lab"));
      cpSync(join(REPO, "stacks", "Pulumi.lab.yaml"), join(root, ".lab", "Pulumi.lab.yaml"));
      const fromWorking = await dryRun();
      assert.match(fromCommitted, /tenant-initech/);
      assert.match(fromWorking, /tenant-initech/);
      rmSync(join(root, ".lab", "Pulumi.lab.yaml"));
      assert.doesNotMatch(await dryRun(), /tenant-initech/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("lab down deletes the lab cluster when listed and removes only .lab/state, .lab/stack-init and the working stack config copies", async () => {
    const root = mkdtempSync(join(tmpdir(), "ht-down-"));
    try {
      mkdirSync(join(root, ".lab", "state"), { recursive: true });
      mkdirSync(join(root, ".lab", "stack-init"), { recursive: true });
      mkdirSync(join(root, ".lab", "reports", "r1"), { recursive: true });
      writeFileSync(join(root, ".lab", "reports", "r1", "report.json"), "{}");
      writeFileSync(join(root, ".lab", "Pulumi.lab.yaml"), "config: {}\n");
      writeFileSync(join(root, ".lab", "Pulumi.lab.ablate-calico.yaml"), "config: {}\n");
      cpSync(join(REPO, "package.json"), join(root, "package.json"));
      const { io, runs } = recordingIO((argv) => ({ code: 0, stdout: argv.includes("get") ? "other-cluster\nhard-tenancy-lab\n" : "", stderr: "" }));
      assert.equal(await main(["down"], root, io), EXIT_CODES.pass);
      assert.deepEqual(runs, [["kind", "get", "clusters"], ["kind", "delete", "cluster", "--name", "hard-tenancy-lab"]]);
      assert.equal(existsSync(join(root, ".lab", "state")), false);
      assert.equal(existsSync(join(root, ".lab", "stack-init")), false);
      assert.equal(existsSync(join(root, ".lab", "Pulumi.lab.yaml")), false);
      assert.equal(existsSync(join(root, ".lab", "Pulumi.lab.ablate-calico.yaml")), false);
      assert.equal(existsSync(join(root, ".lab", "reports", "r1", "report.json")), true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
