// Observed vs intended vs predicted, per probe, and the run's outcome.
//
// With the mesh (kind): a probe passes when the observed verdict equals its intent. The
// observation's symptom family should also match the model's predicted observation (e.g. both
// "network"); a family mismatch is reported but does not fail the run: it means the model and the
// cluster disagree on WHICH layer held, which is worth a look, not a breach.
//
// Against the prediction (the local backend, with or without its sidecars): the gate is observed =
// predicted (verdict and symptom). Without a mesh, an attack observed getting through where the
// no-mesh model predicts it (only the mesh would stop it) is `mesh-only`: neither a pass nor a
// breach, counted and named on its own. An observation the model did not predict is a `mismatch`
// (inconclusive), unless it is a breach or a failed control, which count as such.
import type { MeshPresence } from "../model/mesh";
import type { CataloguedProbe, ClientMode, LayerId, ProbeResult } from "../probes/types";
import { attributeLayers, classifyConnectObservation, classifyDnsObservation, classifyObservation, classifyObservationWithoutMesh, observationFamily, type Classification } from "./classify";
import type { RawObservation } from "./script";
import type { PlannedProbe } from "./targets";

/**
 * `skipped`: not checked on this cluster (e.g. an API it does not serve, or a probe that needs the
 * mesh where there is none); reported, never counted as passed.
 * `mesh-only` (no mesh): an attack observed getting through, as the model without the mesh
 * predicts: only the mesh stops it, and it is absent here.
 * `mismatch` (judged against the prediction): the observation is not what the model predicts
 * (neither a breach nor a failed control): the model or the backend is wrong somewhere.
 */
export type ProbeStatus = "pass" | "breach" | "control-failed" | "unknown" | "skipped" | "mesh-only" | "mismatch";

/** How the report words the statuses a run without a mesh adds. */
export const STATUS_WORDS = {
  "mesh-only": "stopped only by the mesh (absent here)",
  mismatch: "observed ≠ predicted",
} as const;
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
  /** What the Envoys that handled the request logged for it, when the backend reads their access logs (lab/local/mesh/access-log.ts). */
  envoy?: EnvoyAccessRecord[];
}

/** One Envoy's access-log entry for a probe's request (found by the x-request-id the check sets). */
export interface EnvoyAccessRecord {
  /** "namespace/pod" whose sidecar logged it. */
  sidecar: string;
  /** Envoy's upstream cluster: `inbound|…` on the server's sidecar, `outbound|…` on the client's. */
  upstreamCluster: string;
  responseCode: number;
  responseFlags: string;
  /** %RESPONSE_CODE_DETAILS%, e.g. `rbac_access_denied_matched_policy[none]` or `via_upstream`. */
  responseCodeDetails: string;
}

export interface JudgeOptions {
  /** "absent": judge against the model without a mesh (see the header). Default "present". */
  mesh?: MeshPresence;
  /**
   * "prediction": observed = predicted is the gate, with the mesh present too (the local backend's
   * real sidecars); "intent" (default with the mesh present): observed = intent, the prediction
   * only reported. Without a mesh the gate is always the prediction.
   */
  gate?: "intent" | "prediction";
}

/** Whether observed = predicted gates the run (always without a mesh). */
export function gatedByPrediction(options: JudgeOptions): boolean {
  return options.mesh === "absent" || options.gate === "prediction";
}

function classify(planned: PlannedProbe, raw: RawObservation, client: ClientMode, meshAbsent: boolean): Classification {
  if (planned.method === "dns") return classifyDnsObservation(raw);
  // A TCP connection proves reachability only where no Envoy accepts it in the server's place.
  if (planned.method === "tcp" && (meshAbsent || client !== "sidecar")) return classifyConnectObservation(raw);
  return meshAbsent ? classifyObservationWithoutMesh(raw) : classifyObservation(raw, client);
}

/**
 * Observed = predicted, the gate of a run judged against the prediction. A block must show the very
 * symptom predicted, not just its family: Felix drops denied packets (its deny action defaults to
 * DROP: curl exit 28) and kube-proxy rejects a Service without endpoints (exit 7), so a refusal
 * where a drop is predicted is a server that is not listening (killed mid-run, never started) or a
 * broken route, not a policy; a 403 where a reset is predicted is the wrong layer holding. Either
 * is a mismatch, never counted as blocked.
 */
function observedAsPredicted(classification: Classification, prediction: ProbeResult): boolean {
  const sameSymptom = classification.verdict === "allow" || prediction.observation === classification.observation;
  return prediction.verdict === classification.verdict && observationFamily(prediction.observation) === classification.family && sameSymptom;
}

function statusAgainstPrediction(probe: CataloguedProbe, classification: Classification, prediction: ProbeResult | undefined, meshAbsent: boolean): ProbeStatus {
  const observed = classification.verdict;
  if (observed === "unknown") return "unknown";
  const asPredicted = prediction === undefined || observedAsPredicted(classification, prediction);
  if (probe.intent === "allow") {
    if (observed !== "allow") return "control-failed";
    return asPredicted ? "pass" : "mismatch";
  }
  if (observed === "allow") return meshAbsent && prediction?.verdict === "allow" ? "mesh-only" : "breach";
  return asPredicted ? "pass" : "mismatch";
}

export function judgeProbe(planned: PlannedProbe, raw: RawObservation, prediction: ProbeResult | undefined, options: JudgeOptions = {}): ProbeOutcome {
  const { probe } = planned;
  const client = probe.client ?? "sidecar";
  const meshAbsent = options.mesh === "absent";
  const byPrediction = gatedByPrediction(options);
  const classification = classify(planned, raw, client, meshAbsent);
  let status: ProbeStatus;
  if (byPrediction) status = statusAgainstPrediction(probe, classification, prediction, meshAbsent);
  else if (classification.verdict === probe.intent) status = "pass";
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
    observationMatchesPrediction: prediction ? (byPrediction ? observedAsPredicted(classification, prediction) : observationFamily(prediction.observation) === classification.family) : null,
    predictionMatchesIntent: prediction ? prediction.verdict === probe.intent : null,
    blockingLayers: classification.verdict === "deny" ? attributeLayers(classification, prediction) : [],
  };
}

/** A probe that is not run here (e.g. it needs the mesh and there is none): `skipped`, with why, in every report format. */
export function skippedProbe(planned: PlannedProbe, reason: string): ProbeOutcome {
  const { probe } = planned;
  const raw: RawObservation = { index: -1, exitCode: null, httpCode: null, writeOutExitCode: null, errorMessage: reason, timeSeconds: null, body: "", reported: false };
  return {
    probe,
    source: probe.from,
    url: planned.request.url,
    raw,
    classification: { verdict: "unknown", layer: "unknown", family: "unknown", observation: "not run", reason },
    status: "skipped",
    observationMatchesPrediction: null,
    predictionMatchesIntent: null,
    blockingLayers: [],
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
 * - otherwise any unknown (no result, DNS failure, unexpected answer) or mismatch (observed ≠
 *   predicted without a mesh) → INCONCLUSIVE;
 * - otherwise PASS.
 * Skipped checks, attacks only the absent mesh stops (`mesh-only`) and whole parts that were not
 * run (`notRun`) never change the outcome, but the reasons always say so: a PASS names what it did
 * not check and what it saw get through.
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
  const mismatches = count("mismatch");
  if (mismatches.length > 0) reasons.push(describe(`probe(s) ${STATUS_WORDS.mismatch} (the model)`, mismatches));
  const skipped = count("skipped");
  const meshOnly = count("mesh-only");
  const caveats = [
    ...(meshOnly.length > 0 ? [describe(`attack(s) got through, ${STATUS_WORDS["mesh-only"]}, as predicted`, meshOnly)] : []),
    ...(skipped.length > 0 ? [describe("check(s) skipped", skipped)] : []),
    ...notRun.map((part) => `not run: ${part}`),
  ];
  reasons.push(...caveats);
  if (failedControls.length > 0) return { outcome: "inconclusive", exitCode: EXIT_CODES.inconclusive, reasons };
  if (breaches.length > 0) return { outcome: "fail", exitCode: EXIT_CODES.fail, reasons };
  if (unknown.length > 0 || mismatches.length > 0) return { outcome: "inconclusive", exitCode: EXIT_CODES.inconclusive, reasons };
  const checked = all.length - skipped.length - meshOnly.length;
  const predicted = meshOnly.length > 0 ? ` (and ${meshOnly.length} ${STATUS_WORDS["mesh-only"]}, observed as predicted)` : "";
  return { outcome: "pass", exitCode: EXIT_CODES.pass, reasons: [`all ${checked} checks run matched their intent${predicted}`, ...caveats] };
}
