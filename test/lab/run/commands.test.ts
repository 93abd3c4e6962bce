import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { EXIT_CODES } from "../../../lab/check/compare";
import type { AutomationCall } from "../../../lab/plan/types";
import { main } from "../../../lab/run/cli";
import type { AutomationExecutor } from "../../../lab/run/automation";
import type { LabIO } from "../../../lab/run/execute";
import type { CommandResult, CommandRunner } from "../../../lab/run/runner";

const REPO = resolve(__dirname, "../../..");

/**
 * A stand-in for the Pulumi CLI on a local backend that writes stack files the way upstream does
 * (pulumi/pulumi pkg/cmd/pulumi/stack/io.go and secrets.go): creating a stack with the passphrase
 * provider saves a new `encryptionsalt` into the stack file of the project in the working directory
 * (`<cwd>/<stackConfigDir>/Pulumi.<stack>.yaml`; `stack select --create` has no --config-file) and
 * into the state; `stack select` without --create fails for a missing stack; `up --config-file F`
 * with no salt in F takes the state's (with PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER, else a new
 * one) and saves it into F.
 */
function fakePulumi() {
  const salts = new Map<string, string>();
  let minted = 0;
  const mint = (): string => `v1:fake-salt-${++minted}`;
  const appendSalt = (file: string, salt: string): void => {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    writeFileSync(file, `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}encryptionsalt: ${salt}\n`);
  };
  const saltIn = (file: string): string | undefined => (parse(readFileSync(file, "utf8")) as { encryptionsalt?: string } | null)?.encryptionsalt;

  const createOrSelect = (argv: readonly string[]): CommandResult => {
    const stack = argv[argv.indexOf("--create") + 1];
    const cwd = argv[argv.indexOf("--cwd") + 1];
    assert.ok(argv.includes("--cwd"), "the fake needs --cwd to know which project's stack file the CLI would write");
    if (!salts.has(stack)) {
      const project = parse(readFileSync(join(cwd, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: string };
      const salt = mint();
      salts.set(stack, salt);
      appendSalt(join(cwd, project.stackConfigDir ?? "", `Pulumi.${stack}.yaml`), salt);
    }
    return { code: 0, stdout: "", stderr: "" };
  };

  const automation: AutomationExecutor = async (call: AutomationCall, env) => {
    if (call.op === "selectStack") return salts.has(call.stackName) ? { ok: true } : { ok: false, message: `no stack named '${call.stackName}' found` };
    if (!saltIn(call.configFile)) appendSalt(call.configFile, env.PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER === "true" ? salts.get("lab") ?? mint() : mint());
    salts.set("lab", saltIn(call.configFile) ?? "");
    return { ok: true };
  };
  return { createOrSelect, automation, salts };
}

function scriptedIO(pulumi: ReturnType<typeof fakePulumi>): LabIO {
  const run: CommandRunner = async (argv) => {
    const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: "" });
    const line = argv.join(" ");
    if (line.startsWith("pulumi stack select --create")) return pulumi.createOrSelect(argv);
    if (["docker info --format {{.ServerVersion}}", "kind version", "kubectl version --client", "pulumi version"].includes(line)) return ok("v1\n");
    if (line === "kind get clusters") return ok("hard-tenancy-lab\n");
    if (argv.includes("current-context")) return ok("kind-hard-tenancy-lab\n");
    if (argv[0] === "docker" && argv[1] === "inspect") return ok(JSON.stringify([{ NetworkSettings: { Networks: { kind: { IPAddress: "172.18.0.9" } } } }]));
    if (argv.includes("deployments,daemonsets") || argv.includes("pods")) return ok(JSON.stringify({ apiVersion: "v1", kind: "List", items: [] }));
    return { code: 127, stdout: "", stderr: `unexpected ${line}` };
  };
  return { run, automation: pulumi.automation, log: () => undefined, sleep: async () => undefined, now: () => new Date("2026-11-25T10:00:00Z") };
}

describe("lab up against a Pulumi that writes stack files as upstream does", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "ht-lab-up-"));
    mkdirSync(join(root, "stacks"));
    cpSync(join(REPO, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
    cpSync(join(REPO, "stacks", "Pulumi.lab.yaml"), join(root, "stacks", "Pulumi.lab.yaml"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("leaves the committed stacks/Pulumi.lab.yaml byte for byte as it was, on the first run and the next", async () => {
    const committed = readFileSync(join(root, "stacks", "Pulumi.lab.yaml"));
    const pulumi = fakePulumi();
    assert.equal(await main(["up"], root, scriptedIO(pulumi)), EXIT_CODES.pass);
    assert.equal(await main(["up"], root, scriptedIO(pulumi)), EXIT_CODES.pass);
    assert.deepEqual(readFileSync(join(root, "stacks", "Pulumi.lab.yaml")), committed);
    assert.deepEqual(readFileSync(join(root, "stacks", "Pulumi.lab.yaml")), readFileSync(join(REPO, "stacks", "Pulumi.lab.yaml")));
    assert.equal(existsSync(join(root, "Pulumi.lab.yaml")), false, "nothing written beside Pulumi.yaml either");
  });

  it("keeps the salt the stack was created with: under .lab/stack-init, in the state and in the working copy, one salt across runs", async () => {
    const pulumi = fakePulumi();
    await main(["up"], root, scriptedIO(pulumi));
    await main(["up"], root, scriptedIO(pulumi));
    const created = (parse(readFileSync(join(root, ".lab", "stack-init", "Pulumi.lab.yaml"), "utf8")) as { encryptionsalt: string }).encryptionsalt;
    assert.equal(created, "v1:fake-salt-1");
    assert.equal(pulumi.salts.get("lab"), created);
    assert.match(readFileSync(join(root, ".lab", "Pulumi.lab.yaml"), "utf8"), /^encryptionsalt: v1:fake-salt-1$/m);
  });

  it("is a stand-in that would catch the old behaviour: creating the stack from the repository writes the salt into stacks/", () => {
    const committed = readFileSync(join(root, "stacks", "Pulumi.lab.yaml"), "utf8");
    fakePulumi().createOrSelect(["pulumi", "stack", "select", "--create", "lab", "--cwd", root]);
    const after = readFileSync(join(root, "stacks", "Pulumi.lab.yaml"), "utf8");
    assert.notEqual(after, committed);
    assert.match(after, /^encryptionsalt: v1:fake-salt-1$/m);
  });
});
