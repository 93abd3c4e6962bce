import { strict as assert } from "node:assert";
import { validatePlatformConfig } from "../../../components/spec/validate";
import type { PlatformSpec } from "../../../components/spec/types";
import { buildProbeCatalogue, probeKind } from "../../../lab/probes/catalogue";
import { buildClusterModel } from "../../../lab/model/cluster";
import { evaluateProbes } from "../../../lab/model/probe";
import { cellFor, platformObjects, predictCatalogue, verifyPlatform } from "../../../lab/model/platform";
import { tenantClasses } from "../../../lab/model/tenant-classes";
import type { PlatformVerdict, ProbeOutcome } from "../../../lab/model/verdict-types";
import { findScenario } from "../../../lab/scenarios";
import { labConfig, syntheticConfig } from "../../fixtures/platform";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

function outcome(verdict: PlatformVerdict, id: string): ProbeOutcome {
  const found = verdict.outcomes.find((o) => o.probe.id === id);
  assert.ok(found, `no outcome ${id}`);
  return found;
}

describe("platform isolation verdict", () => {
  const lab: PlatformSpec = validatePlatformConfig(labConfig());
  const objects = platformObjects(lab, labProbeEndpoints);
  const verdict = verifyPlatform(lab, { objects });

  it("renders the builders' objects, the demo workloads and kind's DNS for a platform", () => {
    const keys = new Set(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`));
    assert.ok(keys.has("NetworkPolicy/tenant-acme/default-deny"));
    assert.ok(keys.has("Deployment/tenant-acme/echo"));
    assert.ok(keys.has("Service/kube-system/kube-dns"));
    assert.equal(verdict.probeStandIns, false);
  });

  it("gives a platform whose stack deploys no demo workloads the same objects and verdict, flagged as probed against stand-ins", () => {
    const withoutDemo = { ...lab, demoWorkloads: false };
    const key = (o: { kind: string; metadata: { namespace?: string; name: string } }): string => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    assert.deepEqual(platformObjects(withoutDemo, labProbeEndpoints).map(key).sort(), objects.map(key).sort());
    const standIn = verifyPlatform(withoutDemo, { grouping: false, endpoints: labProbeEndpoints });
    assert.equal(standIn.probeStandIns, true);
    assert.deepEqual(standIn.summary, verdict.summary);
  });

  it("probes a grant to a workload the demo does not provide against a stand-in Service on the granted port", () => {
    const config = labConfig();
    config.demoWorkloads = false;
    config.grants = [{ from: "globex", to: "acme", workload: "api-gateway", port: 9443, methods: ["GET"], paths: ["/api/v1/public/*"], reason: "test" }];
    const spec = validatePlatformConfig(config);
    const standIn = verifyPlatform(spec, { grouping: false, endpoints: labProbeEndpoints });
    const id = spec.grants[0].id;
    const within = outcome(standIn, `globex->acme/grant/${id}/within`);
    assert.deepEqual(within.probe.to, { service: "tenant-acme/api-gateway", port: 9443 });
    assert.equal(within.result.verdict, "allow", within.result.observation);
    assert.equal(outcome(standIn, `globex->acme/grant/${id}/beyond-path-traversal-encoded`).result.verdict, "deny");
    assert.deepEqual(standIn.violations.map((o) => o.probe.id), []);
    assert.deepEqual(standIn.positiveControlFailures.map((o) => o.probe.id), []);
  });

  it("denies every path traversal out of a grant's prefix under the platform's DECODE_AND_MERGE_SLASHES, where Istio's default BASE lets the encoded slash through", () => {
    const grant = lab.grants[0];
    const traversal = buildProbeCatalogue(lab).filter((p) => /\/beyond-path-traversal-/.test(p.id));
    assert.deepEqual(traversal.map((p) => p.id.slice(p.id.lastIndexOf("-") + 1)).sort(), ["backslash", "dot", "encoded"]);
    for (const p of traversal) assert.equal(outcome(verdict, p.id).result.verdict, "deny", p.id);
    const base = buildClusterModel(objects, { rootNamespace: lab.meshNamespace, trustDomain: lab.cluster.trustDomain, pathNormalization: "BASE" });
    const results = evaluateProbes(base, traversal, { ablate: [] });
    const verdictOf = (kind: string): string => results[traversal.findIndex((p) => p.id.endsWith(`/${grant.id}/beyond-path-traversal-${kind}`))].verdict;
    assert.equal(verdictOf("encoded"), "allow");
    assert.equal(verdictOf("backslash"), "allow");
    assert.equal(verdictOf("dot"), "deny");
  });

  it("lets no cross-tenant attack through on the lab platform and passes every positive control", () => {
    assert.equal(verdict.grouped, false);
    assert.deepEqual(verdict.violations.map((o) => o.probe.id), []);
    assert.deepEqual(verdict.positiveControlFailures.map((o) => o.probe.id), []);
    assert.equal(verdict.summary.attacks, buildProbeCatalogue(lab).filter((p) => p.intent === "deny").length);
    assert.equal(verdict.summary.intentsMet, true);
    // 3 tenants: DNS, own echo and own collector path each; plus the grant used within scope.
    assert.equal(verdict.summary.positiveControls, 3 * 3 + 1);
  });

  it("puts at least two independent layers behind every network attack; only a grant's port relies on L7 alone", () => {
    assert.equal(verdict.summary.defenseInDepthMet, true);
    assert.ok((verdict.summary.minDefenseInDepth ?? 0) >= 2);
    const l7Only = verdict.outcomes.filter((o) => o.probe.category === "cross-tenant" && o.defense && o.defense.required < 2);
    const grant = lab.grants[0];
    assert.ok(l7Only.length > 0);
    for (const o of l7Only) {
      assert.equal(`${o.probe.attacker}->${o.probe.victim}`, `${grant.from}->${grant.to}`);
      assert.ok(o.defense!.blockingLayers.includes("authorization"), o.probe.id);
    }
  });

  it("stops a sidecar-free pod's attack with every enabled layer on its own, and with any one of them removed", () => {
    const d = outcome(verdict, "acme->globex/by-name/no-sidecar").defense!;
    assert.deepEqual(d.blockingLayers, ["networkPolicy", "calico", "peerAuthentication", "authorization"]);
    assert.equal(d.count, 4);
    assert.deepEqual(d.holdsWithout, { networkPolicy: true, calico: true, clusterNetworkPolicy: true, peerAuthentication: true, authorization: true });
  });

  it("stops shared-service spoofing with authorization alone: the L4 path to the collector is open by design", () => {
    for (const kind of ["path-spoof", "header-spoof", "path-traversal-encoded", "path-traversal-backslash", "path-traversal-dot"]) {
      const o = outcome(verdict, `initech->acme/log-collector/${kind}`);
      assert.equal(o.result.verdict, "deny");
      assert.deepEqual(o.defense!.blockingLayers, ["authorization"]);
      assert.equal(o.defense!.holdsWithout.authorization, false);
      assert.equal(o.result.observation, "http 403 RBAC: access denied");
    }
  });

  it("predicts the path traversals denied only because the platform sets DECODE_AND_MERGE_SLASHES: Istio's default BASE lets the encoded ones through", () => {
    const kinds = ["path-traversal-encoded", "path-traversal-backslash", "path-traversal-dot"];
    for (const kind of kinds) assert.equal(outcome(verdict, `acme->globex/log-collector/${kind}`).result.verdict, "deny", kind);
    // The same manifests through the generic model (no platform mesh config): BASE.
    const model = buildClusterModel(objects, { rootNamespace: lab.meshNamespace, trustDomain: lab.cluster.trustDomain });
    const probes = buildProbeCatalogue(lab).filter((p) => kinds.some((k) => p.id === `acme->globex/log-collector/${k}`));
    const verdicts = Object.fromEntries(evaluateProbes(model, probes).map((r, i) => [probeKind(probes[i]).split("/")[1], r.verdict]));
    assert.deepEqual(verdicts, { "path-traversal-encoded": "allow", "path-traversal-backslash": "allow", "path-traversal-dot": "deny" });
  });

  it("shows in each cell which layers hold every network attack, and the tenant's own controls on the diagonal", () => {
    const cell = cellFor(verdict, "acme", "globex").cell;
    assert.deepEqual(cell.holdingLayers, ["networkPolicy", "calico", "peerAuthentication", "authorization"]);
    assert.equal(cell.minDefenseInDepth, 4);
    assert.deepEqual(cell.violations, []);
    const own = cellFor(verdict, "acme", "acme");
    assert.equal(own.self, true);
    assert.equal(own.cell.controls, 3);
    assert.equal(own.cell.controlsPassed, 3);
    assert.throws(() => cellFor(verdict, "acme", "umbrella"), /"umbrella" is not a tenant/);
  });

  it("predicts the whole catalogue in catalogue order, marking each probe's intent as met or not", () => {
    const predicted = predictCatalogue(lab, { objects });
    assert.deepEqual(predicted.map((p) => p.probe.id), buildProbeCatalogue(lab).map((p) => p.id));
    assert.ok(predicted.every((p) => p.met === (p.result.verdict === p.probe.intent)));
    assert.deepEqual(verdict.outcomes.map((o) => o.probe.id), predicted.map((p) => p.probe.id));
  });

  it("leaves an ablated layer out of every defense-in-depth count while the other layers keep every intent", () => {
    const ablated = verifyPlatform(lab, { objects, ablate: ["calico"] });
    assert.deepEqual(ablated.activeLayers, ["networkPolicy", "clusterNetworkPolicy", "peerAuthentication", "authorization"]);
    assert.equal(ablated.summary.intentsMet, true);
    for (const o of ablated.outcomes) {
      if (o.defense) assert.ok(!o.defense.blockingLayers.includes("calico"), o.probe.id);
      if (o.defense) assert.equal(o.defense.holdsWithout.calico, undefined);
    }
    assert.equal(outcome(ablated, "acme->globex/by-name/no-sidecar").defense!.count, 3);
  });

  it("still denies every attack on a tenant with both network layers ablated: the mesh alone holds; the API server is guarded by the network layers only", () => {
    const meshOnly = verifyPlatform(lab, { objects, ablate: ["networkPolicy", "calico"] });
    assert.deepEqual(meshOnly.violations.map((o) => o.probe.id), ["acme->kube-apiserver/debug", "globex->kube-apiserver/debug", "initech->kube-apiserver/debug"]);
    const attack = outcome(meshOnly, "acme->globex/by-name/sidecar");
    assert.equal(attack.result.layers.networkPolicy, "not-applicable");
    assert.ok(attack.defense!.blockingLayers.every((l) => l === "peerAuthentication" || l === "authorization"));
  });
});

describe("tenant classes for big platforms", () => {
  /** 9 tenants: a grant (t0002 → t0001), a PERMISSIVE tenant, a two-service collector set and tenants using only one. */
  function mixedPlatform(): { spec: PlatformSpec; objects: ReturnType<typeof platformObjects> } {
    const config = syntheticConfig(9, {
      sharedServices: {
        enabled: true,
        services: [
          { name: "log-collector", serviceAccount: "log-collector", port: 8080, pathPrefix: "/logs/ingest", methods: ["POST"] },
          { name: "metrics", serviceAccount: "metrics", port: 9090, pathPrefix: "/metrics/push", methods: ["PUT"] },
        ],
      },
    });
    config.tenants[4].sharedServices = ["log-collector"];
    config.tenants[5].sharedServices = ["log-collector"];
    config.tenants[6].sharedServices = [];
    const spec = validatePlatformConfig(config);
    const permissive = findScenario("permissive-mtls");
    return { spec, objects: permissive.apply(platformObjects(spec, labProbeEndpoints), spec).objects };
  }

  it("groups tenants whose objects are equal up to their names, and isolates grant parties and changed tenants", () => {
    const { spec, objects } = mixedPlatform();
    const classes = tenantClasses(spec, objects).map((c) => c.tenants.map((t) => t.name));
    // t0001/t0002: grant; t0003: PERMISSIVE (the scenario's victim); t0005+t0006: one service; t0007: none.
    assert.deepEqual(classes, [["t0001"], ["t0002"], ["t0003"], ["t0004", "t0008", "t0009"], ["t0005", "t0006"], ["t0007"]]);
  });

  it("gives the same verdict grouped as ungrouped, cell for cell and in every total", () => {
    const { spec, objects } = mixedPlatform();
    const grouped = verifyPlatform(spec, { objects, grouping: true });
    const full = verifyPlatform(spec, { objects, grouping: false });
    assert.equal(grouped.grouped, true);
    assert.ok(grouped.outcomes.length < full.outcomes.length);
    for (const attacker of spec.tenants) {
      for (const victim of spec.tenants) {
        assert.deepEqual(cellFor(grouped, attacker.name, victim.name).cell, cellFor(full, attacker.name, victim.name).cell, `${attacker.name}->${victim.name}`);
      }
    }
    assert.deepEqual(grouped.summary, full.summary);
  });

  it("expands a violation found on one representative pair to every pair of its classes", () => {
    const { spec, objects } = mixedPlatform();
    const open = findScenario("shared-service-open").apply(objects, spec).objects;
    const grouped = verifyPlatform(spec, { objects: open, grouping: true });
    const full = verifyPlatform(spec, { objects: open, grouping: false });
    assert.ok(full.summary.violations > 0);
    assert.equal(grouped.summary.violations, full.summary.violations);
    assert.ok(grouped.violations.length < full.violations.length);
  });

  it("groups a 60-tenant platform into classes of pairs, the granted pair apart, and counts every pair", () => {
    const spec = validatePlatformConfig(syntheticConfig(60));
    const verdict = verifyPlatform(spec, { endpoints: labProbeEndpoints });
    assert.equal(verdict.grouped, true);
    assert.equal(verdict.pairClasses, true);
    assert.equal(verdict.classes.length, 1);
    // The tenants' controls, every pair without a grant from attacker to victim, and t0002 -> t0001 (the grant).
    assert.deepEqual(verdict.cells.map((c) => [c.self, c.represents, c.pairs]), [
      [true, 60, undefined],
      [false, 60 * 59 - 1, undefined],
      [false, 1, [["t0002", "t0001"]]],
    ]);
    assert.equal(cellFor(verdict, "t0002", "t0001").cell.probes.filter((p) => p.category === "grant").length, 1);
    assert.equal(cellFor(verdict, "t0003", "t0001").cell.probes.filter((p) => p.category === "grant").length, 0);
    const catalogueSize = 60 * 59 * 9 + 60 * 4 + 8; // 3 controls + 1 API probe per tenant, + the grant's within, 4 beyond-scope and 3 path-traversal probes
    assert.equal(verdict.summary.probes, catalogueSize);
    assert.equal(verdict.summary.intentsMet, true);
    assert.equal(verdict.summary.defenseInDepthMet, true);
  });
});
