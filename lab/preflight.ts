// `lab up` preflight: docker (daemon running), kind, kubectl and pulumi, each with its version.
// Every check only reads; a missing tool gets an install hint and its own exit code, and the
// command stops before anything is created.
import type { CommandResult, CommandRunner } from "./run/runner";

export type ToolName = "docker" | "kind" | "kubectl" | "pulumi";

export interface PreflightTool {
  name: ToolName;
  argv: readonly string[];
  /** Exit code when the tool is missing (docker: also when its daemon is not running, see below). */
  exitCode: number;
  hint: string;
  parseVersion(stdout: string): string | undefined;
}

/** Docker is installed but `docker info` fails: its daemon is not running (or not reachable). */
export const DOCKER_NOT_RUNNING_EXIT_CODE = 11;

export const PREFLIGHT_TOOLS: readonly PreflightTool[] = [
  {
    name: "docker",
    // `docker info` talks to the daemon: it fails when the daemon is down, unlike `docker --version`.
    argv: ["docker", "info", "--format", "{{.ServerVersion}}"],
    exitCode: 10,
    hint: "install Docker Engine or Docker Desktop: https://docs.docker.com/get-docker/",
    parseVersion: (stdout) => stdout.trim().split("\n")[0] || undefined,
  },
  {
    name: "kind",
    argv: ["kind", "version"],
    exitCode: 12,
    hint: "install kind v0.33+: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (or: go install sigs.k8s.io/kind@v0.33.0)",
    parseVersion: (stdout) => /kind (v\d+\.\d+\.\d+\S*)/.exec(stdout)?.[1],
  },
  {
    name: "kubectl",
    argv: ["kubectl", "version", "--client"],
    exitCode: 13,
    hint: "install kubectl: https://kubernetes.io/docs/tasks/tools/#kubectl",
    parseVersion: (stdout) => /Client Version:\s*(v\S+)/.exec(stdout)?.[1] ?? /GitVersion:"(v[^"]+)"/.exec(stdout)?.[1],
  },
  {
    name: "pulumi",
    argv: ["pulumi", "version"],
    exitCode: 14,
    hint: "install the Pulumi CLI: https://www.pulumi.com/docs/install/ (curl -fsSL https://get.pulumi.com | sh)",
    parseVersion: (stdout) => /v?\d+\.\d+\.\d+\S*/.exec(stdout.trim())?.[0],
  },
];

export interface ToolStatus {
  name: ToolName;
  ok: boolean;
  version?: string;
  /** Shown to the user when not ok: what is wrong and how to fix it. */
  message?: string;
  exitCode?: number;
}

export interface PreflightResult {
  ok: boolean;
  tools: ToolStatus[];
  /** 0 when ok, otherwise the exit code of the first failing tool (in PREFLIGHT_TOOLS order). */
  exitCode: number;
}

function statusOf(tool: PreflightTool, result: CommandResult): ToolStatus {
  if (result.notFound) {
    return { name: tool.name, ok: false, exitCode: tool.exitCode, message: `${tool.name} is not installed (not found on PATH): ${tool.hint}` };
  }
  if (result.code !== 0) {
    if (tool.name === "docker") {
      return {
        name: tool.name,
        ok: false,
        exitCode: DOCKER_NOT_RUNNING_EXIT_CODE,
        message: `docker is installed but \`docker info\` failed, so its daemon is not running or not reachable: start Docker (e.g. \`sudo systemctl start docker\` or Docker Desktop). ${firstLine(result.stderr)}`.trim(),
      };
    }
    return { name: tool.name, ok: false, exitCode: tool.exitCode, message: `\`${tool.argv.join(" ")}\` failed (exit ${result.code}): ${firstLine(result.stderr)}; reinstall: ${tool.hint}` };
  }
  const version = tool.parseVersion(result.stdout);
  return { name: tool.name, ok: true, version: version ?? "unknown version" };
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

/** Runs every tool check (all read-only), so the user sees every missing tool at once. */
export async function runPreflight(run: CommandRunner, which: readonly PreflightTool[] = PREFLIGHT_TOOLS): Promise<PreflightResult> {
  const tools: ToolStatus[] = [];
  for (const tool of which) tools.push(statusOf(tool, await run(tool.argv, { timeoutMs: 30_000 })));
  const failed = tools.find((t) => !t.ok);
  return { ok: failed === undefined, tools, exitCode: failed?.exitCode ?? 0 };
}

/** The message and exit code preflight gives for a tool that is not on PATH (lab down uses it too). */
export function missingToolStatus(name: ToolName): ToolStatus {
  const tool = PREFLIGHT_TOOLS.find((t) => t.name === name)!;
  return statusOf(tool, { code: null, stdout: "", stderr: "", notFound: true });
}

export function formatPreflight(result: PreflightResult): string {
  return result.tools.map((t) => (t.ok ? `  ✔ ${t.name} ${t.version}` : `  ✘ ${t.message} [exit ${t.exitCode}]`)).join("\n");
}
