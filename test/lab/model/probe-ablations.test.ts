import { strict as assert } from "node:assert";
import { ENFORCEMENT_LAYERS } from "../../../components/spec/types";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { buildProbeCatalogue } from "../../../lab/probes/catalogue";
import type { LayerId } from "../../../lab/probes/types";
import { platformModel, platformObjects } from "../../../lab/model/platform";
import { evaluateProbes } from "../../../lab/model/probe";
import { createAblationEvaluator } from "../../../lab/model/probe-ablations";
import { findScenario } from "../../../lab/scenarios";
import { labConfig } from "../../fixtures/platform";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

/** Every subset of the enforcement layers. */
function everyAblation(): LayerId[][] {
  return Array.from({ length: 1 << ENFORCEMENT_LAYERS.length }, (_, mask) => ENFORCEMENT_LAYERS.filter((_, i) => (mask >> i) & 1));
}

describe("one evaluation per probe, every ablation derived", () => {
  for (const variant of ["lab platform", "lab platform with ClusterNetworkPolicy and PERMISSIVE mTLS for one tenant"] as const) {
    it(`gives the ${variant} the reference evaluator's result and verdict under each of the 32 ablations`, () => {
      const config = labConfig();
      if (variant !== "lab platform") config.layers = { ...config.layers, clusterNetworkPolicy: true };
      const spec = validatePlatformConfig(config);
      const objects = variant === "lab platform" ? platformObjects(spec, labProbeEndpoints) : findScenario("permissive-mtls").apply(platformObjects(spec, labProbeEndpoints), spec).objects;
      const model = platformModel(spec, objects);
      const probes = buildProbeCatalogue(spec);
      const ablations = everyAblation();
      const evaluate = createAblationEvaluator(model);
      const reference = ablations.map((ablate) => evaluateProbes(model, probes, { ablate }));
      probes.forEach((probe, i) => {
        for (const [k, ablate] of ablations.entries()) {
          const { result, verdicts } = evaluate(probe, new Set(ablate), ablations.map((a) => new Set(a)));
          assert.deepEqual(result, reference[k][i], `${probe.id} with [${ablate.join(", ")}] ablated`);
          assert.deepEqual(verdicts, reference.map((r) => r[i].verdict), probe.id);
        }
      });
    });
  }
});
