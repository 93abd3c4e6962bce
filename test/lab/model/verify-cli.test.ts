import { strict as assert } from "node:assert";
import { renderReportHtml } from "../../../lab/report/html/render";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { K8sObject } from "../../../components/k8s/object";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { buildProbeCatalogue } from "../../../lab/probes/catalogue";
import { platformObjects } from "../../../lab/model/platform";
import { preloadIstioSchemas } from "../../../lab/model/schema/unknown-fields";
import { runVerify } from "../../../lab/model/verify-cli";
import { findScenario } from "../../../lab/scenarios";
import { labConfig } from "../../fixtures/platform";
import { serverRead } from "../../fixtures/server-read";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

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

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "verify-cli-"));
    await preloadIstioSchemas();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the lab stack's tenants × tenants matrix with the layers that hold, and exits 0", () => {
    const r = runVerify([], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^attacker \\ victim\s+acme\s+globex\s+initech$/m);
    assert.match(r.stdout, /^acme\s+ok 3\/3\s+NC·PA 4\s+NC·PA 4$/m);
    assert.match(r.stdout, /Positive controls: 10\/10 pass/);
    assert.match(r.stdout, /RESULT: PASS/);
    assert.equal(r.stderr, "");
  });

  it("lists every probe in JSON with its intent, verdict, layers, observation and defense-in-depth count", () => {
    const r = runVerify(["--format", "json"], { endpoints: labProbeEndpoints });
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
    const r = runVerify(["--ablate", "networkPolicy", "--ablate", "calico", "--format", "json"], { endpoints: labProbeEndpoints });
    // Without both network layers nothing stops the tenants' API probes: exit 1, those three violated.
    assert.equal(r.exitCode, 1, r.stdout.slice(0, 500));
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.violations, ["acme->kube-apiserver/debug", "globex->kube-apiserver/debug", "initech->kube-apiserver/debug"]);
    assert.deepEqual(report.ablated, ["networkPolicy", "calico"]);
    for (const p of report.probes) {
      assert.equal(p.layers.networkPolicy, "not-applicable");
      assert.equal(p.layers.calico, "not-applicable");
    }
  });

  it("exits 1 and names the violated intents when the manifests let a tenant spoof another", () => {
    const open = findScenario("shared-service-open").apply(platformObjects(lab, labProbeEndpoints), lab).objects;
    const r = runVerify(["--manifests", writeManifests("open", open), "--format", "json"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 1);
    const report = JSON.parse(r.stdout);
    // 6 ordered pairs × (path-spoof + 3 path traversals): the open collector no longer checks paths.
    assert.equal(report.violations.length, 24);
    assert.ok(report.violations.every((id: string) => /\/log-collector\/path-(spoof|traversal-[a-z]+)$/.test(id)));
    const table = runVerify(["--manifests", join(dir, "open")], { endpoints: labProbeEndpoints });
    assert.equal(table.exitCode, 1);
    assert.match(table.stdout, /✗ acme->globex\/log-collector\/path-spoof: intent deny, model allow \(http 200\) \(allowed: no layer blocks\)$/m);
    assert.match(table.stdout, /RESULT: FAIL/);
  });

  it("prints the connection matrix of a manifest directory in the exact JSON shape", () => {
    const r = runVerify(["--manifests", writeManifests("lab", platformObjects(lab, labProbeEndpoints)), "--matrix", "--format", "json"], { endpoints: labProbeEndpoints });
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
    const manifests = writeManifests("lab", platformObjects(lab, labProbeEndpoints));
    const probes = [
      { id: "p1", from: "tenant-acme/client", to: { service: "tenant-globex/echo", port: 80 }, protocol: "HTTP", method: "GET", path: "/" },
      { id: "p0", from: "tenant-acme/client", to: { service: "tenant-acme/echo", port: 80 }, protocol: "HTTP", method: "GET", path: "/" },
      { id: "p2", from: "tenant-acme/debug", to: { workload: "tenant-acme/echo", port: 8080 }, protocol: "TCP", client: "no-sidecar" },
    ];
    const file = join(dir, "probes.json");
    writeFileSync(file, JSON.stringify(probes));
    const r = runVerify(["--manifests", manifests, "--probes", file, "--format", "json"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 0, r.stderr);
    const results = JSON.parse(r.stdout);
    assert.deepEqual(results.map((x: { id: string }) => x.id), ["p1", "p0", "p2"]);
    assert.deepEqual(results.map((x: { verdict: string }) => x.verdict), ["deny", "allow", "deny"]);
    assert.equal(results[0].layers.calico, "deny");
    assert.equal(results[2].layers.peerAuthentication, "deny");
    for (const x of results) assert.ok(Object.keys(x).every((k) => ["id", "verdict", "layers", "decidedBy", "observation"].includes(k)), Object.keys(x).join());
  });

  it("rejects a malformed probe file with every problem named by index and field, exit 2", () => {
    const manifests = writeManifests("lab", platformObjects(lab, labProbeEndpoints));
    const file = join(dir, "bad-probes.json");
    writeFileSync(file, JSON.stringify([{ id: "x", from: "acme", to: { service: "a/b" }, protocol: "ICMP" }]));
    const r = runVerify(["--manifests", manifests, "--probes", file], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /probes\[0\]\.from: must be "namespace\/workload", got "acme"/);
    assert.match(r.stderr, /probes\[0\]\.to\.port: must be a whole number 1-65535/);
    assert.match(r.stderr, /probes\[0\]\.protocol: must be one of TCP, UDP, SCTP, HTTP, got "ICMP"/);
    assert.equal(r.stdout, "");
  });

  it("never counts stand-ins as checked controls: two unrelated pods against the lab's catalogue", () => {
    const pods: K8sObject[] = [
      { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "shop" }, spec: { containers: [{ name: "web", image: "nginx" }] } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "db", namespace: "data" }, spec: { containers: [{ name: "db", image: "postgres" }] } },
    ];
    const manifests = writeManifests("two-pods", pods);
    const table = runVerify(["--manifests", manifests], { endpoints: labProbeEndpoints });
    assert.doesNotMatch(table.stdout, /^RESULT: PASS$/m);
    assert.match(table.stdout, /Positive controls: \d+\/\d+ pass \(0 on real workloads, \d+ on stand-ins\)/);
    assert.match(table.stdout, /^RESULT: FAIL .*\(positive controls ran only on stand-ins, none on real workloads\)$/m);
    // The lab switches every layer on; none of their objects is in the two pods' manifests.
    assert.match(table.stdout, /^MISSING LAYER: networkPolicy is switched on in the configuration, but no networkPolicy object in the manifests applies to acme, globex, initech: not checked there$/m);
    assert.equal(table.exitCode, 1);
    const json = JSON.parse(runVerify(["--manifests", manifests, "--format", "json"], { endpoints: labProbeEndpoints }).stdout);
    assert.equal(json.probeStandIns, true);
    assert.equal(json.standIns.positiveControls, json.summary.positiveControls);
    assert.ok(json.standIns.workloads.includes("tenant-acme/client"));
    assert.deepEqual(json.missingLayers.map((m: { layer: string }) => m.layer), ["networkPolicy", "calico", "peerAuthentication", "authorization"]);
    assert.match(json.result, /^RESULT: FAIL/);
  });

  it("reports a configured layer whose objects are absent from the manifests, and cannot pass", () => {
    const objects = platformObjects(lab, labProbeEndpoints).filter((o) => !(o.kind === "NetworkPolicy" && o.apiVersion === "networking.k8s.io/v1" && o.metadata.namespace === "tenant-globex"));
    const r = runVerify(["--manifests", writeManifests("no-np-globex", objects)], { endpoints: labProbeEndpoints });
    assert.match(r.stdout, /^MISSING LAYER: networkPolicy .* applies to globex: not checked there$/m);
    assert.match(r.stdout, /^RESULT: FAIL .*\(configured layer\(s\) missing from the manifests: networkPolicy\)/m);
    assert.equal(r.exitCode, 1);
    const complete = runVerify(["--manifests", writeManifests("complete", platformObjects(lab, labProbeEndpoints))], { endpoints: labProbeEndpoints });
    assert.doesNotMatch(complete.stdout, /MISSING LAYER/);
    assert.equal(complete.exitCode, 0, complete.stdout);
  });

  it("groups a dump replayed with --stack by conformance, as the audit does: the deviating tenant named, the verdict of every pair", () => {
    const admit: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "admit-acme", namespace: "tenant-globex" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tenant-acme" } } }] }] } };
    const manifests = writeManifests("dump-with-stack", [...serverRead(platformObjects(lab, labProbeEndpoints)), admit]);
    const grouped = JSON.parse(runVerify(["--manifests", manifests, "--stack", "lab", "--grouping", "on", "--format", "json"], { endpoints: labProbeEndpoints }).stdout);
    assert.deepEqual(grouped.conformance, { conforming: 2, deviating: [{ tenant: "globex", ingress: true, egress: false, reasons: ["extra NetworkPolicy/admit-acme (ingress)"] }] });
    const everyPair = JSON.parse(runVerify(["--manifests", manifests, "--stack", "lab", "--grouping", "off", "--format", "json"], { endpoints: labProbeEndpoints }).stdout);
    assert.deepEqual(grouped.summary, everyPair.summary);
    // Without a stack named the dump is grouped by its objects alone.
    assert.equal(JSON.parse(runVerify(["--manifests", manifests, "--grouping", "on", "--format", "json"], { endpoints: labProbeEndpoints }).stdout).conformance, undefined);
  });

  it("prints each warning once", () => {
    const objects = [...platformObjects(lab, labProbeEndpoints), { apiVersion: "v1", kind: "Service", metadata: { name: "echo", namespace: "tenant-acme" }, spec: { ports: [{ port: 80 }] } }];
    const r = runVerify(["--manifests", writeManifests("dup-warnings", objects)], { endpoints: labProbeEndpoints });
    const warnings = r.stdout.split("\n").filter((l) => l.startsWith("warning: "));
    assert.ok(warnings.length > 0, r.stdout);
    assert.equal(new Set(warnings).size, warnings.length, warnings.join("\n"));
  });

  it("treats unknown probe sources and targets, and a sidecar the source lacks, as input errors: one message, exit 2", () => {
    const manifests = writeManifests("lab", platformObjects(lab, labProbeEndpoints));
    const cases: [object, RegExp][] = [
      [{ id: "a", from: "tenant-acme/nobody", to: { service: "tenant-acme/echo", port: 80 }, protocol: "HTTP" }, /probes\[0\] \(a\)\.from: no workload tenant-acme\/nobody; workloads: /],
      [{ id: "b", from: "tenant-acme/client", to: { service: "tenant-acme/nothing", port: 80 }, protocol: "HTTP" }, /probes\[0\] \(b\)\.to\.service: no Service tenant-acme\/nothing; Services: /],
      [{ id: "c", from: "tenant-acme/client", to: { workload: "tenant-acme/ghost", port: 80 }, protocol: "TCP" }, /\.to\.workload: no workload tenant-acme\/ghost/],
      [{ id: "d", from: "tenant-acme/debug", to: { service: "tenant-acme/echo", port: 80 }, protocol: "HTTP", client: "sidecar" }, /client "sidecar" needs a sidecar, but tenant-acme\/debug has none/],
    ];
    for (const [probe, message] of cases) {
      const file = join(dir, "unknown-probe.json");
      writeFileSync(file, JSON.stringify([probe]));
      const r = runVerify(["--manifests", manifests, "--probes", file], { endpoints: labProbeEndpoints });
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.equal(r.stdout, "");
    }
  });

  it("answers --help with the usage of every option on stdout, exit 0", () => {
    const r = runVerify(["--help"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stderr, "");
    for (const option of ["--stack", "--config", "--manifests", "--matrix", "--probes", "--ablate", "--format", "--grouping", "--help"]) assert.match(r.stdout, new RegExp(`^  ${option}`, "m"), option);
  });

  it("warns once per object with unknown fields, evaluates it as the API server stores it, and --strict exits 2", () => {
    const typo: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "db-only", namespace: "tenant-acme" }, spec: { podSelectr: { matchLabels: { app: "db" } }, ingres: [{}], policyTypes: ["Ingress"] } };
    const manifests = writeManifests("typo", [...platformObjects(lab, labProbeEndpoints), typo]);
    const r = runVerify(["--manifests", manifests], { endpoints: labProbeEndpoints });
    const lines = r.stdout.split("\n").filter((l) => l.includes("NetworkPolicy tenant-acme/db-only"));
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0], /unknown fields spec\.podSelectr, spec\.ingres .*evaluated without them, as the API server stores it/);
    assert.match(r.stdout, /^Schema: \d+ object\(s\) checked against their schemas, 1 with unknown fields, evaluated without them as the API server stores them$/m);
    const matrix = runVerify(["--manifests", manifests, "--matrix"], { endpoints: labProbeEndpoints });
    assert.equal(matrix.exitCode, 0);
    assert.match(matrix.stderr, /warning: NetworkPolicy tenant-acme\/db-only: unknown fields spec\.podSelectr/);
    const strict = runVerify(["--manifests", manifests, "--strict"], { endpoints: labProbeEndpoints });
    assert.equal(strict.exitCode, 2);
    assert.equal(strict.stdout, "");
    assert.match(strict.stderr, /^verify: --strict: 1 object\(s\) in .* have fields their schema does not know/);
    assert.match(strict.stderr, /NetworkPolicy tenant-acme\/db-only: unknown fields spec\.podSelectr, spec\.ingres/);
    assert.equal(runVerify(["--manifests", writeManifests("clean", platformObjects(lab, labProbeEndpoints)), "--strict"], { endpoints: labProbeEndpoints }).exitCode, 0);
  });

  it("prints usage on stderr and exits 2 for bad flags", () => {
    for (const argv of [["--bogus"], ["--ablate", "firewall"], ["--format", "xml"], ["--matrix"], ["--stack", "lab", "--config", "x.yaml"], ["stray"]]) {
      const r = runVerify(argv, { endpoints: labProbeEndpoints });
      assert.equal(r.exitCode, 2, argv.join(" "));
      assert.match(r.stderr, /Usage:/, argv.join(" "));
      assert.equal(r.stdout, "");
    }
    assert.match(runVerify(["--ablate", "firewall"], { endpoints: labProbeEndpoints }).stderr, /--ablate firewall: unknown layer; use one of networkPolicy, calico/);
  });

  it("writes the self-contained HTML report with --format html --out FILE, and says where on stdout", () => {
    const out = join(dir, "report.html");
    const r = runVerify(["--stack", "production", "--format", "html", "--out", out], { endpoints: labProbeEndpoints, renderHtml: renderReportHtml });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.files?.length, 1);
    assert.equal(r.files?.[0].path, out);
    assert.match(r.files?.[0].content ?? "", /^<!doctype html>[\s\S]*<title>Isolation report: stack production — PASS<\/title>/);
    assert.match(r.files?.[0].content ?? "", /STAND-INS: \d+ probe source\/target workload\(s\) are the model.s stand-ins/);
    assert.match(r.stdout, /^verify: wrote .*report\.html \(\d+\.\d kB, html\)\n$/);
  });

  it("sends any format to --out, and refuses html without --out or with --matrix/--probes (exit 2)", () => {
    const r = runVerify(["--format", "json", "--out", join(dir, "v.json")], { endpoints: labProbeEndpoints });
    assert.equal((JSON.parse(r.files?.[0].content ?? "") as { tenants: string[] }).tenants.length, 3);
    assert.match(runVerify(["--format", "html"], { endpoints: labProbeEndpoints, renderHtml: renderReportHtml }).stderr, /--format html needs --out FILE/);
    const matrix = runVerify(["--manifests", dir, "--matrix", "--format", "html", "--out", join(dir, "m.html")], { endpoints: labProbeEndpoints, renderHtml: renderReportHtml });
    assert.equal(matrix.exitCode, 2);
    assert.match(matrix.stderr, /--format html draws a platform's verdict/);
  });

  it("reports every problem of an invalid config file, exit 2", () => {
    const file = join(dir, "Pulumi.bad.yaml");
    writeFileSync(file, stringify({ config: { "hard-tenancy:tenants": [{ name: "Bad_Name" }, { name: "ok", namespace: "kube-system" }], "hard-tenancy:layerz": {} } }));
    const r = runVerify(["--config", file], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 2);
    const lines = r.stderr.trim().split("\n");
    assert.match(lines[0], /invalid configuration \(\d+ problems\)/);
    assert.ok(lines.length >= 4, r.stderr);
    assert.match(r.stderr, /tenants\[0\]\.name: .* — /);
    assert.match(r.stderr, /layerz/);
  });

  it("reports a missing stack or manifest directory as an input error, exit 2", () => {
    assert.equal(runVerify(["--stack", "nope"], { endpoints: labProbeEndpoints }).exitCode, 2);
    const r = runVerify(["--manifests", join(dir, "absent"), "--matrix"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /no such directory/);
  });

  it("verifies the production stack, which deploys no demo workloads, against probe stand-ins and says so", () => {
    const r = runVerify(["--stack", "production"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^STAND-INS: 32 probe source\/target workload\(s\) are the model's stand-ins, not objects of the stack or manifests: tenant-acme\/echo, /m);
    assert.match(r.stdout, /Positive controls: 30\/30 pass \(0 on real workloads, 30 on stand-ins\)/);
    assert.match(r.stdout, /^RESULT: PASS \(positive controls ran only on stand-ins, none on real workloads\)$/m);
    const json = JSON.parse(runVerify(["--stack", "production", "--format", "json"], { endpoints: labProbeEndpoints }).stdout) as { probeStandIns: boolean; violations: string[] };
    assert.equal(json.probeStandIns, true);
    assert.doesNotMatch(runVerify([], { endpoints: labProbeEndpoints }).stdout, /stand-ins/);
  });

  it("judges a dump by the mesh config it carries: Istio's default BASE normalization lets an encoded slash out of a grant's prefix", () => {
    const grant = lab.grants[0];
    const meshConfig: K8sObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace: lab.meshNamespace }, data: { mesh: "trustDomain: cluster.local\n" } };
    // A dump of a cluster running the platform without the demo workloads: the model adds its stand-ins.
    const dump = platformObjects({ ...lab, demoWorkloads: false }, labProbeEndpoints).filter((o) => o.metadata.name !== "echo" && o.metadata.name !== "client");
    const r = runVerify(["--manifests", writeManifests("base-mesh", [...dump, meshConfig]), "--format", "json"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 1, r.stderr);
    const json = JSON.parse(r.stdout) as { violations: string[]; warnings: string[] };
    const escape = `${grant.from}->${grant.to}/grant/${grant.id}/beyond-path-traversal`;
    assert.deepEqual(json.violations.filter((id) => id.startsWith(escape)).sort(), [`${escape}-backslash`, `${escape}-encoded`]);
    assert.match(json.warnings.join("\n"), /sets pathNormalization BASE where the platform expects DECODE_AND_MERGE_SLASHES/);
  });

  it("verifies only the pairs among --tenants, and names a tenant the platform does not have", () => {
    const r = runVerify(["--stack", "production", "--tenants", "acme,globex", "--format", "json"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { tenants: string[]; platformTenants: number; cells: { attacker: string; victim: string }[] };
    assert.deepEqual(json.tenants, ["acme", "globex"]);
    assert.equal(json.platformTenants, 7);
    assert.deepEqual(json.cells.map((c) => `${c.attacker}>${c.victim}`).sort(), ["acme>acme", "acme>globex", "globex>acme", "globex>globex"]);
    const table = runVerify(["--stack", "production", "--tenants", "acme", "--tenants", "globex"], { endpoints: labProbeEndpoints });
    assert.match(table.stdout, /^Isolation verdict for stack production: 2 tenants of 7 \(--tenants\)/);
    const unknown = runVerify(["--stack", "production", "--tenants", "acme,umbrela"], { endpoints: labProbeEndpoints });
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /--tenants: "umbrela" is not a tenant of this platform; tenants: acme, globex, initech, umbrella/);
  });

  it("skips defense in depth with --no-ablation and says so in the table and the JSON", () => {
    const r = runVerify(["--no-ablation"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^Defense in depth: not evaluated \(--no-ablation\)/m);
    assert.match(r.stdout, /^acme\s+ok 3\/3\s+denied \d+\/\d+\s+denied \d+\/\d+$/m);
    const json = JSON.parse(runVerify(["--no-ablation", "--format", "json"], { endpoints: labProbeEndpoints }).stdout) as { defenseInDepth: string; probes: { defenseInDepth?: unknown }[] };
    assert.equal(json.defenseInDepth, "not evaluated (--no-ablation)");
    assert.ok(json.probes.every((p) => p.defenseInDepth === undefined));
  });

  it("keeps stderr free of progress with --format json, and accepts --progress", () => {
    const r = runVerify(["--format", "json"], { endpoints: labProbeEndpoints });
    assert.equal(r.stderr, "");
    assert.equal(runVerify(["--format", "json", "--progress"], { endpoints: labProbeEndpoints }).exitCode, 0);
    assert.match(runVerify(["--matrix", "--manifests", dir, "--tenants", "acme"], { endpoints: labProbeEndpoints }).stderr, /--tenants and --no-ablation narrow a platform's catalogue verdict/);
  });

  it("stops a platform too big for the heap before rendering it, naming the budget and how to narrow", function () {
    // Validating 20,000 tenants takes seconds on a quiet machine; a loaded one needs more than mocha's default.
    this.timeout(120_000);
    const file = join(dir, "Pulumi.huge.yaml");
    writeFileSync(file, stringify({ config: { "hard-tenancy:cluster": { apiServerEndpoints: [{ cidr: "172.18.0.2/32", port: 6443 }] }, "hard-tenancy:tenants": Array.from({ length: 20_000 }, (_, i) => ({ name: `t${i}` })) } }));
    const r = runVerify(["--config", file], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 2, r.stdout);
    assert.match(r.stderr, /^verify: stopped before running out of memory: 20000 tenants need about \d+ MiB of heap to render and model, over the budget of \d+ MiB; verify a subset with --tenants a,b .*--no-ablation/);
    assert.equal(r.stdout, "");
  });

  it("streams the connection matrix as a table: the workloads first, the count of connected pairs last", () => {
    const r = runVerify(["--manifests", writeManifests("lab-table", platformObjects(lab, labProbeEndpoints)), "--matrix"], { endpoints: labProbeEndpoints });
    assert.equal(r.exitCode, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^\d+ workloads$/);
    assert.equal(lines.at(-1), `${lines.length - 2} connected pairs`);
    assert.ok(lines.some((l) => l.startsWith("tenant-acme/client → tenant-acme/echo: TCP ")), lines.slice(0, 5).join("\n"));
    assert.ok(!lines.some((l) => l.startsWith("tenant-initech/")  && l.includes("→ tenant-acme/")), "no connection from initech to acme");
  });
});
