// `lab check`: the catalogue as one `kubectl exec` per source pod (its probes in parallel batches
// inside one shell script), then the control-plane checks. Pure: given pod IPs (or placeholders),
// the plan is fully determined, which is what the plan tests pin down.
import { stringify } from "yaml";
import type { PlatformSpec } from "../../components/spec/types";
import {
  canIArgv,
  controlPlaneChecks,
  externalIpServiceManifest,
  privilegedPodManifest,
  serverDryRunArgv,
  type CanICheck,
} from "../check/control-plane";
import { admissionAttempts, attemptArgv, type AdmissionAttempt } from "../check/attempts";
import { batchCount, buildProbeScript } from "../check/script";
import { groupBySource, type PodIpLookup, type SourceBatch } from "../check/targets";
import type { CataloguedProbe } from "../probes/types";
import { DEFAULT_LAB_IMAGES } from "../workloads/images";
import type { LabSettings } from "./settings";
import { currentContextStep, isCurrentContextStep, kubectl, listPodsStep } from "./steps";
import type { LabCommand, Plan, PlanStep } from "./types";

/** Seconds a `kubectl exec` may add around its script (API round trips, shell start). */
export const EXEC_OVERHEAD_SECONDS = 30;

/**
 * How a backend runs one source's probe script: the argv of one invocation that runs `sh -c
 * <script>` inside the source pod's network namespace. Default (kind, any real cluster):
 * `kubectl exec -n <ns> deploy/<workload> -c <container> -- sh -c <script>`; the local backend runs
 * the same script through `ip netns exec <netns> sh -c <script>` (lab/local/check.ts).
 */
export type ExecArgvFor = (batch: SourceBatch, script: string) => string[];

export interface CheckPlanInput {
  spec: PlatformSpec;
  settings: LabSettings;
  catalogue: readonly CataloguedProbe[];
  /** Per-run random; delimits each probe's output. */
  nonce: string;
  /** Pod IPs for workload targets; absent in a dry run (placeholders are shown). */
  lookupIp?: PodIpLookup;
  /** How each source's script is run (default: `kubectl exec`, see ExecArgvFor). */
  execArgvFor?: ExecArgvFor;
}

export interface PlannedAttempt {
  attempt: AdmissionAttempt;
  step: PlanStep;
}

export interface SourceExec {
  batch: SourceBatch;
  step: PlanStep;
  batches: number;
}

export interface CheckPlan extends Plan {
  execs: SourceExec[];
  canI: { check: CanICheck; step: PlanStep }[];
  podSecurity: { namespace: string; step: PlanStep }[];
  /** Server-side dry runs of a Service with externalIPs, one per tenant (when the admission guardrails are on). */
  guardrails: { namespace: string; step: PlanStep }[];
  /** Real requests as each tenant admin that admission must refuse, and positive controls it must admit. */
  attempts: PlannedAttempt[];
  /** Upper bound of the probe phase: ceil(execs / parallelExecs) × max batches per exec × --max-time. */
  boundSeconds: number;
}

/** `kubectl exec` into the source workload's container: how every cluster with a kubelet runs a probe script. */
export function kubectlExecArgv(settings: LabSettings): ExecArgvFor {
  return (batch, script) => kubectl(settings, "exec", "-n", batch.namespace, `deploy/${batch.workload}`, "-c", batch.container, "--", "sh", "-c", script);
}

/** The `x-request-id` a probe's request carries: Envoy keeps a client's id on internal requests and logs it, which finds the request in each sidecar's access log. Not a UUID, so Envoy never rewrites its trace-reason digit. */
export function probeRequestId(nonce: string, batch: Pick<SourceBatch, "namespace" | "workload">, index: number): string {
  return `ht-${nonce}-${batch.namespace}.${batch.workload}-${index}`;
}

export const REQUEST_ID_HEADER = "x-request-id";

export function execStep(settings: LabSettings, source: SourceBatch, nonce: string, execArgvFor: ExecArgvFor = kubectlExecArgv(settings)): SourceExec {
  const batch = { ...source, probes: source.probes.map((p, i) => ({ ...p, request: { ...p.request, headers: { ...p.request.headers, [REQUEST_ID_HEADER]: probeRequestId(nonce, source, i) } } })) };
  const script = buildProbeScript(
    batch.probes.map((p) => p.request),
    { nonce, batchSize: settings.batchSize, maxTimeSeconds: settings.maxTimeSeconds },
  );
  const batches = batchCount(batch.probes.length, settings.batchSize);
  return {
    batch,
    batches,
    step: {
      argv: execArgvFor(batch, script),
      waitsFor: `${batch.probes.length} probe(s) from ${batch.source} in ${batches} parallel batch(es), each curl bounded by --max-time ${settings.maxTimeSeconds}`,
      timeoutSeconds: batches * settings.maxTimeSeconds + EXEC_OVERHEAD_SECONDS,
    },
  };
}

export function planCheck(input: CheckPlanInput): CheckPlan {
  const { spec, settings } = input;
  const steps: PlanStep[] = [];
  if (!settings.contextExplicit) steps.push(currentContextStep());
  steps.push(listPodsStep(settings));
  const execs = groupBySource(input.catalogue, input.lookupIp ?? (() => undefined)).map((batch) => execStep(settings, batch, input.nonce, input.execArgvFor));
  steps.push(...execs.map((e) => e.step));
  const canI = controlPlaneChecks(spec).map((check) => ({
    check,
    step: { argv: canIArgv(check, settings.context), waitsFor: `the API server's answer (expect ${check.expect}): ${check.description}` },
  }));
  steps.push(...canI.map((c) => c.step));
  const podSecurity = spec.layers.podSecurity
    ? spec.tenants.map((tenant) => ({
        namespace: tenant.namespace,
        step: {
          argv: serverDryRunArgv(settings.context, tenant.namespace),
          stdin: stringify(privilegedPodManifest(tenant.namespace, DEFAULT_LAB_IMAGES.curl)),
          waitsFor: `admission's verdict on a privileged pod in ${tenant.namespace} (server-side dry run: nothing is created; expect a Pod Security rejection)`,
        },
      }))
    : [];
  steps.push(...podSecurity.map((p) => p.step));
  const guardrails = spec.layers.admissionGuardrails
    ? spec.tenants.map((tenant) => ({
        namespace: tenant.namespace,
        step: {
          argv: serverDryRunArgv(settings.context, tenant.namespace),
          stdin: stringify(externalIpServiceManifest(tenant.namespace)),
          waitsFor: `admission's verdict on a Service with externalIPs in ${tenant.namespace} (server-side dry run: nothing is created; expect the tenant guardrails policy to reject it)`,
        },
      }))
    : [];
  steps.push(...guardrails.map((g) => g.step));
  const attempts = admissionAttempts(spec).map((attempt): PlannedAttempt => ({
    attempt,
    step: {
      argv: attemptArgv(attempt, settings.context),
      ...(attempt.manifest ? { stdin: stringify(attempt.manifest) } : {}),
      waitsFor: `the API server's answer (expect ${attempt.expect.outcome === "admitted" ? "admitted" : `refused by ${attempt.expect.by}`}): ${attempt.description}`,
      timeoutSeconds: 60,
    },
  }));
  steps.push(...attempts.map((a) => a.step));
  const maxBatches = Math.max(0, ...execs.map((e) => e.batches));
  const boundSeconds = Math.ceil(execs.length / settings.parallelExecs) * maxBatches * settings.maxTimeSeconds;
  return {
    command: "check",
    steps,
    execs,
    canI,
    podSecurity,
    guardrails,
    attempts,
    boundSeconds,
    notes: [
      `${input.catalogue.length} probes from ${execs.length} source pods, ${settings.parallelExecs} pods at a time; probe phase ≤ ${boundSeconds} s`,
      "token mounts are read from the pod list (no extra call)",
      "before the tenant-admin attempts: wait until every ResourceQuota has a status; an admitted attempt is deleted right after",
      `write ${settings.reportsDir}/<timestamp>/report.json, junit.xml and report.html`,
    ],
  };
}

/** Re-export for planners that prefix a check with their own steps. */
export { kubectl };

/** A check wrapped in a change and its undo (ablate, scenario): `restore` always runs after the check. */
export interface GuardedCheckPlan extends Plan {
  /** Steps before the check (the context guard first, unless --context was given). */
  before: PlanStep[];
  check: CheckPlan;
  /** Steps that always run after the check, even when it fails. */
  restore: PlanStep[];
}

/**
 * Puts `change` before and `restore` after `check`. The check's own context guard is dropped: the
 * guard runs once, first, before anything changes.
 */
export function guardedCheckPlan(
  command: LabCommand,
  settings: LabSettings,
  parts: { change: PlanStep[]; check: CheckPlan; restore: PlanStep[]; note: string },
): GuardedCheckPlan {
  const before = [...(settings.contextExplicit ? [] : [currentContextStep()]), ...parts.change];
  const checkSteps = parts.check.steps.filter((step) => !isCurrentContextStep(step));
  return {
    command,
    before,
    check: parts.check,
    restore: parts.restore,
    steps: [...before, ...checkSteps, ...parts.restore],
    boundSeconds: parts.check.boundSeconds,
    notes: [parts.note, "restore runs even when the check fails", ...parts.check.notes],
  };
}
