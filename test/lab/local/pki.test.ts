import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePki } from "../../../lab/local/pki";

function openssl(...args: string[]): string {
  return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("local PKI (openssl)", function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    try {
      openssl("version");
    } catch {
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), "ht-pki-"));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it("signs the API server's serving certificate for its address, the Service VIP and the in-cluster names", async () => {
    const pki = await ensurePki({ dir, apiServerIps: ["127.0.0.1", "10.96.0.1"] });
    assert.match(openssl("verify", "-CAfile", pki.ca.cert, pki.apiServer.cert), /OK/);
    const text = openssl("x509", "-in", pki.apiServer.cert, "-noout", "-text");
    for (const san of ["IP Address:127.0.0.1", "IP Address:10.96.0.1", "DNS:kubernetes.default.svc.cluster.local"]) assert.ok(text.includes(san), san);
    assert.match(text, /TLS Web Server Authentication/);
  });

  it("puts the lab admin in system:masters and keeps etcd behind its own CA", async () => {
    const pki = await ensurePki({ dir, apiServerIps: ["127.0.0.1"] });
    assert.match(openssl("x509", "-in", pki.admin.cert, "-noout", "-subject"), /O\s*=\s*system:masters, CN\s*=\s*hard-tenancy-admin/);
    assert.match(openssl("verify", "-CAfile", pki.etcdCa.cert, pki.apiServerEtcdClient.cert), /OK/);
    assert.throws(() => openssl("verify", "-CAfile", pki.etcdCa.cert, pki.admin.cert));
    assert.equal(statSync(dir).mode & 0o077, 0, "the PKI directory is private");
  });

  it("reuses what exists: a second call changes no file", async () => {
    const first = await ensurePki({ dir, apiServerIps: ["127.0.0.1"] });
    const before = statSync(first.ca.key).mtimeMs;
    await ensurePki({ dir, apiServerIps: ["127.0.0.1"] });
    assert.equal(statSync(first.ca.key).mtimeMs, before);
  });
});
