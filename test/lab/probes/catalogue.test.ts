import { strict as assert } from "node:assert";
import { validatePlatformConfig } from "../../../components/spec/validate";
import type { PlatformSpec } from "../../../components/spec/types";
import {
  buildProbeCatalogue,
  concretePath,
  grantTraversalProbes,
  pairProbes,
  pathMatches,
  probeKind,
  TENANT_IDENTITY_HEADER,
} from "../../../lab/probes/catalogue";
import type { CataloguedProbe } from "../../../lab/probes/types";
import { labConfig, syntheticConfig } from "../../fixtures/platform";

function byId(probes: CataloguedProbe[], id: string): CataloguedProbe {
  const found = probes.find((p) => p.id === id);
  assert.ok(found, `no probe ${id}; ids: ${probes.map((p) => p.id).join(", ")}`);
  return found;
}

describe("probe catalogue", () => {
  const lab: PlatformSpec = validatePlatformConfig(labConfig());
  const catalogue = buildProbeCatalogue(lab);

  it("gives every probe a unique id of the form attacker->victim/kind", () => {
    const ids = catalogue.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of catalogue) assert.match(p.id, /^[a-z0-9-]+->[a-z0-9-]+\/.+$/, p.id);
  });

  it("attacks every ordered pair of distinct tenants by name, pod, sidecar-free pod and sidecar bypass", () => {
    const names = lab.tenants.map((t) => t.name);
    for (const a of names) {
      for (const v of names) {
        if (a === v) continue;
        const kinds = catalogue.filter((p) => p.attacker === a && p.victim === v && p.category === "cross-tenant").map(probeKind).sort();
        assert.deepEqual(kinds, ["by-name/bypass", "by-name/no-sidecar", "by-name/sidecar", "pod-direct/sidecar"], `${a}->${v}`);
      }
    }
    const selfAttacks = catalogue.filter((p) => p.attacker === p.victim && p.intent === "deny");
    assert.deepEqual(selfAttacks, []);
  });

  it("sends each network attack from the source that matches its client mode, to the victim's echo", () => {
    const byName = byId(catalogue, "acme->globex/by-name/sidecar");
    assert.equal(byName.from, "tenant-acme/client");
    assert.deepEqual(byName.to, { service: "tenant-globex/echo", port: 80 });
    assert.equal(byId(catalogue, "acme->globex/by-name/no-sidecar").from, "tenant-acme/debug");
    assert.equal(byId(catalogue, "acme->globex/by-name/no-sidecar").client, "no-sidecar");
    assert.equal(byId(catalogue, "acme->globex/by-name/bypass").from, "tenant-acme/bypass");
    assert.equal(byId(catalogue, "acme->globex/by-name/bypass").client, "bypass");
    // No pod IPs offline: the workload on its container port stands for "direct to the pod".
    assert.deepEqual(byId(catalogue, "acme->globex/pod-direct/sidecar").to, { workload: "tenant-globex/echo", port: 8080 });
  });

  it("gives every tenant positive controls that must work: its own echo, its own collector path, and DNS", () => {
    for (const t of lab.tenants) {
      const controls = catalogue.filter((p) => p.attacker === t.name && p.intent === "allow" && p.category !== "grant");
      assert.deepEqual(controls.map((p) => p.category).sort(), ["dns", "same-tenant", "shared-service"]);
      assert.deepEqual(byId(controls, `${t.name}->${t.name}/by-name/sidecar`).to, { service: `${t.namespace}/echo`, port: 80 });
      const dns = byId(controls, `${t.name}->kube-system/kube-dns/udp`);
      assert.equal(dns.protocol, "UDP");
      assert.deepEqual(dns.to, { service: "kube-system/kube-dns", port: 53 });
      const own = byId(controls, `${t.name}->shared-services/log-collector/own-path`);
      assert.equal(own.method, "POST");
      assert.equal(own.path, `/logs/ingest/${t.name}/probe`);
    }
  });

  it("climbs from the attacker's own collector path into the victim's with encoded slash, backslash and dots, expecting a deny", () => {
    const paths = Object.fromEntries(["encoded", "backslash", "dot"].map((k) => {
      const probe = byId(catalogue, `initech->acme/log-collector/path-traversal-${k}`);
      assert.deepEqual([probe.intent, probe.category, probe.attacker, probe.victim, probe.method], ["deny", "shared-service-spoof", "initech", "acme", "POST"]);
      return [k, probe.path];
    }));
    assert.deepEqual(paths, {
      encoded: "/logs/ingest/initech/..%2Facme/probe",
      backslash: "/logs/ingest/initech/..%5Cacme/probe",
      dot: "/logs/ingest/initech/%2e%2e/acme/probe",
    });
  });

  it("spoofs the shared collector with the victim's path and, on the attacker's own path, a forged identity header", () => {
    const path = byId(catalogue, "initech->acme/log-collector/path-spoof");
    assert.equal(path.path, "/logs/ingest/acme/probe");
    assert.equal(path.headers, undefined);
    const header = byId(catalogue, "initech->acme/log-collector/header-spoof");
    assert.equal(header.path, "/logs/ingest/initech/probe");
    assert.deepEqual(header.headers, { [TENANT_IDENTITY_HEADER]: "acme" });
    assert.equal(header.intent, "deny");
    assert.equal(header.victim, "acme");
  });

  it("uses the lab's grant within its scope and just beyond it in one dimension at a time", () => {
    const grant = lab.grants[0];
    const prefix = `${grant.from}->${grant.to}/grant/${grant.id}`;
    const within = byId(catalogue, `${prefix}/within`);
    assert.equal(within.intent, "allow");
    assert.equal(within.method, "GET");
    assert.ok(grant.paths.some((p) => pathMatches(p, within.path ?? "")), `${within.path} is inside ${grant.paths}`);
    // Through the Service (echo: port 80 → container port 8080, the grant's port).
    assert.deepEqual(within.to, { service: `tenant-${grant.to}/${grant.workload}`, port: 80 });

    const beyondPath = byId(catalogue, `${prefix}/beyond-path`);
    assert.ok(!grant.paths.some((p) => pathMatches(p, beyondPath.path ?? "")));
    assert.equal(beyondPath.method, within.method);
    const beyondMethod = byId(catalogue, `${prefix}/beyond-method`);
    assert.ok(!grant.methods.includes(beyondMethod.method ?? ""));
    assert.equal(beyondMethod.path, within.path);
    const beyondWorkload = byId(catalogue, `${prefix}/beyond-workload`);
    assert.notDeepEqual(beyondWorkload.to, within.to);
    const plaintext = byId(catalogue, `${prefix}/beyond-source-no-sidecar`);
    assert.equal(plaintext.client, "no-sidecar");
    for (const p of [beyondPath, beyondMethod, beyondWorkload, plaintext]) assert.equal(p.category, "grant-beyond-scope");
    // The grant is one-way: nothing grant-related in the other direction.
    assert.deepEqual(catalogue.filter((p) => p.attacker === grant.to && p.victim === grant.from && p.category.startsWith("grant")), []);
  });

  it("skips beyond-scope probes a grant cannot be used beyond: a path pattern covering the probe path, every method", () => {
    const spec = validatePlatformConfig(
      syntheticConfig(2, { grants: [{ from: "t0002", to: "t0001", workload: "api", port: 9090, methods: ["GET", "POST", "PUT", "PATCH", "DELETE"], paths: ["/hard-tenancy/*"], reason: "test" }] }),
    );
    const kinds = pairProbes(spec, spec.tenants[1], spec.tenants[0]).filter((p) => p.category.startsWith("grant")).map(probeKind);
    const id = spec.grants[0].id;
    const traversals = ["backslash", "dot", "encoded"].map((k) => `grant/${id}/beyond-path-traversal-${k}`);
    assert.deepEqual(kinds.sort(), [...traversals, `grant/${id}/beyond-source-no-sidecar`, `grant/${id}/beyond-workload`, `grant/${id}/within`]);
    const other = pairProbes(spec, spec.tenants[1], spec.tenants[0]).find((p) => p.id.endsWith("beyond-workload"));
    assert.deepEqual(other?.to, { service: "tenant-t0001/echo", port: 80 });
  });

  it("leaves out shared-service probes for services a tenant may not use, and all of them when shared services are off", () => {
    const config = syntheticConfig(2, { grants: [] });
    config.tenants[0].sharedServices = [];
    const spec = validatePlatformConfig(config);
    const probes = buildProbeCatalogue(spec);
    assert.equal(probes.filter((p) => p.attacker === "t0001" && p.category === "shared-service").length, 0);
    assert.equal(probes.filter((p) => p.attacker === "t0002" && p.category === "shared-service").length, 1);
    const off = validatePlatformConfig(syntheticConfig(2, { grants: [], sharedServices: { enabled: false } }));
    assert.deepEqual(buildProbeCatalogue(off).filter((p) => p.category.startsWith("shared-service")), []);
  });

  it("grows as tenants² (4 network attacks, 2 spoofs and 3 path traversals per ordered pair) plus 3 controls and 1 API probe per tenant", () => {
    for (const n of [2, 5, 9]) {
      const spec = validatePlatformConfig(syntheticConfig(n, { grants: [] }));
      assert.equal(buildProbeCatalogue(spec).length, n * (n - 1) * 9 + n * 4);
    }
  });
});

describe("Istio path patterns for grant probes", () => {
  it("picks a concrete path inside prefix, suffix, exact and wildcard patterns", () => {
    for (const pattern of ["/api/v1/public/*", "*.json", "/healthz", "*"]) {
      assert.ok(pathMatches(pattern, concretePath(pattern)), pattern);
    }
  });

  it("treats a star in the middle literally, as Istio does", () => {
    assert.equal(pathMatches("/api/*/x", "/api/v1/x"), false);
    assert.equal(pathMatches("/api/*/x", "/api/*/x"), true);
  });
});

describe("path traversal out of a grant's prefix", () => {
  it("climbs two segments out of the prefix with an encoded slash, an encoded backslash and encoded dots", () => {
    assert.deepEqual(grantTraversalProbes({ paths: ["/api/v1/public/*"] }).map((p) => [p.kind, p.path]), [
      ["path-traversal-encoded", "/api/v1/public/..%2F..%2Fadmin"],
      ["path-traversal-backslash", "/api/v1/public/..%5C..%5Cadmin"],
      ["path-traversal-dot", "/api/v1/public/%2e%2e/%2e%2e/admin"],
    ]);
    for (const p of grantTraversalProbes({ paths: ["/api/v1/public/*"] })) assert.ok(pathMatches("/api/v1/public/*", p.path), `${p.path} matches the raw prefix`);
  });

  it("climbs one segment out of a one-segment prefix, with or without its trailing slash", () => {
    assert.equal(grantTraversalProbes({ paths: ["/api*"] })[0].path, "/api/..%2Fadmin");
    assert.equal(grantTraversalProbes({ paths: ["/api/*"] })[0].path, "/api/..%2Fadmin");
  });

  it("has nothing to climb out of for exact or suffix paths, nor when the landing path is still granted", () => {
    assert.deepEqual(grantTraversalProbes({ paths: ["/v2/invoices", "*.json"] }), []);
    assert.deepEqual(grantTraversalProbes({ paths: ["/*"] }), []);
    assert.deepEqual(grantTraversalProbes({ paths: ["/api/v1/public/*", "/api/*"] }), []);
  });

  it("adds the traversal probes to a grant with a prefix as beyond-scope attacks on the granted Service", () => {
    const spec = validatePlatformConfig(labConfig());
    const grant = spec.grants[0];
    const attacker = spec.tenants.find((t) => t.name === grant.from)!;
    const victim = spec.tenants.find((t) => t.name === grant.to)!;
    const probes = pairProbes(spec, attacker, victim);
    const within = probes.find((p) => p.id.endsWith(`/grant/${grant.id}/within`))!;
    const encoded = probes.find((p) => p.id === `${grant.from}->${grant.to}/grant/${grant.id}/beyond-path-traversal-encoded`);
    assert.ok(encoded);
    assert.equal(encoded.intent, "deny");
    assert.equal(encoded.category, "grant-beyond-scope");
    assert.deepEqual([encoded.to, encoded.method, encoded.client], [within.to, within.method, within.client]);
  });
});
