import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureMeshCa, foreignCa, mintWorkloadCertificate, pluginCaSecret, spiffeId } from "../../../../lab/local/mesh/plugin-ca";

const verify = (ca: string, untrusted: string | undefined, cert: string): string => {
  try {
    return execFileSync("openssl", ["verify", "-CAfile", ca, ...(untrusted ? ["-untrusted", untrusted] : []), cert], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
};

describe("the local lab's plug-in mesh CA (the platform's cacerts layout)", function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "ht-mesh-ca-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("makes a root and an intermediate the root signed, and reuses them", async () => {
    const ca = await ensureMeshCa(dir);
    assert.match(verify(ca.root.cert, undefined, ca.intermediate.cert), /: OK$/);
    assert.match(execFileSync("openssl", ["x509", "-in", ca.intermediate.cert, "-noout", "-text"], { encoding: "utf8" }), /CA:TRUE, pathlen:0/);
    const again = await ensureMeshCa(dir);
    assert.equal(readFileSync(again.intermediate.cert, "utf8"), readFileSync(ca.intermediate.cert, "utf8"));
  });

  it("puts them into the cacerts Secret as cert-manager writes it: tls.crt the intermediate, tls.key its key, ca.crt the root", async () => {
    const ca = await ensureMeshCa(dir);
    const secret = pluginCaSecret("istio-system", ca) as unknown as { type: string; metadata: { name: string; namespace: string }; data: Record<string, string> };
    assert.deepEqual([secret.metadata.name, secret.metadata.namespace, secret.type], ["cacerts", "istio-system", "kubernetes.io/tls"]);
    assert.equal(Buffer.from(secret.data["tls.crt"], "base64").toString(), readFileSync(ca.intermediate.cert, "utf8"));
    assert.equal(Buffer.from(secret.data["ca.crt"], "base64").toString(), readFileSync(ca.root.cert, "utf8"));
    assert.equal(Buffer.from(secret.data["tls.key"], "base64").toString(), readFileSync(ca.intermediate.key, "utf8"));
  });

  it("mints a workload certificate with the SPIFFE identity as its URI SAN: the mesh root verifies the genuine one, not the foreign one", async () => {
    const ca = await ensureMeshCa(dir);
    const identity = spiffeId("cluster.local", "tenant-acme", "client");
    assert.equal(identity, "spiffe://cluster.local/ns/tenant-acme/sa/client");
    const genuine = await mintWorkloadCertificate(dir, "genuine", ca.intermediate, identity, true);
    const foreign = await mintWorkloadCertificate(dir, "foreign", await foreignCa(dir), identity, true);
    assert.match(execFileSync("openssl", ["x509", "-in", genuine.cert, "-noout", "-ext", "subjectAltName"], { encoding: "utf8" }), /URI:spiffe:\/\/cluster.local\/ns\/tenant-acme\/sa\/client/);
    assert.match(verify(ca.root.cert, ca.intermediate.cert, genuine.cert), /: OK$/);
    assert.doesNotMatch(verify(ca.root.cert, undefined, foreign.cert), /: OK$/);
    assert.equal((readFileSync(genuine.chain, "utf8").match(/BEGIN CERTIFICATE/g) ?? []).length, 2, "leaf and intermediate, as a sidecar presents them");
  });
});
