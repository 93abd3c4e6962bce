// Running one argv for real (child_process, no shell): output captured, optionally streamed to the
// terminal, killed after its timeout. A missing binary is reported as `notFound`, not thrown.
import { spawn } from "node:child_process";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The executable was not found on PATH. */
  notFound?: boolean;
  /** Killed because it ran longer than timeoutMs. */
  timedOut?: boolean;
}

export interface RunOptions {
  stdin?: string;
  /** Added to (and overriding) the runner's base environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Stream stdout/stderr to the terminal as they arrive (long steps: kind create, rollouts). */
  stream?: boolean;
}

export type CommandRunner = (argv: readonly string[], options?: RunOptions) => Promise<CommandResult>;

/** A runner over child_process.spawn; `baseEnv` (default: this process's) decides PATH lookup too. */
export function spawnRunner(baseEnv: NodeJS.ProcessEnv = process.env): CommandRunner {
  return (argv, options = {}) =>
    new Promise((resolve) => {
      if (argv.length === 0) throw new Error("argv: empty command");
      const env = { ...baseEnv, ...(options.env ?? {}) };
      const child = spawn(argv[0], argv.slice(1), { env, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        if (options.stream) process.stdout.write(chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
        if (options.stream) process.stderr.write(chunk);
      });
      const timer = options.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, options.timeoutMs)
        : undefined;
      child.on("error", (error: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        resolve({ code: null, stdout, stderr: stderr + error.message, notFound: error.code === "ENOENT" });
      });
      child.on("close", (code) => {
        if (timer) clearTimeout(timer);
        resolve({ code, stdout, stderr, ...(timedOut ? { timedOut } : {}) });
      });
      child.stdin.on("error", () => undefined); // the command may exit without reading stdin
      child.stdin.end(options.stdin ?? "");
    });
}

/** Runs `tasks` with at most `limit` in flight; results keep the input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
