// Runs the real echo server program with node on a free port and talks HTTP to it.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { ECHO_SERVER_MARKER, ECHO_SERVER_PROGRAM, type EchoResponse } from "../../../lab/workloads/echo-server";

const CLIENT_URI = "spiffe://cluster.local/ns/tenant-acme/sa/client";
const SERVER_URI = "spiffe://cluster.local/ns/shared-services/sa/log-collector";
/** Shape of the XFCC Istio's inbound sidecar sets: By = the server, URI = the verified caller. */
const ISTIO_XFCC = `By=${SERVER_URI};Hash=9ba5c5d1b7e8a3f0;Subject="";URI=${CLIENT_URI}`;

interface Reply {
  status: number;
  contentType: string | undefined;
  body: EchoResponse;
}

function request(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: options.method ?? "GET", path: options.path ?? "/", headers: options.headers },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          try {
            resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], body: JSON.parse(text) as EchoResponse });
          } catch (error) {
            reject(new Error(`echo server answered non-JSON: ${text}`, { cause: error }));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("echo server program", () => {
  let dir: string;
  let child: ChildProcess;
  let port: number;
  let exited: Promise<number | null>;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "echo-server-"));
    const program = path.join(dir, "server.js");
    writeFileSync(program, ECHO_SERVER_PROGRAM);
    child = spawn(process.execPath, [program], {
      env: { PATH: process.env.PATH, PORT: "0", HT_TENANT: "acme", HT_NAMESPACE: "tenant-acme", HT_WORKLOAD: "echo", HT_POD_NAME: "echo-7d9f-abcde" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    port = await new Promise<number>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on port (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("exit", (code) => reject(new Error(`echo server exited (${String(code)}) before listening: ${err}`)));
    });
  });

  after(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers a plain request with who it is, and no caller identity", async () => {
    const reply = await request(port, { path: "/api/v1/orders?x=1" });
    assert.equal(reply.status, 200);
    assert.equal(reply.contentType, "application/json");
    assert.deepEqual(reply.body, {
      server: ECHO_SERVER_MARKER,
      tenant: "acme",
      namespace: "tenant-acme",
      workload: "echo",
      pod: "echo-7d9f-abcde",
      method: "GET",
      path: "/api/v1/orders?x=1",
      host: `127.0.0.1:${port}`,
      bodyBytes: 0,
      caller: { xfcc: null, xfccUris: [], xfccMalformed: false, spiffe: null, tenantIdentity: null },
    });
  });

  it("parses the caller's SPIFFE URI (not the By= server identity) out of an Istio XFCC header", async () => {
    const reply = await request(port, { headers: { "x-forwarded-client-cert": ISTIO_XFCC } });
    assert.equal(reply.body.caller.xfcc, ISTIO_XFCC);
    assert.equal(reply.body.caller.spiffe, CLIENT_URI);
    assert.deepEqual(reply.body.caller.xfccUris, [CLIENT_URI]);
  });

  it("trusts only the last XFCC element, the one its own sidecar appended, over a forged earlier one", async () => {
    const forged = 'URI=spiffe://cluster.local/ns/tenant-globex/sa/client;Subject="CN=x, O=y; z"';
    const reply = await request(port, { headers: { "x-forwarded-client-cert": `${forged},${ISTIO_XFCC}` } });
    assert.deepEqual(reply.body.caller.xfccUris, ["spiffe://cluster.local/ns/tenant-globex/sa/client", CLIENT_URI]);
    assert.equal(reply.body.caller.spiffe, CLIENT_URI);
  });

  it("is not fooled by a forged element whose open quote would swallow the sidecar's element: no identity, never the forged one", async () => {
    // The reviewer's attack: a client that speaks mTLS to the pod directly pre-sets XFCC; with
    // APPEND_FORWARD the sidecar appends the true element after it.
    const forged = 'URI=spiffe://cluster.local/ns/tenant-globex/sa/client;Subject="';
    const reply = await request(port, { headers: { "x-forwarded-client-cert": `${forged},${ISTIO_XFCC}` } });
    assert.equal(reply.body.caller.spiffe, null);
    assert.equal(reply.body.caller.xfccMalformed, true);
    assert.deepEqual(reply.body.caller.xfccUris, []);
  });

  for (const [what, forged] of [
    ["an escaped quote that keeps the quote open", 'URI=spiffe://cluster.local/ns/tenant-globex/sa/client;Subject="x\\"'],
    ["a backslash escaping the separating comma", 'URI=spiffe://cluster.local/ns/tenant-globex/sa/client;Subject="x\\'],
    ["a quote in the middle of an unquoted value", 'URI=spiffe://cluster.local/ns/tenant-globex/sa/client;Subject=a"b'],
    ["a pair without '='", 'URI=spiffe://cluster.local/ns/tenant-globex/sa/client;Subject'],
  ] as const) {
    it(`reports no identity for a forged prefix with ${what}`, async () => {
      const reply = await request(port, { headers: { "x-forwarded-client-cert": `${forged},${ISTIO_XFCC}` } });
      assert.equal(reply.body.caller.spiffe, null);
      assert.equal(reply.body.caller.xfccMalformed, true);
    });
  }

  it("splits on commas and semicolons only outside quotes and unescapes \\\" inside a quoted value", async () => {
    const header = `By=${SERVER_URI};Subject="CN=a\\"b, O=c; d";URI=${CLIENT_URI},Hash=ff;URI="${SERVER_URI}"`;
    const reply = await request(port, { headers: { "x-forwarded-client-cert": header } });
    assert.equal(reply.body.caller.xfccMalformed, false);
    assert.deepEqual(reply.body.caller.xfccUris, [CLIENT_URI, SERVER_URI]);
    assert.equal(reply.body.caller.spiffe, SERVER_URI);
  });

  it("reads keys case-insensitively and ignores a non-SPIFFE URI before the SPIFFE one", async () => {
    const reply = await request(port, { headers: { "x-forwarded-client-cert": `by=${SERVER_URI};uri=https://example.com;Uri=${CLIENT_URI}` } });
    assert.equal(reply.body.caller.spiffe, CLIENT_URI);
  });

  it("reports no SPIFFE identity when the last XFCC element carries none", async () => {
    const reply = await request(port, { headers: { "x-forwarded-client-cert": `${ISTIO_XFCC},Hash=abc;Subject="CN=legacy"` } });
    assert.deepEqual(reply.body.caller.xfccUris, [CLIENT_URI, null]);
    assert.equal(reply.body.caller.spiffe, null);
  });

  it("unquotes a quoted URI value", async () => {
    const reply = await request(port, { headers: { "x-forwarded-client-cert": `By=${SERVER_URI};URI="${CLIENT_URI}"` } });
    assert.equal(reply.body.caller.spiffe, CLIENT_URI);
  });

  it("echoes x-tenant-identity and counts a POST body without echoing it", async () => {
    const reply = await request(port, {
      method: "POST",
      path: "/logs/ingest/acme/app",
      headers: { "x-tenant-identity": CLIENT_URI, "content-type": "text/plain" },
      body: "hello log line",
    });
    assert.equal(reply.body.method, "POST");
    assert.equal(reply.body.path, "/logs/ingest/acme/app");
    assert.equal(reply.body.bodyBytes, "hello log line".length);
    assert.equal(reply.body.caller.tenantIdentity, CLIENT_URI);
    assert.equal(reply.body.caller.xfcc, null);
  });

  it("exits cleanly on SIGTERM", async () => {
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});
