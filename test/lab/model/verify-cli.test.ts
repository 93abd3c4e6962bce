import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { K8sObject } from "../../../components/k8s/object";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { buildProbeCatalogue } from "../../../lab/probes/catalogue";
import { platformObjects } from "../../../lab/model/platform";
import { runVerify } from "../../../lab/model/verify-cli";
import { findScenario } from "../../../lab/scenarios";
import { labConfig } from "../../fixtures/platform";

describe("verify CLI", () => {
  const lab = validatePlatformConfig(labConfig());
  let dir: string;

  function writeManifests(name: string, objects: K8sObject[]): string {
    const out = join(dir, name);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, "nested"), { recursive: true });
    const half = Math.floor(objects.length / 2);
    writeFileSync(join(out, "first.yaml"), objects.slice(0, half).map((o) => stringify(o)).join("---\n"));
    writeFileSync(join(out, "nested", "second.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items: objects.slice(half) }));
    return out;
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "verify-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the lab stack's tenants × tenants matrix with the layers that hold, and exits 0", () => {
    const r = runVerify([]);
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^attacker \\ victim\s+acme\s+globex\s+initech$/m);
    assert.match(r.stdout, /^acme\s+ok 3\/3\s+NC·PA 4\s+NC·PA 4$/m);
    assert.match(r.stdout, /Positive controls: 10\/10 pass/);
    assert.match(r.stdout, /RESULT: PASS/);
    assert.equal(r.stderr, "");
  });

  it("lists every probe in JSON with its intent, verdict, layers, observation and defense-in-depth count", () => {
    const r = runVerify(["--format", "json"]);
    assert.equal(r.exitCode, 0);
    const report = JSON.parse(r.stdout);
    const catalogue = buildProbeCatalogue(lab);
    assert.deepEqual(report.probes.map((p: { id: string }) => p.id), catalogue.map((p) => p.id));
    for (const p of report.probes) {
      assert.ok(["allow", "deny"].includes(p.intent));
      assert.ok(["allow", "deny", "unknown"].includes(p.verdict));
      assert.equal(typeof p.observation, "string");
      assert.deepEqual(Object.keys(p.layers).sort(), ["authorization", "calico", "clusterNetworkPolicy", "networkPolicy", "peerAuthentication"]);
      if (p.intent === "deny") assert.equal(typeof p.defenseInDepth.count, "number", p.id);
    }
    assert.equal(report.summary.violations, 0);
    assert.equal(report.cells.length, 3 + 6);
  });

  it("removes each --ablate layer from every evaluation", () => {
    const r = runVerify(["--ablate", "networkPolicy", "--ablate", "calico", "--format", "json"]);
    assert.equal(r.exitCode, 0, r.stdout.slice(0, 500));
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.ablated, ["networkPolicy", "calico"]);
    for (const p of report.probes) {
      assert.equal(p.layers.networkPolicy, "not-applicable");
      assert.equal(p.layers.calico, "not-applicable");
    }
  });

  it("exits 1 and names the violated intents when the manifests let a tenant spoof another", () => {
    const open = findScenario("shared-service-open").apply(platformObjects(lab), lab).objects;
    const r = runVerify(["--manifests", writeManifests("open", open), "--format", "json"]);
    assert.equal(r.exitCode, 1);
    const report = JSON.parse(r.stdout);
    // 6 ordered pairs × (path-spoof + 3 path traversals): the open collector no longer checks paths.
    assert.equal(report.violations.length, 24);
    assert.ok(report.violations.every((id: string) => /\/log-collector\/path-(spoof|traversal-[a-z]+)$/.test(id)));
    const table = runVerify(["--manifests", join(dir, "open")]);
    assert.equal(table.exitCode, 1);
    assert.match(table.stdout, /✗ acme->globex\/log-collector\/path-spoof: intent deny, model allow \(http 200\)/);
    assert.match(table.stdout, /RESULT: FAIL/);
  });

  it("prints the connection matrix of a manifest directory in the exact JSON shape", () => {
    const r = runVerify(["--manifests", writeManifests("lab", platformObjects(lab)), "--matrix", "--format", "json"]);
    assert.equal(r.exitCode, 0, r.stderr);
    const matrix = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(matrix).sort(), ["connections", "workloads"]);
    assert.ok(matrix.workloads.some((w: object) => JSON.stringify(w) === JSON.stringify({ namespace: "tenant-acme", name: "echo", kind: "Deployment" })));
    for (const c of matrix.connections) {
      assert.ok(Object.values(c.allowed).some((ranges) => (ranges as unknown[]).length > 0));
    }
    const acmeClientToEcho = matrix.connections.find(
      (c: { from: { namespace: string; name: string }; to: { namespace: string; name: string } }) =>
        c.from.namespace === "tenant-acme" && c.from.name === "client" && c.to.namespace === "tenant-acme" && c.to.name === "echo",
    );
    assert.ok(acmeClientToEcho, "same-namespace traffic is allowed");
    const crossTenant = matrix.connections.filter(
      (c: { from: { namespace: string }; to: { namespace: string } }) => c.from.namespace === "tenant-initech" && c.to.namespace === "tenant-acme",
    );
    assert.deepEqual(crossTenant, []);
  });

  it("answers one result per probe of a probe file, in order, with the layer verdicts", () => {
    const manifests = writeManifests("lab", platformObjects(lab));
    const probes = [
      { id: "p1", from: "tenant-acme/client", to: { service: "tenant-globex/echo", port: 80 }, protocol: "HTTP", method: "GET", path: "/" },
      { id: "p0", from: "tenant-acme/client", to: { service: "tenant-acme/echo", port: 80 }, protocol: "HTTP", method: "GET", path: "/" },
      { id: "p2", from: "tenant-acme/debug", to: { workload: "tenant-acme/echo", port: 8080 }, protocol: "TCP", client: "no-sidecar" },
    ];
    const file = join(dir, "probes.json");
    writeFileSync(file, JSON.stringify(probes));
    const r = runVerify(["--manifests", manifests, "--probes", file, "--format", "json"]);
    assert.equal(r.exitCode, 0, r.stderr);
    const results = JSON.parse(r.stdout);
    assert.deepEqual(results.map((x: { id: string }) => x.id), ["p1", "p0", "p2"]);
    assert.deepEqual(results.map((x: { verdict: string }) => x.verdict), ["deny", "allow", "deny"]);
    assert.equal(results[0].layers.calico, "deny");
    assert.equal(results[2].layers.peerAuthentication, "deny");
    for (const x of results) assert.ok(Object.keys(x).every((k) => ["id", "verdict", "layers", "decidedBy", "observation"].includes(k)), Object.keys(x).join());
  });

  it("rejects a malformed probe file with every problem named by index and field, exit 2", () => {
    const manifests = writeManifests("lab", platformObjects(lab));
    const file = join(dir, "bad-probes.json");
    writeFileSync(file, JSON.stringify([{ id: "x", from: "acme", to: { service: "a/b" }, protocol: "ICMP" }]));
    const r = runVerify(["--manifests", manifests, "--probes", file]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /probes\[0\]\.from: must be "namespace\/workload", got "acme"/);
    assert.match(r.stderr, /probes\[0\]\.to\.port: must be a whole number 1-65535/);
    assert.match(r.stderr, /probes\[0\]\.protocol: must be one of TCP, UDP, SCTP, HTTP, got "ICMP"/);
    assert.equal(r.stdout, "");
  });

  it("prints usage on stderr and exits 2 for bad flags", () => {
    for (const argv of [["--bogus"], ["--ablate", "firewall"], ["--format", "xml"], ["--matrix"], ["--stack", "lab", "--config", "x.yaml"], ["stray"]]) {
      const r = runVerify(argv);
      assert.equal(r.exitCode, 2, argv.join(" "));
      assert.match(r.stderr, /Usage:/, argv.join(" "));
      assert.equal(r.stdout, "");
    }
    assert.match(runVerify(["--ablate", "firewall"]).stderr, /--ablate firewall: unknown layer; use one of networkPolicy, calico/);
  });

  it("reports every problem of an invalid config file, exit 2", () => {
    const file = join(dir, "Pulumi.bad.yaml");
    writeFileSync(file, stringify({ config: { "hard-tenancy:tenants": [{ name: "Bad_Name" }, { name: "ok", namespace: "kube-system" }], "hard-tenancy:layerz": {} } }));
    const r = runVerify(["--config", file]);
    assert.equal(r.exitCode, 2);
    const lines = r.stderr.trim().split("\n");
    assert.match(lines[0], /invalid configuration \(\d+ problems\)/);
    assert.ok(lines.length >= 4, r.stderr);
    assert.match(r.stderr, /tenants\[0\]\.name: .* — /);
    assert.match(r.stderr, /layerz/);
  });

  it("reports a missing stack or manifest directory as an input error, exit 2", () => {
    assert.equal(runVerify(["--stack", "nope"]).exitCode, 2);
    const r = runVerify(["--manifests", join(dir, "absent"), "--matrix"]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /no such directory/);
  });

  it("verifies the production stack, which deploys no demo workloads, against probe stand-ins and says so", () => {
    const r = runVerify(["--stack", "production"]);
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^probe sources and targets are stand-ins: this stack deploys no demo workloads$/m);
    assert.match(r.stdout, /RESULT: PASS/);
    const json = JSON.parse(runVerify(["--stack", "production", "--format", "json"]).stdout) as { probeStandIns: boolean; violations: string[] };
    assert.equal(json.probeStandIns, true);
    assert.doesNotMatch(runVerify([]).stdout, /stand-ins/);
  });

  it("judges a dump by the mesh config it carries: Istio's default BASE normalization lets an encoded slash out of a grant's prefix", () => {
    const grant = lab.grants[0];
    const meshConfig: K8sObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace: lab.meshNamespace }, data: { mesh: "trustDomain: cluster.local\n" } };
    // A dump of a cluster running the platform without the demo workloads: the model adds its stand-ins.
    const dump = platformObjects({ ...lab, demoWorkloads: false }).filter((o) => o.metadata.name !== "echo" && o.metadata.name !== "client");
    const r = runVerify(["--manifests", writeManifests("base-mesh", [...dump, meshConfig]), "--format", "json"]);
    assert.equal(r.exitCode, 1, r.stderr);
    const json = JSON.parse(r.stdout) as { violations: string[]; warnings: string[] };
    const escape = `${grant.from}->${grant.to}/grant/${grant.id}/beyond-path-traversal`;
    assert.deepEqual(json.violations.filter((id) => id.startsWith(escape)).sort(), [`${escape}-backslash`, `${escape}-encoded`]);
    assert.match(json.warnings.join("\n"), /sets pathNormalization BASE where the platform expects DECODE_AND_MERGE_SLASHES/);
  });

  it("verifies only the pairs among --tenants, and names a tenant the platform does not have", () => {
    const r = runVerify(["--stack", "production", "--tenants", "acme,globex", "--format", "json"]);
    assert.equal(r.exitCode, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { tenants: string[]; platformTenants: number; cells: { attacker: string; victim: string }[] };
    assert.deepEqual(json.tenants, ["acme", "globex"]);
    assert.equal(json.platformTenants, 7);
    assert.deepEqual(json.cells.map((c) => `${c.attacker}>${c.victim}`).sort(), ["acme>acme", "acme>globex", "globex>acme", "globex>globex"]);
    const table = runVerify(["--stack", "production", "--tenants", "acme", "--tenants", "globex"]);
    assert.match(table.stdout, /^Isolation verdict for stack production: 2 tenants of 7 \(--tenants\)/);
    const unknown = runVerify(["--stack", "production", "--tenants", "acme,umbrela"]);
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /--tenants: "umbrela" is not a tenant of this platform; tenants: acme, globex, initech, umbrella/);
  });

  it("skips defense in depth with --no-ablation and says so in the table and the JSON", () => {
    const r = runVerify(["--no-ablation"]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^Defense in depth: not evaluated \(--no-ablation\)/m);
    assert.match(r.stdout, /^acme\s+ok 3\/3\s+denied \d+\/\d+\s+denied \d+\/\d+$/m);
    const json = JSON.parse(runVerify(["--no-ablation", "--format", "json"]).stdout) as { defenseInDepth: string; probes: { defenseInDepth?: unknown }[] };
    assert.equal(json.defenseInDepth, "not evaluated (--no-ablation)");
    assert.ok(json.probes.every((p) => p.defenseInDepth === undefined));
  });

  it("keeps stderr free of progress with --format json, and accepts --progress", () => {
    const r = runVerify(["--format", "json"]);
    assert.equal(r.stderr, "");
    assert.equal(runVerify(["--format", "json", "--progress"]).exitCode, 0);
    assert.match(runVerify(["--matrix", "--manifests", dir, "--tenants", "acme"]).stderr, /--tenants and --no-ablation narrow a platform's catalogue verdict/);
  });

  it("stops a platform too big for the heap before rendering it, naming the budget and how to narrow", () => {
    const file = join(dir, "Pulumi.huge.yaml");
    writeFileSync(file, stringify({ config: { "hard-tenancy:cluster": { apiServerEndpoints: [{ cidr: "172.18.0.2/32", port: 6443 }] }, "hard-tenancy:tenants": Array.from({ length: 20_000 }, (_, i) => ({ name: `t${i}` })) } }));
    const r = runVerify(["--config", file]);
    assert.equal(r.exitCode, 2, r.stdout);
    assert.match(r.stderr, /^verify: stopped before running out of memory: 20000 tenants need about \d+ MiB of heap to render and model, over the budget of \d+ MiB; verify a subset with --tenants a,b .*--no-ablation/);
    assert.equal(r.stdout, "");
  });

  it("streams the connection matrix as a table: the workloads first, the count of connected pairs last", () => {
    const r = runVerify(["--manifests", writeManifests("lab-table", platformObjects(lab)), "--matrix"]);
    assert.equal(r.exitCode, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^\d+ workloads$/);
    assert.equal(lines.at(-1), `${lines.length - 2} connected pairs`);
    assert.ok(lines.some((l) => l.startsWith("tenant-acme/client → tenant-acme/echo: TCP ")), lines.slice(0, 5).join("\n"));
    assert.ok(!lines.some((l) => l.startsWith("tenant-initech/")  && l.includes("→ tenant-acme/")), "no connection from initech to acme");
  });
});
