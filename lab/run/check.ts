// The live check: list pods, probe from every source pod (one exec each, a few at a time), judge
// each probe against intent and prediction, run the control-plane checks, write the reports.
import { randomBytes } from "node:crypto";
import type { PlatformSpec } from "../../components/spec/types";
import { parseCanI, parseGuardrailDryRun, parsePodSecurityDryRun, tokenMountViolations } from "../check/control-plane";
import { judgeProbe, judgeRun, skippedProbe, type ControlPlaneOutcome, type EnvoyAccessRecord, type ProbeOutcome, type ProbeStatus } from "../check/compare";
import { parsePodList, podsOf, type PodSummary } from "../check/pods";
import { rbacDisagreement, serverSideEntry } from "../check/envoy-evidence";
import { parseProbeOutput, type RawObservation } from "../check/script";
import { probeMethod, requestFor } from "../check/targets";
import { MESH_LAYERS, NO_MESH_REASON, type MeshPresence } from "../model/mesh";
import { planCheck, REQUEST_ID_HEADER, type ExecArgvFor } from "../plan/check";
import type { LabSettings } from "../plan/settings";
import { listPodsStep } from "../plan/steps";
import type { PlatformVerdict } from "../model/verdict-types";
import type { CataloguedProbe, ProbeResult } from "../probes/types";
import { renderReportHtml } from "../report/html/render";
import { buildReport, type CheckReport } from "../report/report";
import { renderTable } from "../report/table";
import { writeReport } from "../report/write";
import { executeStep, type LabIO } from "./execute";
import { runAttempts } from "./attempts";
import { mapLimited } from "./runner";

export interface LiveCheckOptions {
  spec: PlatformSpec;
  settings: LabSettings;
  /** The catalogue with the model's prediction for each probe (predictCatalogue's output). */
  predictions: readonly { probe: CataloguedProbe; result: ProbeResult }[];
  command: string;
  ablated?: string[];
  scenario?: string;
  /** Parts that do not run on this backend, with why; reported in every format. */
  notRun?: string[];
  /** The model's platform verdict for the same objects and ablation: drawn with the observations in report.html. */
  verdict?: PlatformVerdict;
  /** Workloads the predictions used stand-ins for (see lab/model/stand-ins.ts). */
  predictionStandIns?: string[];
  /** How each source pod's probe script is run (default: `kubectl exec`; the local backend: `ip netns exec`). */
  execArgvFor?: ExecArgvFor;
  /** The pods, when the backend knows them already (default: `kubectl get pods -A -o json`). */
  pods?: readonly PodSummary[];
  /**
   * "absent": the cluster runs no mesh. Each probe is judged against its prediction, which must be
   * the model's without a mesh (predictL34Catalogue), observed = predicted being the gate
   * (lab/check/compare.ts); every report says the mesh was absent.
   */
  mesh?: MeshPresence;
  /** "prediction": observed = predicted gates the run with the mesh present too (lab/check/compare.ts). */
  gate?: "intent" | "prediction";
  /** Catalogue probes not run here, each with why (e.g. needs the mesh): reported with status skipped. */
  skippedProbes?: readonly { probe: CataloguedProbe; reason: string }[];
  /**
   * Asked once every probe has run, with every request's x-request-id: the access-log entries of the
   * Envoys that handled them (the local backend reads its sidecars' logs). Attached to each probe.
   */
  envoyAccessLog?: (requests: readonly { requestId: string; httpCode: number | null }[]) => Promise<Map<string, EnvoyAccessRecord[]>>;
  /**
   * Asked once every probe has run: why a probe's observation cannot be trusted (e.g. the process
   * that should have answered, or the node's policy agent, died during the run). Such a probe is
   * inconclusive ("unknown"), never counted as blocked or allowed.
   */
  untrustworthy?: (probe: CataloguedProbe) => string | undefined;
}

export interface LiveCheckResult {
  report: CheckReport;
  exitCode: number;
  reportDir: string;
}

export function randomNonce(): string {
  return randomBytes(12).toString("hex");
}

function unreported(index: number, why: string): RawObservation {
  return { index, exitCode: null, httpCode: null, writeOutExitCode: null, errorMessage: why, timeSeconds: null, body: "", reported: false };
}

function canIStatus(expect: "yes" | "no", answer: "yes" | "no" | "error", positiveControl: boolean): ProbeStatus {
  if (answer === expect) return "pass";
  if (positiveControl) return "control-failed";
  return answer === "error" ? "unknown" : "breach";
}

function tokenOutcomes(pods: PodSummary[], spec: PlatformSpec): ControlPlaneOutcome[] {
  const violations = tokenMountViolations(pods, spec.tenants.map((t) => t.namespace));
  return spec.tenants.map((tenant) => {
    const inNamespace = pods.filter((p) => p.namespace === tenant.namespace);
    const found = violations.filter((v) => v.pod.startsWith(`${tenant.namespace}/`));
    const status: ProbeStatus = inNamespace.length === 0 ? "unknown" : found.length > 0 ? "breach" : "pass";
    return {
      id: `no API token mounted in ${tenant.namespace}`,
      kind: "token-mount",
      description: `no pod in ${tenant.namespace} has a Kubernetes API token mounted`,
      expected: "no token volume or mount",
      observed: inNamespace.length === 0 ? "no pods found" : found.length > 0 ? found.map((v) => `${v.pod}: ${v.found.join(", ")}`).join("; ") : `${inNamespace.length} pod(s), none with a token`,
      status,
    };
  });
}

export async function runLiveCheck(io: LabIO, options: LiveCheckOptions): Promise<LiveCheckResult> {
  const { spec, settings } = options;
  const startedAt = io.now();
  const pods = options.pods ? [...options.pods] : parsePodList((await executeStep(io, listPodsStep(settings))).result?.stdout ?? "");
  const lookupIp = (workload: string): string | undefined => podsOf(pods, workload).find((p) => p.podIP)?.podIP;
  const nonce = randomNonce();
  // An ablated layer's objects do not exist: no attempt to change them is planned (it would only find them missing).
  const deployed = options.ablated && options.ablated.length > 0 ? { ...spec, layers: { ...spec.layers, ...Object.fromEntries(options.ablated.map((layer) => [layer, false])) } } : spec;
  const plan = planCheck({ spec: deployed, settings, catalogue: options.predictions.map((p) => p.probe), nonce, lookupIp, ...(options.execArgvFor ? { execArgvFor: options.execArgvFor } : {}) });
  const judge = { ...(options.mesh ? { mesh: options.mesh } : {}), ...(options.gate ? { gate: options.gate } : {}) };
  const predictionById = new Map(options.predictions.map((p) => [p.probe.id, p.result]));
  io.log(`probing: ${plan.notes[0]}`);

  const perExec = await mapLimited(plan.execs, settings.parallelExecs, async (exec) => {
    const outcome = await executeStep(io, { ...exec.step, mayFail: true });
    const stdout = outcome.result?.stdout ?? "";
    const observations = parseProbeOutput(stdout, nonce, exec.batch.probes.length);
    const why = `exec in ${exec.batch.source} failed: ${(outcome.result?.stderr ?? "").trim().split("\n")[0] || `exit ${outcome.result?.code}`}`;
    return exec.batch.probes.map((planned, i): ProbeOutcome & { requestId?: string } => {
      const raw = observations[i].reported ? observations[i] : unreported(i, why);
      return { ...judgeProbe(planned, raw, predictionById.get(planned.probe.id), judge), requestId: planned.request.headers[REQUEST_ID_HEADER] };
    });
  });
  const envoy = options.envoyAccessLog ? await options.envoyAccessLog(perExec.flat().flatMap((o) => (o.requestId && (o.raw.httpCode ?? 0) > 0 ? [{ requestId: o.requestId, httpCode: o.raw.httpCode }] : []))) : undefined;
  const skipped = (options.skippedProbes ?? []).map(({ probe, reason }) => skippedProbe({ probe, method: probeMethod(probe), request: requestFor(probe, lookupIp) }, reason));
  const distrust = (outcome: ProbeOutcome): ProbeOutcome => {
    const why = options.untrustworthy?.(outcome.probe);
    if (why === undefined) return outcome;
    return { ...outcome, status: "unknown", classification: { ...outcome.classification, verdict: "unknown", reason: `inconclusive: ${why} (observed: ${outcome.classification.observation})` } };
  };
  const withEnvoy = ({ requestId, ...outcome }: ProbeOutcome & { requestId?: string }): ProbeOutcome => {
    const entries = requestId ? envoy?.get(requestId) : undefined;
    if (!entries || entries.length === 0) return outcome;
    // Gated by the prediction, the policy Envoy names must be the one the model names.
    const server = serverSideEntry(entries);
    const disagreement = judge.gate === "prediction" && server && outcome.status === "pass" ? rbacDisagreement(server.responseCodeDetails, outcome.prediction?.decidedBy) : undefined;
    if (disagreement) return { ...outcome, envoy: entries, status: "mismatch", observationMatchesPrediction: false, classification: { ...outcome.classification, reason: `${outcome.classification.reason}; ${disagreement}` } };
    return { ...outcome, envoy: entries };
  };
  const probeOutcomes = [...perExec.flat().map(withEnvoy).map(distrust), ...skipped];

  const canI = await mapLimited(plan.canI, 8, async ({ check, step }): Promise<ControlPlaneOutcome> => {
    const outcome = await executeStep(io, { ...step, mayFail: true });
    const answer = parseCanI(outcome.result ?? { code: null, stdout: "", stderr: "no result" });
    return {
      id: check.id,
      kind: "can-i",
      description: check.description,
      expected: check.expect,
      observed: answer.answer === "error" ? `error: ${answer.detail}` : answer.detail,
      status: canIStatus(check.expect, answer.answer, check.positiveControl),
    };
  });
  const podSecurity = await mapLimited(plan.podSecurity, 4, async ({ namespace, step }): Promise<ControlPlaneOutcome> => {
    const outcome = await executeStep(io, { ...step, mayFail: true });
    const parsed = parsePodSecurityDryRun(outcome.result ?? { code: null, stdout: "", stderr: "no result" });
    return {
      id: `privileged pod rejected in ${namespace}`,
      kind: "pod-security",
      description: `a privileged pod is rejected by Pod Security in ${namespace} (server-side dry run)`,
      expected: "rejected",
      observed: parsed.detail,
      status: parsed.rejected === true ? "pass" : parsed.rejected === false ? "breach" : "unknown",
    };
  });
  const guardrails = await mapLimited(plan.guardrails, 4, async ({ namespace, step }): Promise<ControlPlaneOutcome> => {
    const outcome = await executeStep(io, { ...step, mayFail: true });
    const parsed = parseGuardrailDryRun(outcome.result ?? { code: null, stdout: "", stderr: "no result" });
    return {
      id: `Service with externalIPs rejected in ${namespace}`,
      kind: "admission",
      description: `a Service with spec.externalIPs is rejected by admission in ${namespace} (server-side dry run)`,
      expected: "rejected",
      observed: parsed.detail,
      status: parsed.rejected === true ? "pass" : parsed.rejected === false ? "breach" : "unknown",
    };
  });
  const attempts = await runAttempts(io, settings, plan.attempts);
  const controlPlane = [...canI, ...podSecurity, ...guardrails, ...attempts, ...tokenOutcomes(pods, spec)];
  const notRun = options.notRun ?? [];
  const verdict = judgeRun(probeOutcomes, controlPlane, notRun);
  const report = buildReport(
    {
      command: options.command,
      context: settings.context,
      startedAt,
      finishedAt: io.now(),
      ablated: options.ablated,
      scenario: options.scenario,
      notRun,
      predictionStandIns: options.predictionStandIns,
      ...(options.mesh === "absent" ? { meshAbsent: { reason: NO_MESH_REASON, layers: [...MESH_LAYERS] } } : {}),
    },
    probeOutcomes,
    controlPlane,
    verdict,
  );
  const html = options.verdict
    ? renderReportHtml({ verdict: options.verdict, title: `lab ${options.command} (context ${settings.context})`, generatedAt: report.finishedAt, mode: "live", observed: report })
    : undefined;
  const written = writeReport(settings.reportsDir, report, startedAt, html);
  io.log(renderTable(report));
  io.log(`reports: ${[written.json, written.junit, ...(written.html ? [written.html] : [])].join(", ")}`);
  return { report, exitCode: verdict.exitCode, reportDir: written.dir };
}
