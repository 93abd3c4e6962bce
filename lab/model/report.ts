// Human-readable and JSON renderings of the platform verdict (and of probe results / the matrix).
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import type { LayerId, ProbeResult } from "../probes/types";
import type { ClassCell, PlatformVerdict, ProbeOutcome } from "./verdict-types";

/** One letter per enforcement layer, in ENFORCEMENT_LAYERS order. */
export const LAYER_LETTERS: Record<LayerId, string> = {
  networkPolicy: "N",
  calico: "C",
  clusterNetworkPolicy: "K",
  peerAuthentication: "P",
  authorization: "A",
};

/** Largest class matrix the table prints; bigger platforms get the summary only. */
const MAX_MATRIX_COLUMNS = 24;

/** "NC·pA 3 g !1": upper case = that layer alone blocks every network attack of the cell, lower = some, · = none; then the smallest count. */
export function cellLabel(cell: ClassCell, defenseEvaluated = true): string {
  const c = cell.cell;
  if (cell.self) {
    const mark = c.controlsPassed === c.controls ? "ok" : "FAIL";
    return `${mark} ${c.controlsPassed}/${c.controls}`;
  }
  if (!defenseEvaluated) {
    // --no-ablation: no layer was evaluated alone, so only what got through can be shown.
    return [`denied ${c.attacksBlocked}/${c.attacks}`, ...(c.violations.length > 0 ? [`!${c.violations.length}`] : [])].join(" ");
  }
  const letters = ENFORCEMENT_LAYERS.map((layer) => {
    const letter = LAYER_LETTERS[layer];
    if (c.holdingLayers.includes(layer)) return letter;
    if (c.partialLayers.includes(layer)) return letter.toLowerCase();
    return "·";
  }).join("");
  const count = c.minDefenseInDepth === null ? "-" : String(c.minDefenseInDepth);
  const flags = [
    c.probes.some((p) => p.category === "grant") ? "g" : "",
    c.violations.length > 0 ? `!${c.violations.length}` : "",
    c.weakAttacks.length > 0 ? `w${c.weakAttacks.length}` : "",
  ].filter(Boolean);
  return [letters, count, ...flags].join(" ");
}

function classTitle(verdict: PlatformVerdict, index: number): string {
  const members = verdict.classes[index].tenants;
  if (!verdict.grouped || members.length === 1) return members[0];
  return `${members[0]} +${members.length - 1}`;
}

function matrixLines(verdict: PlatformVerdict): string[] {
  const n = verdict.classes.length;
  if (n > MAX_MATRIX_COLUMNS) return [`(matrix omitted: ${n} tenant classes; use --format json for every cell)`];
  const titles = verdict.classes.map((_, i) => classTitle(verdict, i));
  const cross = (a: number, v: number): ClassCell | undefined =>
    verdict.cells.find((c) => c.attackerClass === a && c.victimClass === v && !c.self && !c.pairs) ??
    verdict.cells.find((c) => c.attackerClass === a && c.victimClass === v && !c.self);
  const self = (a: number): ClassCell | undefined => verdict.cells.find((c) => c.attackerClass === a && c.self && !c.deviant) ?? verdict.cells.find((c) => c.attackerClass === a && c.self);
  const rows = titles.map((title, a) =>
    [title, ...titles.map((_, v) => {
      const parts: string[] = [];
      if (a === v) {
        const s = self(a);
        if (s) parts.push(cellLabel(s));
      }
      const c = cross(a, v);
      if (c) parts.push(cellLabel(c, verdict.defenseInDepthEvaluated));
      return parts.join(" | ") || "-";
    })],
  );
  const header = ["attacker \\ victim", ...titles];
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)));
  const line = (cells: string[]): string => cells.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Most cells of granted pairs the table lists under the matrix. */
const MAX_GRANTED_PAIR_LINES = 40;

/** With pair classes, pairs with a grant have cells of their own: listed under the matrix, which shows the other pairs. */
function grantedPairLines(verdict: PlatformVerdict): string[] {
  const related = verdict.cells.filter((c) => c.pairs && !c.deviant);
  if (related.length === 0 || verdict.classes.length > MAX_MATRIX_COLUMNS) return [];
  const lines = ["", "Pairs with a grant from attacker to victim (the matrix shows every other pair):"];
  for (const c of related.slice(0, MAX_GRANTED_PAIR_LINES)) {
    const pairs = c.pairs!.map(([a, v]) => `${a} -> ${v}`);
    lines.push(`  ${cellLabel(c, verdict.defenseInDepthEvaluated)}  ${pairs.slice(0, 3).join(", ")}${pairs.length > 3 ? ` (+${pairs.length - 3} more)` : ""}`);
  }
  if (related.length > MAX_GRANTED_PAIR_LINES) lines.push(`  … ${related.length - MAX_GRANTED_PAIR_LINES} more cells (--format json lists every one)`);
  return lines;
}

/** Most deviating tenants the table names. */
const MAX_DEVIATING_LINES = 20;

/** How a live cluster's tenants were grouped: by the stack they conform to, and which deviate (evaluated apart where it matters). */
function conformanceLines(verdict: PlatformVerdict): string[] {
  const c = verdict.conformance;
  if (!c) return [];
  if (c.fallback) return [`Grouping: not by conformance with the stack (${c.fallback}); tenants grouped by their objects`];
  const lines = [`Grouping: ${c.conforming} tenant(s) conform to the stack and are grouped by their spec; ${c.deviating.length} deviate, their pairs evaluated apart where the deviation reaches (${verdict.cells.filter((x) => x.deviant).length} cells)`];
  for (const d of c.deviating.slice(0, MAX_DEVIATING_LINES)) {
    const paths = [d.ingress ? "into it" : "", d.egress ? "out of it" : ""].filter(Boolean).join(" and ");
    lines.push(`  ${d.tenant} (paths ${paths}): ${d.reasons.slice(0, 3).join("; ")}${d.reasons.length > 3 ? `; +${d.reasons.length - 3} more` : ""}`);
  }
  if (c.deviating.length > MAX_DEVIATING_LINES) lines.push(`  … ${c.deviating.length - MAX_DEVIATING_LINES} more (--format json lists every one)`);
  return lines;
}

function outcomeLine(o: ProbeOutcome): string {
  const by = o.result.decidedBy;
  // An allow has no cause to name: it is what is left when no layer blocks.
  const decided = o.result.verdict === "allow" ? " (allowed: no layer blocks)" : by ? ` by ${by.kind} ${by.namespace ? `${by.namespace}/` : ""}${by.name}${by.rule !== undefined ? ` rule ${by.rule}` : ""}` : "";
  const times = o.represents > 1 ? ` (×${o.represents} tenant pairs)` : "";
  return `  ✗ ${o.probe.id}: intent ${o.probe.intent}, model ${o.result.verdict} (${o.result.observation})${decided}${times}\n      ${o.probe.description}`;
}

function layersLegend(verdict: PlatformVerdict): string {
  const absent = verdict.absent?.layers ?? [];
  return ENFORCEMENT_LAYERS.map((l) => `${LAYER_LETTERS[l]} ${l}${absent.includes(l) ? ` (absent: ${verdict.absent?.reason})` : verdict.activeLayers.includes(l) ? "" : " (ablated)"}`).join(", ");
}

/** What a verdict of a cluster without a mesh covers and what it cannot (every report format says it). */
export function meshAbsentNotice(absent: NonNullable<PlatformVerdict["absent"]>): string {
  return `MESH ABSENT (${absent.reason}): ${absent.layers.join(" and ")} are not present, so no sidecar, mTLS or L7 rule acts; the L3/4-observable probes are evaluated, each sent sidecar-free, and an attack only the mesh would stop is predicted to get through`;
}

/** The verdict's RESULT line: every intent met, and every attack at its required depth unless a layer is ablated on purpose. */
export function verdictPasses(verdict: PlatformVerdict): boolean {
  const s = verdict.summary;
  return s.intentsMet && (s.defenseInDepthMet || verdict.ablated.length > 0) && unablatedMissingLayers(verdict).length === 0;
}

/** Configured layers absent from the manifests (a layer ablated on purpose is not missing). */
function unablatedMissingLayers(verdict: PlatformVerdict): { layer: string }[] {
  return (verdict.missingLayers ?? []).filter((m) => !verdict.ablated.includes(m.layer));
}

/** The API-server probes: how deep the block is for tenants without apiServerAccess, and who may reach it. */
function apiServerLines(verdict: PlatformVerdict): string[] {
  const probes = verdict.outcomes.filter((o) => o.probe.category === "api-server");
  if (probes.length === 0) return [];
  const blocked = probes.filter((o) => o.probe.intent === "deny");
  const allowed = probes.filter((o) => o.probe.intent === "allow");
  const count = (list: ProbeOutcome[]) => list.reduce((n, o) => n + o.represents, 0);
  const depth = blocked.map((o) => o.defense?.count ?? 0);
  const layers = [...new Set(blocked.flatMap((o) => o.defense?.blockingLayers ?? []))];
  const parts = [
    blocked.length > 0
      ? `${count(blocked)} probes of tenants without apiServerAccess, each blocked by at least ${Math.min(...depth)} independent layers (${layers.join(", ") || "none"}; required: 2)`
      : "",
    allowed.length > 0 ? `${count(allowed.filter((o) => o.met))}/${count(allowed)} probes of tenants with apiServerAccess reach it` : "",
  ].filter(Boolean);
  return [`API server: ${parts.join("; ")}`];
}

/** The readable report: matrix, positive controls, violations, defense in depth, result line. */
export function formatVerdictTable(verdict: PlatformVerdict, title = "platform"): string {
  const s = verdict.summary;
  const lines: string[] = [];
  const mode = verdict.pairClasses
    ? `grouped into ${verdict.classes.length} tenant classes and ${verdict.cells.length} cells of ordered pairs, ${verdict.probesEvaluated} probe evaluations`
    : verdict.grouped
      ? `grouped into ${verdict.classes.length} classes of interchangeable tenants`
      : "every pair evaluated";
  const subset = s.tenants < verdict.platformTenants ? ` of ${verdict.platformTenants} (--tenants)` : "";
  lines.push(`Isolation verdict for ${title}: ${s.tenants} tenants${subset} (${mode})`);
  lines.push(`Layers: ${layersLegend(verdict)}`);
  lines.push(`Ablated: ${verdict.ablated.length > 0 ? verdict.ablated.join(", ") : "none"}`);
  if (verdict.absent) lines.push(meshAbsentNotice(verdict.absent));
  if (verdict.probeStandIns) lines.push(standInNotice(verdict));
  if (verdict.schema) lines.push(verdict.schema);
  lines.push(...conformanceLines(verdict));
  for (const m of verdict.missingLayers ?? []) {
    lines.push(`MISSING LAYER: ${m.layer} is switched on in the configuration, but no ${m.layer} object in the manifests applies to ${m.tenants.join(", ")}: not checked there`);
  }
  lines.push("");
  lines.push(...matrixLines(verdict));
  lines.push(...grantedPairLines(verdict));
  lines.push("");
  lines.push("Cell: per layer, upper case = blocks every network attack of the cell on its own, lower case = some, · = none;");
  lines.push("      the number = fewest layers behind any one attack; g = a grant opens a path here (its port relies on L7);");
  lines.push("      !n = violated intents, wn = attacks below required depth;");
  lines.push("      diagonal = the tenant's positive controls passed/total.");
  lines.push("");
  const onStandIns = verdict.standIns.positiveControls;
  const split = onStandIns > 0 ? ` (${s.positiveControls - onStandIns} on real workloads, ${onStandIns} on stand-ins)` : "";
  lines.push(`Positive controls: ${s.positiveControls - s.positiveControlsFailed}/${s.positiveControls} pass${split}`);
  for (const o of verdict.positiveControlFailures) lines.push(outcomeLine(o));
  const attacksOnStandIns = verdict.standIns.attacks > 0 ? ` (${verdict.standIns.attacks} of them from or to stand-ins)` : "";
  lines.push(`Attacks: ${s.attacks - s.attacksAllowed}/${s.attacks} blocked, ${s.violations} violations${attacksOnStandIns}`);
  for (const o of verdict.violations) lines.push(outcomeLine(o));
  const min = s.minDefenseInDepth === null ? "n/a" : String(s.minDefenseInDepth);
  if (!verdict.defenseInDepthEvaluated) lines.push("Defense in depth: not evaluated (--no-ablation): each attack was evaluated with every layer on, never with a layer alone or removed");
  else lines.push(`Defense in depth: at least ${min} independent layer(s) behind every attack that requires 2; ${s.weakAttacks} attacks below their required depth`);
  if (s.grantedPortAttacks > 0) {
    lines.push(`  ${s.grantedPortAttacks} attacks by meshed clients on ports a grant opened rely on L7 alone by design (at least ${s.minDefenseInDepthOnGrantedPorts ?? "n/a"} layer)`);
  }
  lines.push(...apiServerLines(verdict));
  for (const o of verdict.outcomes.filter((x) => x.defense && x.defense.count < x.defense.required)) {
    const d = o.defense!;
    lines.push(`  ! ${o.probe.id}: ${d.count} layer(s) [${d.blockingLayers.join(", ") || "none"}], required ${d.required}`);
  }
  for (const w of new Set(verdict.warnings)) lines.push(`warning: ${w}`);
  lines.push("");
  lines.push(resultLine(verdict));
  return `${lines.join("\n")}\n`;
}

export function standInNotice(verdict: PlatformVerdict): string {
  const n = verdict.standIns.workloads.length;
  const some = verdict.standIns.workloads.slice(0, 6).join(", ") + (n > 6 ? ", …" : "");
  return `STAND-INS: ${n} probe source/target workload(s) are the model's stand-ins, not objects of the stack or manifests: ${some}`;
}

/** The one-line result; it never counts a stand-in or a missing layer as checked. */
export function resultLine(verdict: PlatformVerdict): string {
  const s = verdict.summary;
  const missing = unablatedMissingLayers(verdict);
  const ok = verdictPasses(verdict);
  const notes = [
    s.intentsMet ? "" : "violated intents",
    s.defenseInDepthMet ? "" : "defense in depth below requirement",
    missing.length > 0 ? `configured layer(s) missing from the manifests: ${missing.map((m) => m.layer).join(", ")}` : "",
    verdict.standIns.positiveControls > 0
      ? verdict.standIns.positiveControls === s.positiveControls
        ? "positive controls ran only on stand-ins, none on real workloads"
        : `${verdict.standIns.positiveControls} of ${s.positiveControls} positive controls ran on stand-ins`
      : "",
  ].filter(Boolean);
  return `RESULT: ${ok ? "PASS" : "FAIL"}${notes.map((n) => ` (${n})`).join("")}`;
}

/** The JSON report: every evaluated probe with intent, verdict, layers, observation and defense in depth. */
export function verdictToJson(verdict: PlatformVerdict): Record<string, unknown> {
  return {
    tenants: verdict.tenants,
    grouped: verdict.grouped,
    probeStandIns: verdict.probeStandIns,
    standIns: verdict.standIns,
    missingLayers: verdict.missingLayers ?? [],
    ...(verdict.schema ? { schema: verdict.schema } : {}),
    result: resultLine(verdict),
    classes: verdict.classes,
    ablated: verdict.ablated,
    activeLayers: verdict.activeLayers,
    ...(verdict.absent ? { absent: verdict.absent } : {}),
    ...(verdict.conformance ? { conformance: verdict.conformance } : {}),
    summary: verdict.summary,
    probes: verdict.outcomes.map(probeToJson),
    cells: verdict.cells.map((c) => cellToJson(c, verdict.defenseInDepthEvaluated)),
    violations: verdict.violations.map((o) => o.probe.id),
    positiveControlFailures: verdict.positiveControlFailures.map((o) => o.probe.id),
    warnings: [...new Set(verdict.warnings)],
  };
}

/** One evaluated probe in the JSON report. */
export function probeToJson(o: ProbeOutcome): Record<string, unknown> {
  return {
    ...o.probe,
    verdict: o.result.verdict,
    met: o.met,
    layers: o.result.layers,
    ...(o.result.absentLayers ? { absentLayers: o.result.absentLayers } : {}),
    ...(o.result.decidedBy ? { decidedBy: o.result.decidedBy } : {}),
    observation: o.result.observation,
    ...(o.defense ? { defenseInDepth: o.defense } : {}),
    represents: o.represents,
  };
}

/** One cell's figures in the JSON report (its probes are listed under `probes`). */
export function cellToJson(c: ClassCell, defenseEvaluated = true): Record<string, unknown> {
  const { probes: _probes, ...figures } = c.cell;
  return { attacker: c.attacker, victim: c.victim, attackerClass: c.attackerClass, victimClass: c.victimClass, self: c.self, represents: c.represents, ...(c.pairs ? { pairs: c.pairs } : {}), ...(c.deviant ? { deviant: true } : {}), label: cellLabel(c, defenseEvaluated), ...figures };
}

/** Probe results (`verify --probes`) as a table. */
export function formatProbeResultsTable(results: ProbeResult[]): string {
  const header = ["id", "verdict", ...ENFORCEMENT_LAYERS.map((l) => LAYER_LETTERS[l]), "observation"];
  const short: Record<string, string> = { allow: "allow", deny: "DENY", "not-applicable": "-", unknown: "?" };
  const rows = results.map((r) => [r.id, r.verdict, ...ENFORCEMENT_LAYERS.map((l) => short[r.layers[l] ?? "not-applicable"]), r.observation]);
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col].length)));
  const line = (cells: string[]): string => cells.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

export interface MatrixJson {
  workloads: { namespace: string; name: string; kind: string }[];
  connections: { from: { namespace?: string; name?: string; kind: string; cidr?: string }; to: { namespace?: string; name?: string; kind: string; cidr?: string }; allowed: Partial<Record<string, [number, number][]>> }[];
}

/** `verify --matrix` as lines "from → to: TCP 80, 8080-8090; UDP 53". */
export function formatMatrixTable(matrix: MatrixJson): string {
  const lines = [`${matrix.workloads.length} workloads, ${matrix.connections.length} connected pairs`, ...matrix.connections.map(matrixConnectionLine)];
  return `${lines.join("\n")}\n`;
}

/** One connection of `verify --matrix` as a table line. */
export function matrixConnectionLine(c: MatrixJson["connections"][number]): string {
  const name = (e: { namespace?: string; name?: string; kind: string; cidr?: string }): string => (e.kind === "External" ? `external ${e.cidr ?? ""}` : `${e.namespace}/${e.name}`);
  const ranges = (rs: [number, number][]): string => rs.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(", ");
  const allowed = Object.entries(c.allowed)
    .filter(([, rs]) => rs && rs.length > 0)
    .map(([protocol, rs]) => `${protocol} ${ranges(rs ?? [])}`)
    .join("; ");
  return `${name(c.from)} → ${name(c.to)}: ${allowed}`;
}
