// Long-running upstream processes (etcd, kube-apiserver, …) as plain daemons: started detached
// with their output in a log file and their pid in a pid file, stopped only by that pid. A process
// that dies while we wait for it is reported with the tail of its log.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

export interface DaemonSpec {
  name: string;
  binary: string;
  args: string[];
  env?: Record<string, string>;
  /** Start with exactly `env` instead of this process's environment plus `env` (a pod's container). */
  cleanEnv?: boolean;
  /** Working directory (Istio's binaries resolve their ./etc and ./var paths against it). */
  cwd?: string;
  logDir: string;
  pidDir: string;
}

export interface Daemon {
  name: string;
  pid: number;
  logFile: string;
  pidFile: string;
}

export class DaemonDied extends Error {}

export function logFileOf(logDir: string, name: string): string {
  return join(logDir, `${name}.log`);
}

export function pidFileOf(pidDir: string, name: string): string {
  return join(pidDir, `${name}.pid`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The last `lines` lines of a log file ("" when there is none). */
export function logTail(file: string, lines = 20): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

export function startDaemon(spec: DaemonSpec): Daemon {
  mkdirSync(spec.logDir, { recursive: true });
  mkdirSync(spec.pidDir, { recursive: true });
  const logFile = logFileOf(spec.logDir, spec.name);
  const pidFile = pidFileOf(spec.pidDir, spec.name);
  const fd = openSync(logFile, "a");
  try {
    writeFileSync(fd, `--- ${new Date().toISOString()} ${spec.binary} ${spec.args.join(" ")}\n`);
    const child = spawn(spec.binary, spec.args, { detached: true, cwd: spec.cwd, stdio: ["ignore", fd, fd], env: spec.cleanEnv ? { ...spec.env } : { ...process.env, ...spec.env } });
    if (child.pid === undefined) throw new DaemonDied(`${spec.name}: could not start ${spec.binary}`);
    child.unref();
    writeFileSync(pidFile, `${child.pid}\n`);
    return { name: spec.name, pid: child.pid, logFile, pidFile };
  } finally {
    closeSync(fd);
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/** Polls `ready` until it answers true; fails early, with the log tail, if the daemon exits. */
export async function waitUntilReady(daemon: Daemon, ready: () => Promise<boolean>, options: { timeoutMs: number; what: string }): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (!isAlive(daemon.pid)) {
      throw new DaemonDied(`${daemon.name} exited while starting (waiting for ${options.what}); last lines of ${daemon.logFile}:\n${logTail(daemon.logFile)}`);
    }
    if (await ready().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > options.timeoutMs) {
      throw new DaemonDied(`${daemon.name} did not become ready within ${options.timeoutMs / 1000} s (waiting for ${options.what}); last lines of ${daemon.logFile}:\n${logTail(daemon.logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; only the pid in the pid file. Returns what was done. */
export async function stopDaemon(pidFile: string, graceMs = 10_000): Promise<"stopped" | "not running"> {
  const pid = readPid(pidFile);
  if (pid === undefined || !isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return "not running";
  }
  // Daemons start detached, each the leader of its own process group: signal the group, so what
  // the daemon started (pilot-agent's Envoy) goes with it.
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) signal("SIGKILL");
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  // A child that outlived its leader (it ignored SIGTERM) is not left behind.
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // no process left in the group
  }
  rmSync(pidFile, { force: true });
  return "stopped";
}

/** A TCP port nobody listens on at `host` right now (the kernel picks it). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** True when something already listens on host:port. */
export function portTaken(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/**
 * An exclusive lock file holding our pid. A lock left by a process that no longer runs is taken
 * over; one held by a live process is an error naming it.
 */
export function acquireLock(lockFile: string, what: string): () => void {
  mkdirSync(dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx");
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readPid(lockFile);
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        throw new Error(`${what}: another lab run (pid ${holder}) holds ${lockFile}; wait for it to finish (or stop it), then retry`);
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`${what}: could not take ${lockFile}`);
}

/** Resident memory of a live process in MiB (VmRSS of /proc/<pid>/status), or undefined when gone. */
export function residentMiB(pid: number): number | undefined {
  try {
    const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Pids of a process's direct children whose command name is `comm`. A child is listed under the
 * thread that forked it (/proc/<pid>/task/<tid>/children), so every thread is read (Go forks from any).
 */
export function childPidsNamed(pid: number, comm: string): number[] {
  const children: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        children.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // the thread ended while being read
      }
    }
  } catch {
    return [];
  }
  return [...new Set(children)].filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, "utf8").trim() === comm;
    } catch {
      return false;
    }
  });
}
