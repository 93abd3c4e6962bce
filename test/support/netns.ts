// Helpers for tests that drive real curl against real servers in two Linux network namespaces
// joined by a veth pair. Every address lives inside namespaces the test creates (10.250.X.0/29),
// so no traffic leaves this machine and the host's own interfaces are untouched.
//
//   client ns  vc<id> 10.250.X.1/29  <──veth──>  vs<id> 10.250.X.2/29  server ns
//   10.250.X.6: a permanent neighbour entry with a MAC nobody owns → frames are silently dropped
//   client resolv.conf (via /etc/netns/<client>/resolv.conf): nameserver 127.0.0.1, nothing listens → DNS fails (exit 6)
//   server resolv.conf: nameserver 10.250.X.6 (the black hole) → lookups hang until --max-time (exit 28 "Resolving timed out")
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Why these tests cannot run here, or null when they can. */
export function netnsSkipReason(): string | null {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "network-namespace tests need root (ip netns add)";
  for (const tool of ["ip", "curl", "sh"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `network-namespace tests need \`${tool}\` on PATH`;
  }
  const probeName = `htprobe${randomBytes(3).toString("hex")}`;
  const added = spawnSync("ip", ["netns", "add", probeName], { encoding: "utf8" });
  if (added.status !== 0) return `cannot create network namespaces here: ${added.stderr.trim()}`;
  spawnSync("ip", ["netns", "del", probeName]);
  return null;
}

function must(argv: string[]): void {
  const done = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 10_000 });
  if (done.status !== 0) throw new Error(`${argv.join(" ")} failed: ${done.stderr || done.error?.message}`);
}

/** Runs argv to completion (bounded by timeoutMs: the child is killed after it). */
export function run(argv: string[], timeoutMs: number, input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + error.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? "");
  });
}

export class NetnsPair {
  readonly id = randomBytes(3).toString("hex");
  readonly client = `ht-${this.id}-client`;
  readonly server = `ht-${this.id}-server`;
  readonly subnet = `10.250.${1 + (randomBytes(1)[0] % 250)}`;
  readonly clientIp = `${this.subnet}.1`;
  readonly serverIp = `${this.subnet}.2`;
  /** Routed on-link but answered by no one: packets to it vanish (the "silently dropped" case). */
  readonly blackholeIp = `${this.subnet}.6`;
  private readonly children: ChildProcess[] = [];
  private created = false;

  create(): void {
    this.created = true;
    const vc = `vc${this.id}`;
    const vs = `vs${this.id}`;
    must(["ip", "netns", "add", this.client]);
    must(["ip", "netns", "add", this.server]);
    must(["ip", "link", "add", vc, "netns", this.client, "type", "veth", "peer", "name", vs, "netns", this.server]);
    must(["ip", "-n", this.client, "addr", "add", `${this.clientIp}/29`, "dev", vc]);
    must(["ip", "-n", this.server, "addr", "add", `${this.serverIp}/29`, "dev", vs]);
    for (const [ns, dev] of [[this.client, vc], [this.server, vs]]) {
      must(["ip", "-n", ns, "link", "set", "lo", "up"]);
      must(["ip", "-n", ns, "link", "set", dev, "up"]);
    }
    must(["ip", "-n", this.client, "neigh", "add", this.blackholeIp, "lladdr", "02:00:5e:00:00:66", "dev", vc, "nud", "permanent"]);
    // `ip netns exec` bind-mounts /etc/netns/<name>/* over /etc/* for the command it runs.
    mkdirSync(`/etc/netns/${this.client}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.client}/resolv.conf`, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
    // The server namespace's resolver is the black hole: lookups there hang until curl's --max-time.
    must(["ip", "-n", this.server, "neigh", "add", this.blackholeIp, "lladdr", "02:00:5e:00:00:66", "dev", vs, "nud", "permanent"]);
    mkdirSync(`/etc/netns/${this.server}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.server}/resolv.conf`, `nameserver ${this.blackholeIp}\noptions timeout:10 attempts:1\n`);
  }

  /** Starts `node -e code args…` inside the server namespace; resolves once it prints "ready". */
  startServer(code: string, args: string[], readyTimeoutMs = 5000): Promise<void> {
    const child = spawn("ip", ["netns", "exec", this.server, process.execPath, "-e", code, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.push(child);
    return new Promise((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => reject(new Error(`server not ready after ${readyTimeoutMs} ms: ${output}`)), readyTimeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString("utf8");
        if (output.includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${code}) before it was ready: ${output}`));
      });
    });
  }

  /** Runs argv inside the server namespace (its resolver never answers). */
  inServer(argv: string[], timeoutMs: number): Promise<CommandResult> {
    return run(["ip", "netns", "exec", this.server, ...argv], timeoutMs);
  }

  /** Runs argv inside the client namespace. */
  inClient(argv: string[], timeoutMs: number): Promise<CommandResult> {
    return run(["ip", "netns", "exec", this.client, ...argv], timeoutMs);
  }

  /** Kills the servers, deletes both namespaces (the veth pair goes with them) and the resolver file. Safe to call twice. */
  destroy(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
    this.children.length = 0;
    if (!this.created) return;
    spawnSync("ip", ["netns", "del", this.client]);
    spawnSync("ip", ["netns", "del", this.server]);
    rmSync(`/etc/netns/${this.client}`, { recursive: true, force: true });
    rmSync(`/etc/netns/${this.server}`, { recursive: true, force: true });
    this.created = false;
  }
}

/** Ports of the symptom server (nothing listens on `refused`). */
export const SYMPTOM_PORTS = { echo: 8080, rbac: 8403, upstreamError: 8503, reset: 8056, refused: 8007, closed: 8052, binary: 8053 } as const;

/**
 * Plain JavaScript run with `node -e` in the server namespace: argv[1] = listen address,
 * argv[2] = lifetime in ms (it exits by itself). Reproduces what a client sees from each layer:
 * the echo server's 200, Envoy's RBAC 403 and upstream-connect 503 bodies, and a server that
 * accepts, reads the request, then resets (SO_LINGER 0, as `socket.resetAndDestroy()` does). Two
 * servers that do not speak HTTP stand for what a TCP probe meets (a DNS server on TCP 53, istiod's
 * gRPC): one closes after reading the request without a byte back, one answers binary data.
 */
export const SYMPTOM_SERVER_CODE = `
const http = require("node:http");
const net = require("node:net");
const [host, lifetime] = [process.argv[1], Number(process.argv[2])];
setTimeout(() => process.exit(0), lifetime);
const reply = (status, body, type) => http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(status, { "content-type": type }); res.end(typeof body === "function" ? body(req) : body); });
});
const servers = [
  [${SYMPTOM_PORTS.echo}, reply(200, (req) => JSON.stringify({ tenant: "acme", workload: "echo", pod: "echo-0", method: req.method, path: req.url, xfcc: req.headers["x-forwarded-client-cert"] || "" }), "application/json")],
  [${SYMPTOM_PORTS.rbac}, reply(403, "RBAC: access denied", "text/plain")],
  [${SYMPTOM_PORTS.upstreamError}, reply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure", "text/plain")],
  [${SYMPTOM_PORTS.reset}, net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy()))],
  [${SYMPTOM_PORTS.closed}, net.createServer((socket) => socket.once("data", () => socket.end()))],
  [${SYMPTOM_PORTS.binary}, net.createServer((socket) => socket.once("data", () => socket.end(Buffer.from([0x00, 0x1c, 0x12, 0x34, 0x81, 0x83, 0x00, 0x01]))))],
];
let listening = 0;
for (const [port, server] of servers) server.listen(port, host, () => { if (++listening === servers.length) console.log("ready"); });
`;
