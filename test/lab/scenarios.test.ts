import { strict as assert } from "node:assert";
import type { K8sObject } from "../../components/k8s/object";
import { objectKey } from "../../components/k8s/object";
import { validatePlatformConfig } from "../../components/spec/validate";
import type { PlatformSpec } from "../../components/spec/types";
import { platformObjects, verifyPlatform } from "../../lab/model/platform";
import type { PlatformVerdict } from "../../lab/model/verdict-types";
import { compareVerdicts, findScenario, SCENARIOS, type ProbeChange } from "../../lab/scenarios";
import { labConfig } from "../fixtures/platform";
import { labProbeEndpoints } from "../../lab/workloads/probe-endpoints";

describe("the article's misconfiguration scenarios", () => {
  const lab: PlatformSpec = validatePlatformConfig(labConfig());
  const objects = platformObjects(lab, labProbeEndpoints);
  const baseline = verifyPlatform(lab, { objects, grouping: false });

  function run(name: string, input: K8sObject[] = objects): { verdict: PlatformVerdict; changes: ProbeChange[] } {
    const verdict = verifyPlatform(lab, { objects: findScenario(name).apply(input, lab).objects, grouping: false });
    return { verdict, changes: compareVerdicts(baseline, verdict) };
  }

  /** Cross-tenant (network) attack ids against `victim`. */
  function networkAttacksOn(victim: string): string[] {
    return baseline.outcomes.filter((o) => o.probe.category === "cross-tenant" && o.probe.victim === victim).map((o) => o.probe.id).sort();
  }

  it("offers exactly the five scenarios of the article, each with a quote and an expected change", () => {
    assert.deepEqual(SCENARIOS.map((s) => s.name), ["missing-default-deny", "shared-service-open", "permissive-mtls", "sidecar-free-pod", "tenant-allow-all"]);
    for (const s of SCENARIOS) {
      assert.ok(s.articleQuote.length > 20 && s.expected.length > 20 && s.title.length > 0, s.name);
    }
    assert.throws(() => findScenario("no-such"), /unknown scenario "no-such"; choose one of: missing-default-deny/);
  });

  it("picks as victim a tenant no grant names, so the change is not mixed with a grant's", () => {
    for (const s of SCENARIOS) assert.equal(s.victim(lab), "initech");
  });

  it("transforms without touching its input, reporting exactly what it added and removed", () => {
    const before = JSON.stringify(objects);
    for (const s of SCENARIOS) {
      const result = s.apply(objects, lab);
      const keys = new Set(result.objects.map(objectKey));
      for (const o of result.removed) assert.ok(!result.added.some((a) => a === o), `${s.name}: ${objectKey(o)} both added and removed`);
      for (const o of result.added) assert.ok(keys.has(objectKey(o)), `${s.name}: added ${objectKey(o)} missing`);
      assert.equal(result.objects.length, objects.length - result.removed.length + result.added.length, s.name);
      assert.ok(result.added.length + result.removed.length > 0, `${s.name} changes something`);
    }
    assert.equal(JSON.stringify(objects), before);
  });

  it("missing-default-deny removes every NetworkPolicy of the victim yet changes no verdict: the other end's policies still apply", () => {
    const change = findScenario("missing-default-deny").apply(objects, lab);
    assert.ok(change.removed.length >= 4);
    assert.ok(change.removed.every((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "tenant-initech"));
    assert.ok(!change.objects.some((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "tenant-initech"));
    // A connection needs the source's egress AND the destination's ingress: every other tenant's
    // default-deny still covers its side of each connection with the victim. Only the victim's own
    // way out to the API server loses its NetworkPolicy layer; Calico still denies it.
    const changes = run("missing-default-deny").changes;
    assert.deepEqual(changes.map((c) => [c.id, c.layersLost, c.verdictAfter, c.countAfter]), [["initech->kube-apiserver/debug", ["networkPolicy"], "deny", 1]]);
  });

  it("missing-default-deny in two tenants makes networkPolicy stop blocking between them, and Calico still denies", () => {
    const withoutGlobex = objects.filter((o) => !(o.kind === "NetworkPolicy" && o.metadata.namespace === "tenant-globex"));
    const { verdict, changes } = run("missing-default-deny", withoutGlobex);
    const between = [
      ...networkAttacksOn("initech").filter((id) => id.startsWith("globex->")),
      ...networkAttacksOn("globex").filter((id) => id.startsWith("initech->")),
      "globex->kube-apiserver/debug",
      "initech->kube-apiserver/debug",
    ].sort();
    assert.deepEqual(changes.map((c) => c.id).sort(), between);
    for (const c of changes) {
      assert.deepEqual(c.layersLost, ["networkPolicy"], c.id);
      assert.equal(c.verdictAfter, "deny");
    }
    assert.equal(verdict.summary.intentsMet, true);
  });

  it("shared-service-open turns every path-spoof and path-traversal probe into a violation and nothing else", () => {
    const { verdict, changes } = run("shared-service-open");
    const pathSpoofs = baseline.outcomes.filter((o) => /\/log-collector\/path-(spoof|traversal-[a-z]+)$/.test(o.probe.id)).map((o) => o.probe.id).sort();
    assert.equal(pathSpoofs.length, 6 * 4);
    assert.deepEqual(changes.map((c) => c.id).sort(), pathSpoofs);
    for (const c of changes) {
      assert.deepEqual([c.verdictBefore, c.verdictAfter, c.metAfter], ["deny", "allow", false], c.id);
      assert.deepEqual(c.layersLost, ["authorization"]);
    }
    assert.deepEqual(verdict.violations.map((o) => o.probe.id).sort(), pathSpoofs);
    // The header rule in the shared namespace still stops forged identity headers.
    assert.ok(verdict.outcomes.filter((o) => o.probe.id.endsWith("/header-spoof")).every((o) => o.result.verdict === "deny"));
  });

  it("permissive-mtls costs every network attack on the victim the peerAuthentication layer, one layer of depth, and no verdict", () => {
    const { verdict, changes } = run("permissive-mtls");
    assert.deepEqual(changes.map((c) => c.id).sort(), networkAttacksOn("initech"));
    for (const c of changes) {
      assert.deepEqual(c.layersLost, ["peerAuthentication"], c.id);
      assert.equal(c.countAfter, (c.countBefore ?? 0) - 1);
      assert.deepEqual([c.verdictBefore, c.verdictAfter], ["deny", "deny"]);
    }
    assert.equal(verdict.summary.intentsMet, true);
  });

  it("sidecar-free-pod leaves the victim's echo to the network layers alone: both Istio layers drop out, depth 2", () => {
    const { verdict, changes } = run("sidecar-free-pod");
    assert.deepEqual(changes.map((c) => c.id).sort(), networkAttacksOn("initech"));
    for (const c of changes) {
      assert.deepEqual(c.layersLost, ["peerAuthentication", "authorization"], c.id);
      assert.equal(c.countAfter, 2);
    }
    assert.equal(verdict.summary.intentsMet, true);
    const cell = verdict.cells.find((c) => c.attacker === "acme" && c.victim === "initech")!.cell;
    assert.deepEqual(cell.holdingLayers, ["networkPolicy", "calico"]);
  });

  it("tenant-allow-all changes nothing while the attackers' own default-deny egress still applies", () => {
    assert.deepEqual(run("tenant-allow-all").changes, []);
  });

  it("tenant-allow-all removes the networkPolicy layer for an attacker whose egress is open too; Calico still denies", () => {
    const openEgress: K8sObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-all-egress", namespace: "tenant-acme" },
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{}] },
    };
    const { verdict, changes } = run("tenant-allow-all", [...objects, openEgress]);
    const acmeOnInitech = [...networkAttacksOn("initech").filter((id) => id.startsWith("acme->")), "acme->kube-apiserver/debug"].sort();
    assert.deepEqual(changes.map((c) => c.id).sort(), acmeOnInitech);
    for (const c of changes) assert.deepEqual(c.layersLost, ["networkPolicy"], c.id);
    assert.equal(verdict.summary.intentsMet, true);
  });
});
