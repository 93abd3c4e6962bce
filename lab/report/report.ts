// The check's report as data (report.json is exactly this object).
import type { ControlPlaneOutcome, ProbeOutcome, RunVerdict } from "../check/compare";

export interface ProbeReportEntry {
  id: string;
  category: string;
  intent: "allow" | "deny";
  from: string;
  url: string;
  status: ProbeOutcome["status"];
  observed: {
    verdict: string;
    observation: string;
    layer: string;
    reason: string;
    httpCode: number | null;
    exitCode: number | null;
    errorMessage: string;
    body: string;
    /** The access-log entries of the Envoys that handled the request (server's sidecar first), where the backend reads them. */
    envoy?: { sidecar: string; upstreamCluster: string; responseCode: number; responseFlags: string; responseCodeDetails: string }[];
  };
  /** `absentLayers`: layers the evaluated cluster does not have, with why (no mesh on this backend). */
  predicted: { verdict: string; observation: string; layers: Record<string, string>; absentLayers?: Record<string, string>; decidedBy?: { kind: string; namespace?: string; name: string; rule?: number } } | null;
  blockingLayers: string[];
  observationMatchesPrediction: boolean | null;
}

export interface CheckReport {
  tool: "hard-tenancy lab";
  command: string;
  context: string;
  startedAt: string;
  finishedAt: string;
  ablated: string[];
  scenario: string | null;
  /** Parts of the check that did not run at all, with why (e.g. data-plane probes on a backend without a dataplane). */
  notRun: string[];
  /**
   * Present when the cluster runs no mesh (the local backend): the mesh layers it lacks and why.
   * Probes are then sent sidecar-free and judged against the model without a mesh; those that need
   * the mesh are listed with status `skipped`.
   */
  meshAbsent?: MeshAbsence;
  outcome: RunVerdict["outcome"];
  exitCode: number;
  reasons: string[];
  /** Without a mesh also: `meshOnly` (stopped only by the mesh, absent here), `mismatches` (observed ≠ predicted), `skipped` (need the mesh). */
  summary: { probes: number; passed: number; breaches: number; controlsFailed: number; unknown: number; observationMismatches: number; controlPlane: number; controlPlanePassed: number; meshOnly?: number; mismatches?: number; skipped?: number };
  probes: ProbeReportEntry[];
  controlPlane: ControlPlaneOutcome[];
  /** Workloads the model's predictions used stand-ins for (the stack deploys none of its own). */
  predictionStandIns: string[];
}

export interface MeshAbsence {
  reason: string;
  /** The enforcement layers not present. */
  layers: string[];
}

/** The one sentence every report format uses to say the mesh was absent. */
export function meshAbsentSentence(mesh: MeshAbsence): string {
  return `MESH ABSENT (${mesh.reason}): ${mesh.layers.join(" and ")} are not present; every probe was sent sidecar-free and judged against the model without a mesh (observed = predicted); probes that need the mesh (mTLS, L7) were not run`;
}

export interface ReportContext {
  command: string;
  context: string;
  startedAt: Date;
  finishedAt: Date;
  ablated?: string[];
  scenario?: string;
  notRun?: string[];
  predictionStandIns?: string[];
  meshAbsent?: MeshAbsence;
}

const BODY_IN_REPORT = 300;

export function buildReport(ctx: ReportContext, probes: readonly ProbeOutcome[], controlPlane: readonly ControlPlaneOutcome[], verdict: RunVerdict): CheckReport {
  const count = (status: ProbeOutcome["status"]): number => probes.filter((p) => p.status === status).length;
  return {
    tool: "hard-tenancy lab",
    command: ctx.command,
    context: ctx.context,
    startedAt: ctx.startedAt.toISOString(),
    finishedAt: ctx.finishedAt.toISOString(),
    ablated: ctx.ablated ?? [],
    scenario: ctx.scenario ?? null,
    notRun: ctx.notRun ?? [],
    ...(ctx.meshAbsent ? { meshAbsent: { reason: ctx.meshAbsent.reason, layers: [...ctx.meshAbsent.layers] } } : {}),
    outcome: verdict.outcome,
    exitCode: verdict.exitCode,
    reasons: verdict.reasons,
    summary: {
      probes: probes.length,
      passed: count("pass"),
      breaches: count("breach"),
      controlsFailed: count("control-failed"),
      unknown: count("unknown"),
      observationMismatches: probes.filter((p) => p.observationMatchesPrediction === false).length,
      controlPlane: controlPlane.length,
      controlPlanePassed: controlPlane.filter((c) => c.status === "pass").length,
      ...(ctx.meshAbsent ? { meshOnly: count("mesh-only"), mismatches: count("mismatch"), skipped: count("skipped") } : count("mismatch") > 0 ? { mismatches: count("mismatch") } : {}),
    },
    probes: probes.map((p) => ({
      id: p.probe.id,
      category: p.probe.category,
      intent: p.probe.intent,
      from: p.source,
      url: p.url,
      status: p.status,
      observed: {
        verdict: p.classification.verdict,
        observation: p.classification.observation,
        layer: p.classification.layer,
        reason: p.classification.reason,
        httpCode: p.raw.httpCode,
        exitCode: p.raw.exitCode,
        errorMessage: p.raw.errorMessage,
        body: p.raw.body.slice(0, BODY_IN_REPORT),
        ...(p.envoy && p.envoy.length > 0 ? { envoy: p.envoy.map((e) => ({ ...e })) } : {}),
      },
      predicted: p.prediction
        ? {
            verdict: p.prediction.verdict,
            observation: p.prediction.observation,
            layers: { ...p.prediction.layers } as Record<string, string>,
            ...(p.prediction.absentLayers ? { absentLayers: { ...p.prediction.absentLayers } as Record<string, string> } : {}),
            ...(p.prediction.decidedBy ? { decidedBy: { ...p.prediction.decidedBy } } : {}),
          }
        : null,
      blockingLayers: [...p.blockingLayers],
      observationMatchesPrediction: p.observationMatchesPrediction,
    })),
    controlPlane: [...controlPlane],
    predictionStandIns: [...(ctx.predictionStandIns ?? [])],
  };
}

/** `.lab/reports/<timestamp>/`: the ISO time with ':' and '.' made filename-safe. */
export function reportDirName(at: Date): string {
  return at.toISOString().replace(/[:.]/g, "-");
}
