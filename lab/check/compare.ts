// Observed vs intended vs predicted, per probe, and the run's outcome.
//
// A probe passes when the observed verdict equals its intent. The observation's symptom family
// should also match the model's predicted observation (e.g. both "network"); a family mismatch
// is reported but does not fail the run: it means the model and the cluster disagree on WHICH
// layer held, which is worth a look, not a breach.
import type { CataloguedProbe, LayerId, ProbeResult } from "../probes/types";
import { attributeLayers, classifyDnsObservation, classifyObservation, observationFamily, type Classification } from "./classify";
import type { RawObservation } from "./script";
import type { PlannedProbe } from "./targets";

/** `skipped`: not checked on this cluster (e.g. an API it does not serve); reported, never counted as passed. */
export type ProbeStatus = "pass" | "breach" | "control-failed" | "unknown" | "skipped";
export type RunOutcome = "pass" | "fail" | "inconclusive";

/** Process exit codes of `lab` commands. Inconclusive is distinct from both pass and fail. */
export const EXIT_CODES = {
  pass: 0,
  fail: 1,
  usage: 2,
  inconclusive: 3,
  unsafeContext: 4,
  commandFailed: 5,
} as const;

export interface ProbeOutcome {
  probe: CataloguedProbe;
  /** Pod the probe ran from ("ns/workload"). */
  source: string;
  url: string;
  raw: RawObservation;
  classification: Classification;
  prediction?: ProbeResult;
  status: ProbeStatus;
  /** Observed family equals the predicted observation's family (null without a prediction). */
  observationMatchesPrediction: boolean | null;
  /** The model's verdict equals the intent (null without a prediction). */
  predictionMatchesIntent: boolean | null;
  /** Enforcement layers the evidence and the model point at. */
  blockingLayers: LayerId[];
}

export function judgeProbe(planned: PlannedProbe, raw: RawObservation, prediction: ProbeResult | undefined): ProbeOutcome {
  const { probe } = planned;
  const client = probe.client ?? "sidecar";
  const classification = planned.method === "dns" ? classifyDnsObservation(raw) : classifyObservation(raw, client);
  let status: ProbeStatus;
  if (classification.verdict === probe.intent) status = "pass";
  else if (probe.intent === "allow") status = "control-failed";
  else if (classification.verdict === "allow") status = "breach";
  else status = "unknown";
  return {
    probe,
    source: probe.from,
    url: planned.request.url,
    raw,
    classification,
    prediction,
    status,
    observationMatchesPrediction: prediction ? observationFamily(prediction.observation) === classification.family : null,
    predictionMatchesIntent: prediction ? prediction.verdict === probe.intent : null,
    blockingLayers: classification.verdict === "deny" ? attributeLayers(classification, prediction) : [],
  };
}

export interface ControlPlaneOutcome {
  id: string;
  kind: "can-i" | "pod-security" | "admission" | "token-mount" | "attempt";
  description: string;
  expected: string;
  observed: string;
  status: ProbeStatus;
}

export interface RunVerdict {
  outcome: RunOutcome;
  exitCode: number;
  reasons: string[];
}

/**
 * - any failed positive control (probe or control plane) → INCONCLUSIVE: a broken lab reads as a secure one;
 * - otherwise any breach → FAIL;
 * - otherwise any unknown (no result, DNS failure, unexpected answer) → INCONCLUSIVE;
 * - otherwise PASS.
 * Skipped checks and whole parts that were not run (`notRun`) never change the outcome, but the
 * reasons always say so: a PASS names what it did not check.
 */
export function judgeRun(probes: readonly ProbeOutcome[], controlPlane: readonly ControlPlaneOutcome[], notRun: readonly string[] = []): RunVerdict {
  const all: { id: string; status: ProbeStatus }[] = [...probes.map((p) => ({ id: p.probe.id, status: p.status })), ...controlPlane];
  const count = (status: ProbeStatus): string[] => all.filter((o) => o.status === status).map((o) => o.id);
  const failedControls = count("control-failed");
  const breaches = count("breach");
  const unknown = count("unknown");
  const reasons: string[] = [];
  const describe = (what: string, ids: string[]): string => `${ids.length} ${what}: ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""}`;
  if (failedControls.length > 0) reasons.push(describe("positive control(s) failed", failedControls));
  if (breaches.length > 0) reasons.push(describe("attack(s) got through", breaches));
  if (unknown.length > 0) reasons.push(describe("probe(s) without a clear answer", unknown));
  const skipped = count("skipped");
  const caveats = [...(skipped.length > 0 ? [describe("check(s) skipped", skipped)] : []), ...notRun.map((part) => `not run: ${part}`)];
  reasons.push(...caveats);
  if (failedControls.length > 0) return { outcome: "inconclusive", exitCode: EXIT_CODES.inconclusive, reasons };
  if (breaches.length > 0) return { outcome: "fail", exitCode: EXIT_CODES.fail, reasons };
  if (unknown.length > 0) return { outcome: "inconclusive", exitCode: EXIT_CODES.inconclusive, reasons };
  const checked = all.length - skipped.length;
  return { outcome: "pass", exitCode: EXIT_CODES.pass, reasons: [`all ${checked} checks run matched their intent`, ...caveats] };
}
