// Executes plan steps: processes through the CommandRunner, Automation API steps through the
// AutomationExecutor, in-process steps (files under .lab/) directly. Everything a command does goes
// through here, so tests can record it.
import { decideContext, type ContextDecision } from "../context";
import { describeInProcess } from "../plan/format";
import type { LabSettings } from "../plan/settings";
import { currentContextStep } from "../plan/steps";
import type { PlanStep } from "../plan/types";
import type { AutomationExecutor, AutomationOutcome } from "./automation";
import { runInProcess } from "./in-process";
import type { CommandResult, CommandRunner } from "./runner";

export interface LabIO {
  run: CommandRunner;
  automation: AutomationExecutor;
  log(line: string): void;
  sleep(ms: number): Promise<void>;
  now(): Date;
}

export interface StepOutcome {
  ok: boolean;
  result?: CommandResult;
  automation?: AutomationOutcome;
}

export class StepFailed extends Error {
  constructor(
    readonly step: PlanStep,
    detail: string,
  ) {
    super(`${step.inProcess ? describeInProcess(step.inProcess) : `\`${step.argv.join(" ")}\``} failed: ${detail}`);
  }
}

export async function executeStep(io: LabIO, step: PlanStep, options: { stream?: boolean } = {}): Promise<StepOutcome> {
  if (step.inProcess) {
    io.log(`→ ${describeInProcess(step.inProcess)}   [in-process]`);
    try {
      runInProcess(step.inProcess);
    } catch (error) {
      throw new StepFailed(step, (error as Error).message);
    }
    return { ok: true };
  }
  if (step.automation) {
    io.log(`→ ${step.argv.join(" ")}   [Automation API: ${step.automation.op}]`);
    const outcome = await io.automation(step.automation, step.env ?? {});
    if (!outcome.ok && !step.mayFail) throw new StepFailed(step, outcome.message ?? "unknown error");
    return { ok: outcome.ok, automation: outcome };
  }
  const result = await io.run(step.argv, {
    stdin: step.stdin,
    env: step.env,
    timeoutMs: step.timeoutSeconds ? step.timeoutSeconds * 1000 : undefined,
    stream: options.stream,
  });
  const ok = result.code === 0;
  if (!ok && !step.mayFail) {
    const why = result.notFound ? "not found on PATH" : result.timedOut ? `timed out after ${step.timeoutSeconds} s` : `exit ${result.code}: ${result.stderr.trim().split("\n")[0] ?? ""}`;
    throw new StepFailed(step, why);
  }
  return { ok, result };
}

/** Applies the context rule: with --context, no question asked; otherwise the current context must be the lab's. */
export async function guardContext(io: LabIO, settings: LabSettings): Promise<ContextDecision> {
  if (settings.contextExplicit) return decideContext(settings.context, undefined);
  const result = await io.run(currentContextStep().argv, { timeoutMs: 15_000 });
  return decideContext(undefined, result.code === 0 ? result.stdout : undefined);
}

/** `kind get clusters` prints one name per line (or "No kind clusters found." on stderr). */
export function parseKindClusters(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("No kind clusters"));
}
