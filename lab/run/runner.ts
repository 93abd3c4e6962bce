// Running one argv for real through zx's `$` (the lab's declared tool): arguments quoted by zx,
// `nothrow` (a failing command is a result, not an exception), zx's timeout, output captured and
// optionally streamed to the terminal as it arrives. A missing binary is reported as `notFound`
// (looked up on the command's PATH first), not thrown. zx's types are ESM-only, so it is loaded
// with a dynamic import() from this CommonJS module.

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

/** A runner over zx's `$`; `baseEnv` (default: this process's) decides PATH lookup too. */
export function zxRunner(baseEnv: NodeJS.ProcessEnv = process.env): CommandRunner {
  return async (argv, options = {}) => {
    if (argv.length === 0) throw new Error("argv: empty command");
    const { $, which } = await import("zx");
    // zx runs the command through bash. Node's stdio pipes are socketpairs, and a bash whose stdin is
    // a socket and that sees no SHLVL takes itself for an rshd/sshd session and sources ~/.bashrc
    // (bash(1), INVOCATION); an inherited or explicit SHLVL keeps the user's rc files out.
    const env: NodeJS.ProcessEnv = { SHLVL: "1", ...baseEnv, ...(options.env ?? {}) };
    const found = await which(argv[0], { path: env.PATH ?? "", nothrow: true });
    if (!found) return { code: null, stdout: "", stderr: `${argv[0]}: not found on PATH`, notFound: true };
    const started = Date.now();
    const child = $({
      nothrow: true,
      quiet: true,
      env,
      input: options.stdin ?? "",
      ...(options.timeoutMs ? { timeout: options.timeoutMs, timeoutSignal: "SIGKILL" as const } : {}),
    })`${[...argv]}`;
    if (options.stream) {
      child.stdout.on("data", (chunk: Buffer) => process.stdout.write(chunk));
      child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    }
    const output = await child;
    const timedOut = options.timeoutMs !== undefined && output.signal !== null && Date.now() - started >= options.timeoutMs;
    return { code: output.exitCode, stdout: output.stdout, stderr: output.stderr, ...(timedOut ? { timedOut } : {}) };
  };
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
