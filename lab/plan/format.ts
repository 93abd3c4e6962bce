// Dry-run listing of a plan: numbered argv (shell-quoted for reading only; the runner never uses a shell).
import { shellJoin } from "../check/curl";
import type { Plan, PlanStep } from "./types";

function describeStep(step: PlanStep, index: number): string {
  const lines: string[] = [];
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
  const header = `lab ${plan.command} --dry-run: ${plan.steps.length} invocation(s), nothing is run`;
  const notes = plan.notes.map((note) => `  - ${note}`);
  return [header, ...plan.steps.map(describeStep), "in-process:", ...notes, ""].join("\n");
}
