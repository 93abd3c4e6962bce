// The cluster read against recorded API responses, served by a local HTTP server so the real
// @kubernetes/client-node code runs: typed lists, pagination (limit/continue), a 403 on one kind.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { runAuditCli } from "../../../lab/audit/cli";
import { connect } from "../../../lab/audit/client";
import { readCluster } from "../../../lab/audit/read";
import { visibilityOf } from "../../../lab/audit/visibility";

const ns = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels }, creationTimestamp: "2026-01-01T00:00:00Z" } });
const NAMESPACES = [ns("tenant-acme"), ns("tenant-globex"), ns("istio-system"), ns("kube-system"), ns("default")];
const NETPOL = {
  metadata: { name: "admit-acme", namespace: "tenant-globex" },
  spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tenant-acme" } } }], ports: [{ port: 8080, protocol: "TCP" }] }] },
};

interface Recorded {
  server: Server;
  requests: string[];
  kubeconfig: string;
  dir: string;
}

/** Serves discovery, paged namespace lists (2 per page), one NetworkPolicy, 403 on AuthorizationPolicies, empty lists elsewhere. */
async function recordedApi(): Promise<Recorded> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const list = (kind: string, items: unknown[], cont?: string) => send(200, { kind: `${kind}List`, apiVersion: "v1", metadata: { resourceVersion: "1", ...(cont ? { continue: cont } : {}) }, items });
    if (url.pathname === "/api") return send(200, { kind: "APIVersions", versions: ["v1"] });
    if (url.pathname === "/apis") {
      const group = (name: string, versions: string[]) => ({ name, versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })), preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] } });
      return send(200, { kind: "APIGroupList", apiVersion: "v1", groups: [group("apps", ["v1"]), group("batch", ["v1"]), group("networking.k8s.io", ["v1"]), group("security.istio.io", ["v1"]), group("networking.istio.io", ["v1"])] });
    }
    if (url.pathname === "/api/v1/namespaces") {
      const start = Number(url.searchParams.get("continue") ?? "0");
      const limit = Number(url.searchParams.get("limit"));
      const page = NAMESPACES.slice(start, start + limit);
      return list("Namespace", page, start + limit < NAMESPACES.length ? String(start + limit) : undefined);
    }
    if (url.pathname === "/apis/networking.k8s.io/v1/networkpolicies") return list("NetworkPolicy", [NETPOL]);
    if (url.pathname === "/apis/security.istio.io/v1/authorizationpolicies") {
      return send(403, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message: 'authorizationpolicies.security.istio.io is forbidden: User "auditor" cannot list resource "authorizationpolicies" in API group "security.istio.io" at the cluster scope' });
    }
    if (url.pathname.startsWith("/api/v1/namespaces/istio-system/configmaps/")) return send(404, { kind: "Status", code: 404, reason: "NotFound", message: "configmaps \"istio\" not found" });
    return list("Thing", []);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), "ht-audit-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: rec, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: auditor, user: {token: recorded}}]
contexts: [{name: recorded, context: {cluster: rec, user: auditor}}]
current-context: recorded
`);
  return { server, requests, kubeconfig, dir };
}

describe("audit: reading a cluster through @kubernetes/client-node (recorded API responses)", () => {
  let api: Recorded;
  beforeEach(async () => {
    api = await recordedApi();
  });
  afterEach(() => {
    api.server.close();
    rmSync(api.dir, { recursive: true, force: true });
  });

  it("follows continue tokens until the list ends, with the page size as limit", async () => {
    const read = await readCluster(await connect({ kubeconfig: api.kubeconfig }), { meshNamespace: "istio-system", pageSize: 2 });
    assert.deepEqual(api.requests.filter((r) => r.startsWith("/api/v1/namespaces?")), ["/api/v1/namespaces?limit=2", "/api/v1/namespaces?continue=2&limit=2", "/api/v1/namespaces?continue=4&limit=2"]);
    const namespaces = read.kinds.find((k) => k.id === "Namespace")!;
    assert.deepEqual([namespaces.status, namespaces.count, namespaces.pages], ["read", 5, 3]);
  });

  it("returns wire objects: typed core lists turned back (timestamps as strings), grouped kinds as the server's JSON (`from`, not `_from`), apiVersion and kind set", async () => {
    const read = await readCluster(await connect({ kubeconfig: api.kubeconfig }), { meshNamespace: "istio-system" });
    const np = read.objects.find((o) => o.kind === "NetworkPolicy")!;
    assert.equal(np.apiVersion, "networking.k8s.io/v1");
    assert.deepEqual(np.spec, NETPOL.spec);
    assert.ok(api.requests.some((r) => r.startsWith("/apis/apps/v1/deployments?")), "built-in grouped kinds are plain GETs on their group path");
    const acme = read.objects.find((o) => o.kind === "Namespace" && o.metadata.name === "tenant-acme")!;
    assert.equal(typeof (acme.metadata as unknown as { creationTimestamp: unknown }).creationTimestamp, "string");
  });

  it("records a 403 on one kind with the server's message and reads on; the layer it feeds is not seen", async () => {
    const read = await readCluster(await connect({ kubeconfig: api.kubeconfig }), { meshNamespace: "istio-system" });
    const ap = read.kinds.find((k) => k.id === "AuthorizationPolicy.security.istio.io")!;
    assert.equal(ap.status, "forbidden");
    assert.match(ap.reason!, /HTTP 403: .*cannot list resource "authorizationpolicies"/);
    assert.equal(read.kinds.find((k) => k.id === "Tier.projectcalico.org")!.status, "not-served");
    assert.equal(read.meshConfig.status, "absent");
    const visibility = visibilityOf(read);
    assert.deepEqual(visibility.unseenLayers.sort(), ["authorization", "calico", "clusterNetworkPolicy"]);
    assert.equal(visibility.accessErrors.length, 1);
  });

  it("exits 2 and names the layers it could not see in every format, never passing them", async () => {
    for (const format of ["table", "json", "junit"]) {
      let out = "";
      const code = await runAuditCli(["--kubeconfig", api.kubeconfig, "--format", format, "--quiet"], { stdout: (t) => (out += t), stderr: () => undefined });
      assert.equal(code, 2, format);
      if (format === "table") assert.match(out, /authorization +NOT SEEN \(not credited\): AuthorizationPolicy\.security\.istio\.io forbidden/);
      if (format === "table") assert.match(out, /RESULT: INCOMPLETE \(exit 2\)/);
      if (format === "json") assert.deepEqual((JSON.parse(out) as { notCredited: string[] }).notCredited.sort(), ["authorization", "calico", "clusterNetworkPolicy"]);
      if (format === "junit") assert.match(out, /<testcase classname="audit.layer" name="calico">\s*<failure message="not seen, not credited/);
    }
  });

  it("writes a dump that `verify --manifests` reads back, with what was not read beside it", async () => {
    const dump = join(api.dir, "dump");
    await runAuditCli(["--kubeconfig", api.kubeconfig, "--dump", dump, "--quiet"], { stdout: () => undefined, stderr: () => undefined });
    assert.match(readFileSync(join(dump, "NetworkPolicy.networking.k8s.io.yaml"), "utf8"), /name: admit-acme/);
    assert.match(readFileSync(join(dump, "read-status.txt"), "utf8"), /"status": "forbidden"/);
  });

  it("refuses an unknown context with the contexts it has (exit 2)", async () => {
    let err = "";
    const code = await runAuditCli(["--kubeconfig", api.kubeconfig, "--context", "nope"], { stdout: () => undefined, stderr: (t) => (err += t) });
    assert.equal(code, 2);
    assert.match(err, /--context nope: no such context .*contexts: recorded/);
  });
});
