// After the deploy: did the real admission chain admit each Deployment's pods? The deployment and
// replicaset controllers create the pods (no scheduler or kubelet runs them); a pod refused by
// admission (Pod Security, quota, LimitRange, the guardrails) shows as the Deployment's
// `ReplicaFailure` condition with the API server's message. Also waits for every ResourceQuota's
// status: quota admission refuses everything in a namespace until the controller has synced it.
import type { LabSettings } from "../plan/settings";
import { kubectl } from "../plan/steps";
import { executeStep, type LabIO } from "../run/execute";
import { objectRef, type DeployPlan } from "./deploy";

export interface AdmissionSummary {
  deployment: string;
  wanted: number;
  created: number;
  /** The API server's refusal, when the controller could not create a pod. */
  refusal?: string;
}

interface Listed {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; hard?: Record<string, string>; conditions?: { type?: string; status?: string; message?: string }[] };
}

/** Reads `kubectl get deployments,resourcequotas -A -o json`. */
export function summariseAdmission(listJson: string, deployments: readonly string[]): { summaries: AdmissionSummary[]; unsyncedQuotas: string[] } {
  const items = ((JSON.parse(listJson) as { items?: Listed[] }).items ?? []);
  const ref = (i: Listed): string => `${i.kind}/${i.metadata?.namespace}/${i.metadata?.name}`;
  const summaries = deployments.map((name): AdmissionSummary => {
    const item = items.find((i) => i.kind === "Deployment" && ref(i) === name);
    const wanted = item?.spec?.replicas ?? 1;
    const failure = item?.status?.conditions?.find((c) => c.type === "ReplicaFailure" && c.status === "True");
    return { deployment: name, wanted, created: item?.status?.replicas ?? 0, ...(failure?.message ? { refusal: failure.message } : {}) };
  });
  const unsyncedQuotas = items.filter((i) => i.kind === "ResourceQuota" && !i.status?.hard).map(ref);
  return { summaries, unsyncedQuotas };
}

export function settled(summary: AdmissionSummary): boolean {
  return summary.created >= summary.wanted || summary.refusal !== undefined;
}

export async function waitForAdmission(io: LabIO, settings: LabSettings, plan: DeployPlan, timeoutMs = 90_000): Promise<AdmissionSummary[]> {
  const deployments = plan.phases.flatMap((p) => p.objects).filter((o) => o.kind === "Deployment").map(objectRef);
  const started = Date.now();
  for (;;) {
    const listed = await executeStep(io, { argv: kubectl(settings, "get", "deployments,resourcequotas", "-A", "-o", "json"), waitsFor: "Deployments' pods created and quotas synced" });
    const { summaries, unsyncedQuotas } = summariseAdmission(listed.result?.stdout ?? "{}", deployments);
    const done = summaries.every(settled) && unsyncedQuotas.length === 0;
    if (done || Date.now() - started > timeoutMs) {
      for (const s of summaries) {
        io.log(`  ${s.deployment}: ${s.refusal ? `REFUSED — ${s.refusal}` : `${s.created}/${s.wanted} pod(s) admitted${settled(s) ? "" : " (still waiting at the timeout)"}`}`);
      }
      if (unsyncedQuotas.length > 0) io.log(`  quotas without status after ${timeoutMs / 1000} s: ${unsyncedQuotas.join(", ")}`);
      return summaries;
    }
    await io.sleep(1000);
  }
}

interface PolicyStatus {
  metadata?: { name?: string; generation?: number };
  status?: { observedGeneration?: number; typeChecking?: { expressionWarnings?: { fieldRef?: string; warning?: string }[] } };
}

/**
 * The API server type-checks every ValidatingAdmissionPolicy's CEL against the matched kinds'
 * schemas after it is stored (status.typeChecking). A warning there means an expression that can
 * fail at admission time, which with failurePolicy Fail refuses requests it should not: returned
 * as "policy field: warning" lines. Unchecked policies after the timeout are reported too.
 */
export function admissionPolicyWarnings(listJson: string): { warnings: string[]; unchecked: string[] } {
  const items = (JSON.parse(listJson) as { items?: PolicyStatus[] }).items ?? [];
  const warnings = items.flatMap((p) => (p.status?.typeChecking?.expressionWarnings ?? []).map((w) => `${p.metadata?.name} ${w.fieldRef}: ${w.warning}`));
  const unchecked = items.filter((p) => p.status?.observedGeneration !== p.metadata?.generation).map((p) => String(p.metadata?.name));
  return { warnings, unchecked };
}

export async function checkAdmissionPolicies(io: LabIO, settings: LabSettings, timeoutMs = 180_000): Promise<{ warnings: string[]; unchecked: string[] }> {
  const started = Date.now();
  for (;;) {
    const listed = await executeStep(io, { argv: kubectl(settings, "get", "validatingadmissionpolicies", "-o", "json"), waitsFor: "the API server's type check of every ValidatingAdmissionPolicy" });
    const result = admissionPolicyWarnings(listed.result?.stdout ?? "{}");
    if (result.unchecked.length === 0 || Date.now() - started > timeoutMs) return result;
    await io.sleep(1000);
  }
}
