import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock, childPidsNamed, DaemonDied, freePort, isAlive, portTaken, residentMiB, startDaemon, stopDaemon, waitUntilReady } from "../../../lab/local/processes";

describe("local daemons", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "ht-daemons-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const dirs = (): { logDir: string; pidDir: string } => ({ logDir: join(dir, "logs"), pidDir: join(dir, "pids") });

  it("starts a process detached with its pid in a pid file, and stops exactly that pid; stopping again is a no-op", async () => {
    const daemon = startDaemon({ ...dirs(), name: "sleeper", binary: "sleep", args: ["30"] });
    assert.ok(isAlive(daemon.pid));
    assert.ok(existsSync(daemon.pidFile));
    assert.equal(await stopDaemon(daemon.pidFile), "stopped");
    assert.ok(!isAlive(daemon.pid));
    assert.equal(await stopDaemon(daemon.pidFile), "not running");
  });

  it("reports a process that dies while starting with the tail of its log", async () => {
    const daemon = startDaemon({ ...dirs(), name: "crasher", binary: "sh", args: ["-c", "echo 'listen tcp 127.0.0.1:1: bind: address already in use'; exit 3"] });
    await assert.rejects(waitUntilReady(daemon, async () => false, { timeoutMs: 5000, what: "its port" }), (error: Error) => {
      assert.ok(error instanceof DaemonDied);
      assert.match(error.message, /crasher exited while starting \(waiting for its port\)/);
      assert.match(error.message, /address already in use/);
      return true;
    });
  });

  it("gives up after the timeout with what it waited for", async () => {
    const daemon = startDaemon({ ...dirs(), name: "slow", binary: "sleep", args: ["30"] });
    try {
      await assert.rejects(waitUntilReady(daemon, async () => false, { timeoutMs: 300, what: "/readyz" }), /slow did not become ready within 0.3 s \(waiting for \/readyz\)/);
    } finally {
      await stopDaemon(daemon.pidFile);
    }
  });

  it("holds a lock against a second run while its holder lives, and takes over a stale one", async () => {
    const lock = join(dir, "lock");
    const other = startDaemon({ ...dirs(), name: "other-run", binary: "sleep", args: ["30"] });
    writeFileSync(lock, `${other.pid}\n`);
    try {
      assert.throws(() => acquireLock(lock, "lab up"), new RegExp(`lab up: another lab run \\(pid ${other.pid}\\) holds`));
    } finally {
      await stopDaemon(other.pidFile);
    }
    const release = acquireLock(lock, "lab up"); // the holder is gone: the stale lock is taken over
    assert.equal(readFileSync(lock, "utf8").trim(), String(process.pid));
    release();
    assert.ok(!existsSync(lock));
  });

  it("picks a free port and sees a taken one", async () => {
    const port = await freePort();
    assert.equal(await portTaken(port), false);
    const server = createServer().listen(port, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      assert.equal(await portTaken(port), true);
    } finally {
      server.close();
    }
  });

  it("starts a process in the working directory it is given (Istio resolves ./etc and ./var against it)", async () => {
    const daemon = startDaemon({ ...dirs(), name: "pwd", binary: "sh", args: ["-c", "pwd; sleep 30"], cwd: dir });
    try {
      await waitUntilReady(daemon, async () => readFileSync(daemon.logFile, "utf8").includes(dir), { timeoutMs: 5_000, what: "pwd" });
    } finally {
      await stopDaemon(daemon.pidFile, 1_000);
    }
  });

  it("reads a live process's resident memory and finds its children by command name; a gone process has none", async () => {
    const daemon = startDaemon({ ...dirs(), name: "parent", binary: "sh", args: ["-c", "sleep 30 & wait"] });
    try {
      await waitUntilReady(daemon, async () => childPidsNamed(daemon.pid, "sleep").length === 1, { timeoutMs: 5_000, what: "the child sleep" });
      assert.ok((residentMiB(daemon.pid) ?? 0) > 0);
      assert.deepEqual(childPidsNamed(daemon.pid, "envoy"), []);
    } finally {
      await stopDaemon(daemon.pidFile, 1_000);
    }
    assert.equal(residentMiB(daemon.pid), undefined);
  });
});
