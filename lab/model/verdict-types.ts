// Shapes of the platform isolation verdict (lab/model/platform.ts). JSON-serialisable.
import type { MissingLayer } from "./configured-layers";
import type { CataloguedProbe, LayerId, LayerVerdict, ProbeCategory, ProbeResult, Verdict } from "../probes/types";

/** How many enforcement layers stop one attack on their own, and whether it survives losing each. */
export interface DefenseInDepth {
  /** Layers that deny the attack with every other layer removed. */
  blockingLayers: LayerId[];
  /** `blockingLayers.length`: the defense-in-depth figure. */
  count: number;
  /** What the platform requires for this attack (2 for network attacks, 1 where L4 is open on purpose). */
  required: number;
  /** For each active layer: is the attack still denied with only that layer removed? */
  holdsWithout: Partial<Record<LayerId, boolean>>;
}

/** One evaluated probe. */
export interface ProbeOutcome {
  probe: CataloguedProbe;
  result: ProbeResult;
  /** The verdict equals the intent. */
  met: boolean;
  /** Attacks only (deny intent against another tenant or a shared service on its behalf). */
  defense?: DefenseInDepth;
  /** Tenant pairs (or tenants, for controls) this outcome stands for: 1 unless grouped. */
  represents: number;
}

/** A probe's outcome with the tenant names taken out: equal for interchangeable tenant pairs. */
export interface CellProbe {
  /** The id after "<attacker>-><victim>/", e.g. "by-name/sidecar". */
  kind: string;
  category: ProbeCategory;
  intent: "allow" | "deny";
  verdict: Verdict;
  met: boolean;
  observation: string;
  layers: Partial<Record<LayerId, LayerVerdict>>;
  defense?: DefenseInDepth;
}

/** One attacker × victim cell (or a tenant's own controls when attacker = victim). */
export interface CellVerdict {
  attacks: number;
  attacksBlocked: number;
  controls: number;
  controlsPassed: number;
  /** Kinds of the probes whose intent was violated. */
  violations: string[];
  /** Layers that on their own block every network attack (category cross-tenant) in the cell. */
  holdingLayers: LayerId[];
  /** Layers that block some but not all of them. */
  partialLayers: LayerId[];
  /** Smallest defense-in-depth figure over the cell's network attacks (null: none). */
  minDefenseInDepth: number | null;
  /** Kinds of attacks below their required defense in depth. */
  weakAttacks: string[];
  probes: CellProbe[];
}

/** A group of interchangeable tenants (a single tenant when not grouped). */
export interface VerdictClass {
  tenants: string[];
  signature: string;
}

/** A cell between two classes: `self` holds the tenants' own controls, otherwise attacker ≠ victim. */
export interface ClassCell {
  attackerClass: number;
  victimClass: number;
  self: boolean;
  /** Representative tenants that were evaluated. */
  attacker: string;
  victim: string;
  /** Tenant pairs (self: tenants) this cell stands for. */
  represents: number;
  /**
   * Pairs related by a grant (pair classes): exactly the ordered pairs this cell stands for. Absent:
   * every pair of the two classes that no cell with `pairs` lists.
   */
  pairs?: [string, string][];
  /** The pairs (or a tenant's controls) a deviation from the stack reaches (conformance.ts): `pairs` lists them. */
  deviant?: boolean;
  cell: CellVerdict;
}

export interface VerdictSummary {
  tenants: number;
  /** Expanded to every tenant pair. */
  probes: number;
  attacks: number;
  attacksAllowed: number;
  positiveControls: number;
  positiveControlsFailed: number;
  /** Deny-intent probes (expanded) that were not denied. */
  violations: number;
  /** Smallest defense-in-depth figure over the network attacks that need two layers (null: none). */
  minDefenseInDepth: number | null;
  /** Network attacks (expanded) by a meshed client on a port a grant opened: only L7 can stop them. */
  grantedPortAttacks: number;
  /** Smallest defense-in-depth figure over those (null: none). */
  minDefenseInDepthOnGrantedPorts: number | null;
  /** Attacks (expanded) below their required defense in depth. */
  weakAttacks: number;
  /** Zero violations, every positive control passes. */
  intentsMet: boolean;
  /** Every attack meets its required defense in depth. */
  defenseInDepthMet: boolean;
}

export interface StandInSummary {
  /** "namespace/name" of the stand-in workloads and Services the model added. */
  workloads: string[];
  services: string[];
  /** Positive controls (expanded) whose source or target is a stand-in. */
  positiveControls: number;
  /** Attacks (expanded) whose source or target is a stand-in. */
  attacks: number;
}

/** How a live cluster's tenants were grouped (conformance.ts). */
export interface ConformanceNote {
  /** Tenants whose objects are what the stack renders for them (grouped by their spec). */
  conforming: number;
  /** Tenants that deviate, with the directions their changes govern (those pairs are evaluated apart). */
  deviating: { tenant: string; ingress: boolean; egress: boolean; reasons: string[] }[];
  /** Why grouping by conformance was not sound here: tenants were grouped by their objects instead. */
  fallback?: string;
}

export interface PlatformVerdict {
  tenants: string[];
  /**
   * Some probe sources or targets are the model's stand-ins (lab/model/stand-ins.ts), not objects
   * of the stack or the manifests.
   */
  probeStandIns: boolean;
  /** What the stand-ins were and how many evaluated probes (expanded) start at or go to one. */
  standIns: StandInSummary;
  ablated: LayerId[];
  /** Layers evaluated (all enforcement layers minus the ablated and the absent ones). */
  activeLayers: LayerId[];
  /**
   * Layers the evaluated cluster does not have at all, with why (mesh: "absent": no mesh on this
   * backend). Not ablated: they do not exist there. The verdict then covers the L3/4-observable
   * catalogue (lab/probes/l34-catalogue.ts).
   */
  absent?: { layers: LayerId[]; reason: string };
  grouped: boolean;
  /** Grouped by classes of ordered pairs (pair-classes.ts) rather than by tenant classes alone. */
  pairClasses: boolean;
  /** A live cluster compared with the stack's rendering: how its tenants were grouped. */
  conformance?: ConformanceNote;
  /** Attacks were evaluated with each layer alone and each removed (false: --no-ablation). */
  defenseInDepthEvaluated: boolean;
  /** Tenants of the platform; `tenants` lists the verified subset when it is smaller. */
  platformTenants: number;
  /** Probe evaluations the verdict took (each covering every ablation it needs). */
  probesEvaluated: number;
  classes: VerdictClass[];
  /** tenant name → index in `classes`. */
  classOf: Record<string, number>;
  cells: ClassCell[];
  /** Every evaluated probe, in catalogue order (grouped: the representatives). */
  outcomes: ProbeOutcome[];
  violations: ProbeOutcome[];
  positiveControlFailures: ProbeOutcome[];
  summary: VerdictSummary;
  /** Model warnings (skipped documents, unmodelled features). */
  warnings: string[];
  /** Layers the configuration switches on that the evaluated manifests lack (verify --manifests). */
  missingLayers?: MissingLayer[];
  /** How the evaluated manifests fared against their schemas (verify --manifests). */
  schema?: string;
}
