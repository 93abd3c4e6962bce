// Runs the tenant-admin admission attempts (lab/check/attempts.ts) for real: first waits until
// every ResourceQuota has a status (until the quota controller has synced one, quota admission
// refuses every request in its namespace, which would read as a false "refused"), then sends each
// attempt, classifies the API server's answer, and deletes whatever an attempt created.
import { isGuardrailPolicy } from "../../components/builders";
import { cleanupArgv, parseAttempt, type AdmissionAttempt, type AttemptAnswer } from "../check/attempts";
import type { ControlPlaneOutcome, ProbeStatus } from "../check/compare";
import type { LabSettings } from "../plan/settings";
import { kubectl } from "../plan/steps";
import type { PlannedAttempt } from "../plan/check";
import { executeStep, type LabIO } from "./execute";

/** Names of ResourceQuotas (ns/name) whose status the quota controller has not written yet. */
export function unsyncedQuotas(listJson: string): string[] {
  const items = (JSON.parse(listJson) as { items?: { metadata?: { name?: string; namespace?: string }; status?: { hard?: unknown } }[] }).items ?? [];
  return items.filter((q) => !q.status?.hard).map((q) => `${q.metadata?.namespace}/${q.metadata?.name}`);
}

export function attemptStatus(attempt: AdmissionAttempt, answer: AttemptAnswer): ProbeStatus {
  if (answer.outcome === "error") return /the server doesn't have a resource type|no matches for kind|could not find the requested resource/.test(answer.detail) ? "skipped" : "unknown";
  if (attempt.expect.outcome === "admitted") return answer.outcome === "admitted" ? "pass" : "control-failed";
  if (answer.outcome === "admitted") return "breach";
  // Refused, but by another mechanism than expected: still refused (no breach), yet the layer the
  // platform relies on did not act, so the answer is not the one we meant to prove.
  return answer.by === attempt.expect.by ? "pass" : "unknown";
}

function describeAnswer(answer: AttemptAnswer): string {
  if (answer.outcome === "refused") return `refused by ${answer.by}: ${answer.detail}`;
  return `${answer.outcome}: ${answer.detail}`;
}

async function waitForQuotaStatus(io: LabIO, settings: LabSettings, timeoutMs = 60_000): Promise<string[]> {
  const started = Date.now();
  for (;;) {
    const listed = await executeStep(io, { argv: kubectl(settings, "get", "resourcequotas", "-A", "-o", "json"), waitsFor: "every ResourceQuota's status", mayFail: true });
    const pending = listed.ok ? unsyncedQuotas(listed.result?.stdout ?? "{}") : ["(list failed)"];
    if (pending.length === 0 || Date.now() - started > timeoutMs) return pending;
    await io.sleep(1000);
  }
}

export async function runAttempts(io: LabIO, settings: LabSettings, planned: readonly PlannedAttempt[]): Promise<ControlPlaneOutcome[]> {
  if (planned.length === 0) return [];
  const pending = await waitForQuotaStatus(io, settings);
  if (pending.length > 0) io.log(`warning: quotas without status after 60 s (quota attempts may be inconclusive): ${pending.join(", ")}`);
  const outcomes: ControlPlaneOutcome[] = [];
  // One at a time: the quota attempt and the positive controls share the namespace's quota.
  for (const { attempt, step } of planned) {
    const outcome = await executeStep(io, { ...step, mayFail: true });
    const answer = parseAttempt(outcome.result ?? { code: null, stdout: "", stderr: "no result" }, isGuardrailPolicy);
    if (answer.outcome === "admitted") {
      const cleanup = cleanupArgv(attempt, settings.context);
      if (cleanup) await executeStep(io, { argv: cleanup, waitsFor: `removal of what "${attempt.id}" created`, mayFail: true });
    }
    outcomes.push({
      id: attempt.id,
      kind: "attempt",
      description: attempt.description,
      expected: attempt.expect.outcome === "admitted" ? "admitted" : `refused by ${attempt.expect.by}`,
      observed: describeAnswer(answer),
      status: attemptStatus(attempt, answer),
    });
  }
  return outcomes;
}
