// Aggregation of probe outcomes into name-free cells and the platform summary.
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import { probeKind } from "../probes/catalogue";
import type { LayerId } from "../probes/types";
import type { CellProbe, CellVerdict, ProbeOutcome, VerdictSummary } from "./verdict-types";

export function toCellProbe(outcome: ProbeOutcome): CellProbe {
  const { probe, result } = outcome;
  return {
    kind: probeKind(probe),
    category: probe.category,
    intent: probe.intent,
    verdict: result.verdict,
    met: outcome.met,
    observation: result.observation,
    layers: result.layers,
    ...(outcome.defense ? { defense: outcome.defense } : {}),
  };
}

/** One cell's figures; the layer letters come from its network attacks (category cross-tenant). */
export function buildCellVerdict(outcomes: ProbeOutcome[]): CellVerdict {
  const attacks = outcomes.filter((o) => o.defense !== undefined);
  const controls = outcomes.filter((o) => o.probe.intent === "allow");
  const network = attacks.filter((o) => o.probe.category === "cross-tenant");
  const holding: LayerId[] = [];
  const partial: LayerId[] = [];
  for (const layer of ENFORCEMENT_LAYERS) {
    const blocking = network.filter((o) => o.defense?.blockingLayers.includes(layer)).length;
    if (network.length > 0 && blocking === network.length) holding.push(layer);
    else if (blocking > 0) partial.push(layer);
  }
  const counts = network.map((o) => o.defense?.count ?? 0);
  return {
    attacks: attacks.length,
    attacksBlocked: attacks.filter((o) => o.result.verdict === "deny").length,
    controls: controls.length,
    controlsPassed: controls.filter((o) => o.met).length,
    violations: outcomes.filter((o) => !o.met).map((o) => probeKind(o.probe)),
    holdingLayers: holding,
    partialLayers: partial,
    minDefenseInDepth: counts.length > 0 ? Math.min(...counts) : null,
    weakAttacks: attacks.filter((o) => o.defense && o.defense.count < o.defense.required).map((o) => probeKind(o.probe)),
    probes: outcomes.map(toCellProbe),
  };
}

/** Platform totals, each outcome counted as many times as the tenant pairs it stands for. */
export function summarise(tenants: number, outcomes: ProbeOutcome[]): VerdictSummary {
  let probes = 0;
  let attacks = 0;
  let attacksAllowed = 0;
  let positiveControls = 0;
  let positiveControlsFailed = 0;
  let violations = 0;
  let weakAttacks = 0;
  let minDefenseInDepth: number | null = null;
  let grantedPortAttacks = 0;
  let minOnGrantedPorts: number | null = null;
  for (const o of outcomes) {
    const n = o.represents;
    probes += n;
    if (!o.met && o.probe.intent === "deny") violations += n;
    if (o.probe.intent === "allow") {
      positiveControls += n;
      if (!o.met) positiveControlsFailed += n;
    }
    if (o.defense) {
      attacks += n;
      if (o.result.verdict !== "deny") attacksAllowed += n;
      if (o.defense.count < o.defense.required) weakAttacks += n;
      // Every attack that needs two layers, whatever its category, so the summary's minimum agrees
      // with the attacks listed below their required depth.
      if (o.defense.required >= 2) {
        minDefenseInDepth = minDefenseInDepth === null ? o.defense.count : Math.min(minDefenseInDepth, o.defense.count);
      }
      if (o.probe.category === "cross-tenant" && o.defense.required < 2) {
        grantedPortAttacks += n;
        minOnGrantedPorts = minOnGrantedPorts === null ? o.defense.count : Math.min(minOnGrantedPorts, o.defense.count);
      }
    }
  }
  return {
    tenants,
    probes,
    attacks,
    attacksAllowed,
    positiveControls,
    positiveControlsFailed,
    violations,
    minDefenseInDepth,
    grantedPortAttacks,
    minDefenseInDepthOnGrantedPorts: minOnGrantedPorts,
    weakAttacks,
    intentsMet: violations === 0 && positiveControlsFailed === 0,
    defenseInDepthMet: weakAttacks === 0,
  };
}
