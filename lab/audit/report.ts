// The audit in three formats: a terminal report, JSON (everything, for tools) and JUnit (one case
// per kind read, per layer, per drifted object and per violated intent). Every format says what
// was not read and which layers were not credited: a gap is never shown as a pass.
import { formatMatrixTable, formatProbeResultsTable, formatVerdictTable, verdictToJson } from "../model/report";
import { xmlEscape } from "../report/junit";
import type { AuditResult } from "./audit";
import type { DriftItem } from "./drift";
import type { OpenedPath } from "./impact";

const short = (v: unknown): string => {
  const text = v === undefined ? "(absent)" : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

function pathLine(o: OpenedPath): string {
  const layers = o.openedLayers.length ? ` opened at ${o.openedLayers.join(", ")}` : "";
  const still = o.stillDeniedBy.length ? `; still denied by ${o.stillDeniedBy.join(", ")}` : "; nothing denies it";
  return `${o.probe}${o.pairs ? ` (and like it for ${o.pairs - 1} more pair(s) of tenants alike)` : ""} (intent ${o.intent}): ${o.before} -> ${o.after}${layers}${still}`;
}

function driftLines(r: AuditResult): string[] {
  const d = r.drift;
  if (!d) return [];
  const count = (t: DriftItem["type"]) => d.items.filter((i) => i.type === t).length;
  const lines = [`Drift against ${r.title}: ${count("missing")} missing, ${count("changed")} changed, ${count("extra")} extra (kinds compared: ${d.compared.length})`];
  for (const n of d.notCompared) lines.push(`  not compared: ${n.kindId} (${n.objects} rendered): ${n.reason}`);
  for (const i of d.items) {
    lines.push(`  ${i.type.padEnd(7)} ${i.ref}`);
    for (const c of i.changes ?? []) lines.push(`            ${c.path}: desired ${short(c.desired)}, live ${short(c.live)}`);
  }
  const impact = r.impact;
  if (impact && d.items.length > 0) {
    const evaluated = impact.evaluated < impact.probes ? `, ${impact.evaluated} evaluated for tenants alike` : "";
    lines.push(`Impact on isolation (${impact.probes} probes of ${impact.limited ? `the first ${impact.tenants.length}` : impact.tenants.length} touched tenant(s)${evaluated}, intended vs live): violations ${impact.violationsIntended} -> ${impact.violationsLive}, ${impact.opened.length} path(s) opened, ${impact.closed.length} closed`);
    for (const o of impact.opened) lines.push(`  + ${pathLine(o)}`);
    for (const c of impact.closed) lines.push(`  - ${c}: allow -> deny`);
    for (const it of impact.perItem) lines.push(`  ${it.ref} (${it.type}) on its own opens ${it.opened.length} path(s)${it.opened.length ? `: ${it.opened.map((o) => o.probe).join(", ")}` : ""}`);
    if (impact.opened.length > 0 && impact.perItem.length > 1 && impact.perItem.every((it) => it.opened.length === 0)) lines.push("  (the opened paths need several of these objects together)");
  }
  return lines;
}

export function formatAuditTable(r: AuditResult): string {
  const lines = [`Audit of ${r.read.target}: ${r.read.objects.length} objects read in ${(r.read.readMs / 1000).toFixed(1)} s, evaluated in ${(r.evaluateMs / 1000).toFixed(1)} s`];
  lines.push("Read:");
  for (const k of r.read.kinds) {
    const what = k.status === "read" ? `${k.count} (${k.pages} page${k.pages === 1 ? "" : "s"}, ${k.apiVersion})` : `${k.status.toUpperCase()}: ${k.reason}`;
    lines.push(`  ${k.id.padEnd(44)} ${what}`);
  }
  lines.push(`  ${`ConfigMap ${r.read.meshConfig.source}`.padEnd(44)} ${r.read.meshConfig.status}${r.read.meshConfig.reason ? `: ${r.read.meshConfig.reason}` : ""}`);
  lines.push("Layers:");
  for (const l of r.visibility.layers) lines.push(`  ${l.layer.padEnd(22)} ${l.seen ? "seen" : `NOT SEEN (not credited): ${l.reasons.join("; ")}`}`);
  lines.push("");
  if (r.verdict) {
    // The model's own RESULT line knows nothing of what was not seen: the audit's result replaces it.
    lines.push(formatVerdictTable(r.verdict, `${r.title} on the live cluster`).replace(/\nRESULT:[^\n]*\n$/, "\n").trimEnd());
  }
  if (r.matrix) lines.push(formatMatrixTable(r.matrix).trimEnd());
  if (r.probeResults) lines.push(formatProbeResultsTable(r.probeResults).trimEnd());
  if (r.verdict || r.matrix || r.probeResults) lines.push("");
  const drift = driftLines(r);
  if (drift.length) lines.push(...drift, "");
  const label = { clean: "PASS", findings: "FAIL", incomplete: "INCOMPLETE" }[r.status];
  lines.push(`RESULT: ${label} (exit ${r.exitCode})`);
  for (const reason of r.reasons) lines.push(`  ${reason}`);
  return `${lines.join("\n")}\n`;
}

export function auditToJson(r: AuditResult): Record<string, unknown> {
  return {
    target: r.read.target,
    status: r.status,
    exitCode: r.exitCode,
    reasons: r.reasons,
    readMs: r.read.readMs,
    evaluateMs: r.evaluateMs,
    objects: r.read.objects.length,
    kinds: r.read.kinds.map((k) => ({ id: k.id, apiVersion: k.apiVersion, status: k.status, count: k.count, pages: k.pages, ...(k.reason ? { reason: k.reason } : {}) })),
    meshConfig: r.read.meshConfig,
    layers: r.visibility.layers,
    notCredited: r.notCredited,
    accessErrors: r.visibility.accessErrors,
    inputGaps: r.visibility.inputGaps,
    ...(r.verdict ? { verdict: verdictToJson(r.verdict) } : {}),
    ...(r.matrix ? { matrix: r.matrix } : {}),
    ...(r.probeResults ? { probes: r.probeResults } : {}),
    ...(r.drift ? { drift: { compared: r.drift.compared, notCompared: r.drift.notCompared, items: r.drift.items.map(({ desired: _d, live: _l, ...rest }) => rest) } } : {}),
    ...(r.impact ? { impact: r.impact } : {}),
  };
}

interface Case {
  classname: string;
  name: string;
  failure?: string;
  skipped?: string;
}

function suite(name: string, cases: Case[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const body = cases.map((c) => {
    const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}">`;
    if (c.failure !== undefined) return `${open}\n      <failure message="${xmlEscape(c.failure.split("\n")[0])}">${xmlEscape(c.failure)}</failure>\n    </testcase>`;
    if (c.skipped !== undefined) return `${open}\n      <skipped message="${xmlEscape(c.skipped)}"/>\n    </testcase>`;
    return `${open}</testcase>`;
  });
  return [`  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`, ...body, "  </testsuite>"].join("\n");
}

export function auditToJunit(r: AuditResult): string {
  const reads: Case[] = r.read.kinds.map((k) => ({
    classname: "audit.read",
    name: k.id,
    ...(k.status === "forbidden" || k.status === "failed" ? { failure: `${k.status}: ${k.reason}` } : k.status === "not-served" ? { skipped: `not served: ${k.reason}` } : {}),
  }));
  // An unseen layer is a failure, not a skip: CI must not read it as passed.
  const layers: Case[] = r.visibility.layers.map((l) => ({ classname: "audit.layer", name: l.layer, ...(l.seen ? {} : { failure: `not seen, not credited: ${l.reasons.join("; ")}` }) }));
  const intents: Case[] = (r.verdict?.outcomes ?? []).map((o) => ({ classname: `audit.${o.probe.category}`, name: `${o.probe.id} (intent ${o.probe.intent})`, ...(o.met ? {} : { failure: `${o.result.verdict}: ${o.result.observation}` }) }));
  const drift: Case[] = (r.drift?.items ?? []).map((i) => {
    const opened = r.impact?.perItem.find((p) => p.ref === i.ref)?.opened ?? [];
    const detail = [...(i.changes ?? []).map((c) => `${c.path}: desired ${short(c.desired)}, live ${short(c.live)}`), ...opened.map(pathLine)].join("\n");
    return { classname: `audit.drift.${i.type}`, name: i.ref, failure: `${i.type}${detail ? `\n${detail}` : ""}` };
  });
  const suites = [suite("audit: kinds read", reads), suite("audit: layers seen", layers)];
  if (intents.length) suites.push(suite("audit: isolation intents", intents));
  if (r.drift) suites.push(suite("audit: drift", drift.length ? drift : [{ classname: "audit.drift", name: "no drift" }]));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hard-tenancy audit">\n${suites.join("\n")}\n</testsuites>\n`;
}
