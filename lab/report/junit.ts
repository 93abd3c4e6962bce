// JUnit XML (the de-facto schema CI systems read: testsuites > testsuite > testcase with
// failure/skipped children). One suite for probes, one for control-plane checks.
import { STATUS_WORDS } from "../check/compare";
import { meshAbsentSentence, type CheckReport } from "./report";

export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    // XML 1.0 forbids most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "?");
}

interface Case {
  classname: string;
  name: string;
  status: string;
  message: string;
  detail: string;
  /** Evidence printed whatever the status (e.g. what each Envoy logged for the request). */
  output?: string;
}

/** Not failures, not passes: unclear, not run, or (no mesh) an attack only the absent mesh stops, seen as predicted. */
const SKIPPED_STATUSES = new Set(["unknown", "skipped", "mesh-only"]);

function testcase(c: Case): string {
  const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}">`;
  const output = c.output ? `\n      <system-out>${xmlEscape(c.output)}</system-out>` : "";
  if (c.status === "pass") return output ? `${open}${output}\n    </testcase>` : `${open}</testcase>`;
  if (SKIPPED_STATUSES.has(c.status)) return `${open}\n      <skipped message="${xmlEscape(c.message)}"/>${output}\n    </testcase>`;
  return `${open}\n      <failure message="${xmlEscape(c.message)}" type="${xmlEscape(c.status)}">${xmlEscape(c.detail)}</failure>${output}\n    </testcase>`;
}

function suite(name: string, cases: Case[], properties: Record<string, string> = {}): string {
  const failures = cases.filter((c) => c.status !== "pass" && !SKIPPED_STATUSES.has(c.status)).length;
  const skipped = cases.filter((c) => SKIPPED_STATUSES.has(c.status)).length;
  const props = Object.entries(properties);
  const propertyLines = props.length ? ["    <properties>", ...props.map(([k, v]) => `      <property name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`), "    </properties>"] : [];
  return [`  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`, ...propertyLines, ...cases.map(testcase), "  </testsuite>"].join("\n");
}

export function renderJunit(report: CheckReport): string {
  const probeCases: Case[] = report.probes.map((p) => ({
    classname: `lab.${p.category}`,
    name: `${p.id} (intent ${p.intent})`,
    status: p.status,
    message: probeMessage(p),
    detail: `from ${p.from} to ${p.url}\nobserved: ${p.observed.reason}\npredicted: ${p.predicted ? `${p.predicted.verdict}, ${p.predicted.observation}` : "none"}\nbody: ${p.observed.body}`,
    ...(p.observed.envoy ? { output: p.observed.envoy.map((e) => `envoy ${e.sidecar} (${e.upstreamCluster}): ${e.responseCode} ${e.responseFlags} ${e.responseCodeDetails}`).join("\n") } : {}),
  }));
  const controlCases: Case[] = report.controlPlane.map((c) => ({
    classname: `lab.control-plane.${c.kind}`,
    name: c.id,
    status: c.status,
    message: `${c.status}: expected ${c.expected}, observed ${c.observed}`,
    detail: c.description,
  }));
  const notRunCases: Case[] = report.notRun.map((part) => ({ classname: "lab.not-run", name: part, status: "skipped", message: `not run: ${part}`, detail: part }));
  const name = `hard-tenancy lab ${report.command}${report.ablated.length ? ` (ablated: ${report.ablated.join(", ")})` : ""}${report.scenario ? ` (scenario ${report.scenario})` : ""}${report.meshAbsent ? ` (mesh absent: ${report.meshAbsent.reason})` : ""}`;
  const properties: Record<string, string> = {
    ...(report.meshAbsent ? { "mesh-absent": meshAbsentSentence(report.meshAbsent) } : {}),
    ...(report.predictionStandIns.length ? { "prediction-stand-ins": report.predictionStandIns.join(", ") } : {}),
  };
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${xmlEscape(name)}">`,
    suite("probes", probeCases, properties),
    suite("control-plane", controlCases),
    ...(notRunCases.length > 0 ? [suite("not-run", notRunCases)] : []),
    `</testsuites>`,
    "",
  ].join("\n");
}

function probeMessage(p: CheckReport["probes"][number]): string {
  if (p.status === "skipped") return `not run: ${p.observed.reason}`;
  const observed = `observed ${p.observed.observation} (${p.observed.verdict}), intent ${p.intent}`;
  if (p.status !== "mesh-only" && p.status !== "mismatch") return `${p.status}: ${observed}`;
  const predicted = p.predicted ? `, predicted ${p.predicted.observation} (${p.predicted.verdict})` : "";
  return `${STATUS_WORDS[p.status]}: ${observed}${predicted}`;
}
