// Aggregation of probe outcomes into name-free cells and the platform summary.
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import { probeKind } from "../probes/catalogue";
import type { LayerId } from "../probes/types";
import { isAttack } from "./defense";
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
  const attacks = outcomes.filter((o) => isAttack(o.probe));
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
export function summarise(tenants: number, outcomes: Iterable<ProbeOutcome>): VerdictSummary {
  const totals = new SummaryTotals();
  for (const o of outcomes) totals.add(o);
  return totals.summary(tenants);
}

/** The running totals behind `summarise`, fed one outcome at a time (outcomes need not be kept). */
export class SummaryTotals {
  private probes = 0;
  private attacks = 0;
  private attacksAllowed = 0;
  private positiveControls = 0;
  private positiveControlsFailed = 0;
  private violations = 0;
  private weakAttacks = 0;
  private minDefenseInDepth: number | null = null;
  private grantedPortAttacks = 0;
  private minOnGrantedPorts: number | null = null;

  add(o: ProbeOutcome): void {
    const n = o.represents;
    this.probes += n;
    if (!o.met && o.probe.intent === "deny") this.violations += n;
    if (o.probe.intent === "allow") {
      this.positiveControls += n;
      if (!o.met) this.positiveControlsFailed += n;
    }
    // An attack by its category, or any outcome that carries a defense-in-depth figure.
    if (!isAttack(o.probe) && !o.defense) return;
    this.attacks += n;
    if (o.result.verdict !== "deny") this.attacksAllowed += n;
    if (!o.defense) return;
    if (o.defense.count < o.defense.required) this.weakAttacks += n;
    // Every attack that needs two layers, whatever its category, so the summary's minimum agrees
    // with the attacks listed below their required depth.
    if (o.defense.required >= 2) {
      this.minDefenseInDepth = this.minDefenseInDepth === null ? o.defense.count : Math.min(this.minDefenseInDepth, o.defense.count);
    }
    if (o.probe.category === "cross-tenant" && o.defense.required < 2) {
      this.grantedPortAttacks += n;
      this.minOnGrantedPorts = this.minOnGrantedPorts === null ? o.defense.count : Math.min(this.minOnGrantedPorts, o.defense.count);
    }
  }

  summary(tenants: number): VerdictSummary {
    return {
      tenants,
      probes: this.probes,
      attacks: this.attacks,
      attacksAllowed: this.attacksAllowed,
      positiveControls: this.positiveControls,
      positiveControlsFailed: this.positiveControlsFailed,
      violations: this.violations,
      minDefenseInDepth: this.minDefenseInDepth,
      grantedPortAttacks: this.grantedPortAttacks,
      minDefenseInDepthOnGrantedPorts: this.minOnGrantedPorts,
      weakAttacks: this.weakAttacks,
      intentsMet: this.violations === 0 && this.positiveControlsFailed === 0,
      defenseInDepthMet: this.weakAttacks === 0,
    };
  }
}
