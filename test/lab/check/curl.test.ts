import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CURL_WRITE_OUT, curlArgs, shellJoin, shellQuote } from "../../../lab/check/curl";
import { pathTraversalProbes } from "../../../lab/probes/catalogue";

describe("lab check curl invocation", () => {
  it("builds the lab's exact flags: no curlrc, no proxy, path as is, --max-time, the -w format, then the URL", () => {
    assert.deepEqual(curlArgs({ url: "http://echo.tenant-a.svc.cluster.local:80/", method: "GET", headers: {} }, 5), [
      "-q", "-s", "--noproxy", "*", "--path-as-is", "--max-time", "5", "-w", CURL_WRITE_OUT, "http://echo.tenant-a.svc.cluster.local:80/",
    ]);
  });

  it("captures http code, curl's exit code and error message in the -w format", () => {
    assert.match(CURL_WRITE_OUT, /%\{http_code\}.*%\{exitcode\}.*%\{errormsg\}\\n$/);
  });

  it("sends POST with an empty body and forged headers as given", () => {
    const args = curlArgs({ url: "http://x:8080/logs/ingest/a/probe", method: "post", headers: { "x-tenant-identity": "globex" } });
    assert.deepEqual(args.slice(9), ["-X", "POST", "--data-binary", "", "-H", "x-tenant-identity: globex", "http://x:8080/logs/ingest/a/probe"]);
  });

  it("rejects header injection, bad methods and non-HTTP URLs, naming the field", () => {
    assert.throws(() => curlArgs({ url: "http://x/", method: "GET", headers: { a: "b\r\nc: d" } }), /headers\.a: the value contains a line break/);
    assert.throws(() => curlArgs({ url: "http://x/", method: "GET", headers: { "bad name": "v" } }), /headers: "bad name" is not a valid HTTP header name/);
    assert.throws(() => curlArgs({ url: "http://x/", method: "G ET", headers: {} }), /method: "G ET" is not an HTTP method/);
    assert.throws(() => curlArgs({ url: "file:///etc/passwd", method: "GET", headers: {} }), /url: .* must start with http/);
    assert.throws(() => curlArgs({ url: "http://x/", method: "GET", headers: {} }, 0), /maxTimeSeconds: 0/);
  });

  it("quotes words so a POSIX shell gives back exactly the same argv", () => {
    const words = ["plain", "", "it's", "$HOME", "a b", "*", "x'\"y", "%{http_code}\\n", "-H", "semi;colon"];
    const echoed = spawnSync("sh", ["-c", `for a in ${shellJoin(words)}; do printf '%s\\0' "$a"; done`], { encoding: "utf8" });
    assert.deepEqual(echoed.stdout.split("\0").slice(0, -1), words);
    assert.equal(shellQuote("kind-hard-tenancy-lab"), "kind-hard-tenancy-lab");
  });

  describe("with real curl against a local server", function () {
    let server: Server;
    let port = 0;
    const seen: string[] = [];
    before(async function () {
      if (spawnSync("curl", ["--version"]).status !== 0) {
        console.log("      skipped: curl is not installed");
        this.skip();
      }
      server = createServer((req, res) => {
        seen.push(req.url ?? "");
        res.end("ok");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    it("sends every path-traversal probe's path byte for byte: no dot-segment removal, no decoding, no re-encoding", async () => {
      const paths = [...pathTraversalProbes({ pathPrefix: "/logs/ingest" }, "acme", "globex").map((p) => p.path), "/a/../b", "//logs/ingest/globex", "/x/%2e%2e%2fy"];
      for (const path of paths) {
        const args = curlArgs({ url: `http://127.0.0.1:${port}${path}`, method: "POST", headers: {} }, 5);
        // Async: the server answers from this same process.
        await new Promise<void>((resolve, reject) => execFile("curl", [...args, "-o", "/dev/null"], (err) => (err ? reject(new Error(`curl failed: ${err.message}`)) : resolve())));
        assert.equal(seen.at(-1), path);
      }
    });
  });
});
