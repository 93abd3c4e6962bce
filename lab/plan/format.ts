// Dry-run listing of a plan: numbered argv (shell-quoted for reading only; the runner never uses a shell).
import { shellJoin } from "../check/curl";
import { formatConfigEdit } from "./config-copy";
import type { InProcessAction, Plan, PlanStep } from "./types";

/** One line saying what an in-process step does (the dry run and the runner's log both use it). */
export function describeInProcess(action: InProcessAction): string {
  switch (action.op) {
    case "makeDirectory":
      return `create directory ${action.path}`;
    case "writeFile":
      return `write ${action.path}: ${action.what}`;
    case "writeStackConfigCopy":
      return `write ${action.to}: ${action.from} with ${action.edits.map(formatConfigEdit).join(", ")}`;
  }
}

function describeStep(step: PlanStep, index: number): string {
  const lines: string[] = [];
  if (step.inProcess) {
    lines.push(`${String(index + 1).padStart(3)}. [in-process] ${describeInProcess(step.inProcess)}`);
    if (step.when) lines.push(`       when: ${step.when}`);
    lines.push(`       waits for: ${step.waitsFor}`);
    return lines.join("\n");
  }
  const label = step.automation ? `  [Automation API: ${step.automation.op}; CLI equivalent]` : "";
  const argv = step.argv.map((arg) => (arg.includes("\n") ? "<script below>" : arg));
  lines.push(`${String(index + 1).padStart(3)}. ${shellJoin(argv)}${label}`);
  if (step.when) lines.push(`       when: ${step.when}`);
  lines.push(`       waits for: ${step.waitsFor}${step.timeoutSeconds ? ` (timeout ${step.timeoutSeconds} s)` : ""}`);
  if (step.env) lines.push(`       env: ${Object.entries(step.env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")}`);
  for (const arg of step.argv.filter((a) => a.includes("\n"))) lines.push(indent("script", arg));
  if (step.stdin) lines.push(indent("stdin", step.stdin));
  return lines.join("\n");
}

function indent(title: string, text: string): string {
  return [`       ${title}:`, ...text.trimEnd().split("\n").map((line) => `         | ${line}`)].join("\n");
}

export function formatPlan(plan: Plan): string {
  const inProcess = plan.steps.filter((step) => step.inProcess).length;
  const invocations = plan.steps.length - inProcess;
  const header = `lab ${plan.command} --dry-run: ${invocations} invocation(s)${inProcess ? ` and ${inProcess} in-process step(s)` : ""}, nothing is run`;
  const notes = plan.notes.map((note) => `  - ${note}`);
  return [header, ...plan.steps.map(describeStep), "in-process:", ...notes, ""].join("\n");
}
