// Runs the host commands the dataplane needs (ip, sysctl, kubectl, calicoctl) and fails with the
// command and its stderr, so a refused `ip link add` names itself instead of surfacing later as a
// mysteriously unreachable pod.
import { execFile } from "node:child_process";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class CommandFailed extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
  ) {
    super(`\`${argv.join(" ")}\` failed (exit ${result.code}): ${result.stderr.trim().split("\n").slice(-5).join(" | ") || result.stdout.trim().split("\n").slice(-3).join(" | ") || "no output"}`);
  }
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

export function run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      argv[0],
      argv.slice(1),
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? Number((error as { code: number }).code) : error.killed ? 124 : 127) : 0;
        const result = { code, stdout: String(stdout), stderr: String(stderr) || (error && code === 127 ? error.message : "") };
        if (code !== 0 && !options.allowFailure) reject(new CommandFailed(argv, result));
        else resolve(result);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** `ip` in the host namespace, or in `netns` with `-n`. */
export function ip(netns: string | undefined, ...args: string[]): Promise<CommandResult> {
  return run(["ip", ...(netns ? ["-n", netns] : []), ...args]);
}

/** A command inside a network namespace (`ip netns exec` also bind-mounts /etc/netns/<ns>/*). */
export function inNetns(netns: string, argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return run(["ip", "netns", "exec", netns, ...argv], options);
}

export async function sysctl(netns: string, settings: Record<string, string>): Promise<void> {
  await inNetns(netns, ["sysctl", "-q", "-w", ...Object.entries(settings).map(([key, value]) => `${key}=${value}`)]);
}
