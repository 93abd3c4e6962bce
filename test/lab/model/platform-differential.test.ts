// The platform verdict's shortcuts against brute force. On seeded random platforms (grants with
// different scopes, shared-service subsets, labels, quotas, gateway exposure, API-server access,
// names that are prefixes of each other, layer switches, base ablations and the article's
// misconfigurations) the reduced verdict (classes of pairs or of tenants, one evaluation per probe with every ablation
// derived, a --tenants subset rendered as a platform of its own) must equal, for every ordered
// pair and every tenant's controls, a brute-force evaluation of every probe with
// lab/model/probe.ts: one evaluator per ablation, every layer alone and every layer removed for
// each attack (./brute-force.ts, shared with conformance-differential.test.ts).
import { strict as assert } from "node:assert";
import type { K8sObject } from "../../../components/k8s/object";
import type { LayerId } from "../../../lab/probes/types";
import type { PlatformConfig } from "../../../components/spec/types";
import { ENFORCEMENT_LAYERS } from "../../../components/spec/types";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { pairProbes, tenantControlProbes } from "../../../lab/probes/catalogue";
import { summarise } from "../../../lab/model/cells";
import { cellFor, platformObjects, verifyPlatform } from "../../../lab/model/platform";
import { MESH_LAYERS } from "../../../lab/model/mesh";
import { bruteForce, comparable } from "./brute-force";
import { SCENARIOS } from "../../../lab/scenarios";
import { heterogeneousConfig, seededRandom } from "../../fixtures/heterogeneous-platform";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

const TRICKY_NAMES = ["acme", "acme-corp", "corp", "t1", "t10", "t100", "globex", "globex-1", "a", "ab", "abc", "x-acme", "initech", "umbrella"];

/** A random platform: size skewed small (most cells are cheap), up to 30 tenants. */
function randomPlatform(seed: number): { config: PlatformConfig; ablate: LayerId[]; scenario?: string } {
  const random = seededRandom(seed * 7919);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const big = seed % 25 === 0;
  const tenants = big ? 16 + Math.floor(random() * 15) : 2 + Math.floor(random() ** 2 * 8);
  const tricky = random() < 0.3 && tenants <= TRICKY_NAMES.length;
  const config = heterogeneousConfig(tenants, {
    seed,
    sharedServiceCount: big ? 1 + Math.floor(random() * 2) : Math.floor(random() * 5),
    customQuotaShare: 0.3,
    customLabelShare: 0.3,
    gatewayShare: 0.3,
    apiServerAccessShare: 0.3,
    maxGrantsPerTenant: pick([0, 1, 2, 3]),
    ...(tricky ? { tenantName: (i: number) => TRICKY_NAMES[i] } : {}),
  });
  config.layers = { clusterNetworkPolicy: random() < 0.3, sidecarScoping: random() < 0.8, calico: random() < 0.9, networkPolicy: random() < 0.9 };
  if (random() < 0.2) config.demoWorkloads = false;
  if (random() < 0.2 && config.sharedServices) config.sharedServices.identityPropagation = "lua";
  const ablate = random() < 0.3 ? [pick(ENFORCEMENT_LAYERS)] : [];
  const offersServices = (config.sharedServices?.enabled ?? false) && (config.sharedServices?.services?.length ?? 0) > 0;
  const scenarios = SCENARIOS.filter((s) => offersServices || s.name !== "shared-service-open");
  const scenario = random() < 0.25 ? pick(scenarios).name : undefined;
  return { config, ablate, ...(scenario ? { scenario } : {}) };
}

const PLATFORMS = 200;

describe("platform verdict shortcuts, differentially against brute force", function () {
  this.timeout(300_000);

  it(`equals a brute-force evaluation of every probe of every pair, cell by cell, on ${PLATFORMS} random platforms`, () => {
    let pairsCompared = 0;
    let reducedEvaluations = 0;
    let scenarios = 0;
    let subsetPairs = 0;
    for (let seed = 1; seed <= PLATFORMS; seed++) {
      const { config, ablate, scenario } = randomPlatform(seed);
      const spec = validatePlatformConfig(config);
      let objects: K8sObject[] | undefined;
      if (scenario) {
        const found = SCENARIOS.find((s) => s.name === scenario)!;
        objects = found.apply(platformObjects(spec, labProbeEndpoints), spec).objects;
        scenarios += 1;
      }
      const label = `seed ${seed}: ${spec.tenants.length} tenants, ${spec.grants.length} grants, ablate [${ablate.join(", ")}]${scenario ? `, scenario ${scenario}` : ""}`;
      const reduced = verifyPlatform(spec, { ...(objects ? { objects } : { endpoints: labProbeEndpoints }), ablate, grouping: true });
      const brute = bruteForce(spec, objects ?? platformObjects(spec, labProbeEndpoints), ablate);
      reducedEvaluations += reduced.probesEvaluated;
      for (const a of spec.tenants) {
        for (const v of spec.tenants) {
          const expected = brute.cells.get(`${a.name}>${v.name}`)!;
          assert.deepEqual(comparable(cellFor(reduced, a.name, v.name).cell), comparable(expected), `${label}: cell ${a.name} -> ${v.name}`);
          pairsCompared += 1;
        }
      }
      assert.deepEqual(reduced.summary, summarise(spec.tenants.length, brute.outcomes), `${label}: summary`);
      if (!scenario && spec.tenants.length > 2 && seed % 3 === 0) {
        // --tenants renders the subset as a platform of its own: same cells as within the whole platform.
        const subset = spec.tenants.filter((_, i) => i % 2 === seed % 2).map((t) => t.name);
        const narrowed = verifyPlatform(spec, { endpoints: labProbeEndpoints, ablate, grouping: seed % 2 === 0, tenants: subset });
        assert.equal(narrowed.platformTenants, spec.tenants.length);
        for (const a of subset) {
          for (const v of subset) {
            assert.deepEqual(comparable(cellFor(narrowed, a, v).cell), comparable(brute.cells.get(`${a}>${v}`)!), `${label}: --tenants ${subset.join(",")}: cell ${a} -> ${v}`);
            subsetPairs += 1;
          }
        }
      }
    }
    assert.ok(scenarios > 0 && pairsCompared > PLATFORMS * 4, `compared ${pairsCompared} cells, ${scenarios} scenario platforms`);
    assert.ok(reducedEvaluations > 0 && subsetPairs > 0);
  });

  it("equals brute force without a mesh too: the L3/4-observable probes, cell by cell, on 40 random platforms", () => {
    let pairsCompared = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { config, ablate } = randomPlatform(seed + 1000);
      const spec = validatePlatformConfig(config);
      const label = `seed ${seed + 1000}: ${spec.tenants.length} tenants, ${spec.grants.length} grants, ablate [${ablate.join(", ")}], mesh absent`;
      const reduced = verifyPlatform(spec, { endpoints: labProbeEndpoints, ablate, grouping: seed % 2 === 0, mesh: "absent" });
      const brute = bruteForce(spec, platformObjects(spec, labProbeEndpoints), ablate, "absent");
      for (const a of spec.tenants) {
        for (const v of spec.tenants) {
          assert.deepEqual(comparable(cellFor(reduced, a.name, v.name).cell), comparable(brute.cells.get(`${a.name}>${v.name}`)!), `${label}: cell ${a.name} -> ${v.name}`);
          pairsCompared += 1;
        }
      }
      assert.deepEqual(reduced.summary, summarise(spec.tenants.length, brute.outcomes), `${label}: summary`);
      assert.deepEqual(reduced.absent?.layers, [...MESH_LAYERS]);
      assert.ok(reduced.outcomes.every((o) => o.result.absentLayers?.authorization !== undefined && o.probe.client === "no-sidecar"), label);
    }
    assert.ok(pairsCompared > 40 * 4);
  });

  it("groups a random 30-tenant platform into fewer evaluations than brute force, with every pair counted", () => {
    const spec = validatePlatformConfig(heterogeneousConfig(30, { seed: 4, sharedServiceCount: 2 }));
    const reduced = verifyPlatform(spec, { endpoints: labProbeEndpoints, grouping: true });
    const catalogue = spec.tenants.reduce((n, t) => n + tenantControlProbes(spec, t).length, 0)
      + spec.tenants.reduce((n, a) => n + spec.tenants.filter((v) => v !== a).reduce((m, v) => m + pairProbes(spec, a, v).length, 0), 0);
    assert.equal(reduced.summary.probes, catalogue);
    assert.ok(reduced.probesEvaluated < catalogue / 2, `${reduced.probesEvaluated} evaluations for ${catalogue} probes`);
  });
});
