// Server-side HTML of the report's static parts: summary header, legend, the heatmap and the
// small multiples as DOM grids (small platforms), the class list, the control-plane checks. All
// text is escaped here; the page's script only adds the drill-down and the canvas drawing.
import { LAYER_STATE_GLYPHS, LAYER_STATE_SWATCHES, TONES } from "./palette";
import type { CellView, LayerState, ReportPageData } from "./types";

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const MARK_WORDS: Record<string, string> = {
  violation: "violation",
  breach: "breach observed",
  "controls-failed": "positive control failed",
  weak: "below required depth",
  disagreement: "observation disagrees with prediction",
  unknown: "inconclusive",
  grant: "grant",
};

function fact(label: string, value: string): string {
  return `<div><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`;
}

export function summarySection(data: ReportPageData): string {
  const h = data.header;
  const depth = h.minDefenseInDepth === null ? "n/a" : String(h.minDefenseInDepth);
  const facts = [
    fact("tenants", `${h.tenants}${h.grouped ? ` in ${h.classes} classes of interchangeable tenants` : ""}`),
    fact("probes (tenant pairs expanded)", String(h.probes)),
    fact("attacks blocked", `${h.attacksBlocked}/${h.attacks}`),
    fact("positive controls passed", `${h.positiveControlsPassed}/${h.positiveControls}`),
    fact("violations", String(h.violations)),
    fact("defense in depth", `≥ ${depth} layers behind every network attack (required ${h.requiredDefenseInDepth})`),
    fact("below required depth", String(h.weakAttacks)),
    ...(h.grantedPortAttacks > 0 ? [fact("attacks on granted ports (L7 alone by design)", `${h.grantedPortAttacks}, ≥ ${h.minDefenseInDepthOnGrantedPorts ?? "n/a"} layer`)] : []),
    fact("ablated layers", h.ablated.length > 0 ? h.ablated.join(", ") : "none"),
    ...(h.meshAbsentNotice ? [fact("mesh", "absent: peerAuthentication and authorization not present")] : []),
    fact("probe stand-ins", h.standIns ? "yes (see notice)" : "no: the stack's own demo workloads"),
    fact("inconclusive probes (model)", String(h.inconclusiveProbes)),
    fact("model result", h.modelResult),
  ];
  if (h.observed) {
    const o = h.observed;
    facts.push(
      fact("kube context", o.context),
      fact("observed probes as intended", `${o.passed}/${o.probes}`),
      fact("breaches observed", String(o.breaches)),
      fact("positive controls failed (observed)", String(o.controlsFailed)),
      fact("inconclusive probes (observed)", String(o.unknown)),
      ...(h.meshAbsentNotice
        ? [
            fact("attacks stopped only by the mesh (absent here), seen as predicted", String(o.meshOnly)),
            fact("observed ≠ predicted (model without a mesh)", String(o.mismatches)),
            fact("probes not run (need the mesh)", String(o.skipped)),
          ]
        : []),
      fact("observations disagreeing with the model", String(o.disagreements)),
      fact("control-plane checks passed", `${o.controlPlanePassed}/${o.controlPlane}`),
      ...(o.unplaced > 0 ? [fact("observations without a predicted cell", String(o.unplaced))] : []),
      fact("run", `${o.startedAt} → ${o.finishedAt}`),
    );
  }
  const notices = [
    ...(h.meshAbsentNotice ? [`<p class="notice" id="mesh-absent">${escapeHtml(h.meshAbsentNotice)}</p>`] : []),
    ...(h.standInNotice ? [`<p class="notice">${escapeHtml(h.standInNotice)}</p>`] : []),
    ...(h.ablated.length > 0 ? [`<p class="notice">Ablated on purpose: ${escapeHtml(h.ablated.join(", "))}. Depth requirements are reported, not enforced, while a layer is off.</p>`] : []),
  ];
  return `<section class="summary" aria-label="summary">
<div class="result ${h.result}" id="result">${h.result}</div>
<div><dl class="facts">${facts.join("")}</dl>
<ul class="reasons">${h.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ul>
${notices.join("\n")}
${h.warnings.length > 0 ? `<ul class="warnings">${h.warnings.map((w) => `<li>warning: ${escapeHtml(w)}</li>`).join("")}</ul>` : ""}
</div></section>`;
}

export function legendSection(data: ReportPageData): string {
  const tones = data.legend.map((e) => `<li><span class="swatch" style="background:${e.colour};color:${e.textColour}">${escapeHtml(e.label.slice(0, 1))}</span>${escapeHtml(e.label)}</li>`);
  const marks = [
    `<li><span class="swatch outline-violation">!n</span>dashed border, !n: n attacks get through (model) or breached (live)</li>`,
    `<li><span class="swatch outline-disagreement">≠</span>pink inner border, ≠: what was observed disagrees with the prediction</li>`,
    `<li><span class="swatch">g</span>g: a grant opens a path in this cell; its port relies on L7 alone by design</li>`,
    `<li><span class="swatch">w</span>w: an attack has fewer layers behind it than required</li>`,
    `<li><span class="swatch">?</span>?: a probe is inconclusive (the model could not decide, or the run saw no clear answer)</li>`,
    `<li><span class="swatch">NC·pA</span>per layer: upper case = blocks every network attack of the cell alone, lower case = some, · = none, × = ablated</li>`,
  ];
  const layers = data.layers.map((l) => `<li><span class="swatch">${l.letter}</span>${escapeHtml(l.id)}${l.active ? "" : " (ablated)"}</li>`);
  return `<section aria-label="legend"><h2>Legend</h2>
<p class="muted">Colour = the fewest layers that, each on its own, stop the weakest network attack of the cell (every layer is evaluated alone, the others removed). Rows attack, columns are attacked; the diagonal holds each tenant's positive controls.</p>
<ul class="legend" id="legend">${tones.join("")}${marks.join("")}${layers.join("")}</ul></section>`;
}

/** Cell edge in px for an n × n DOM heatmap. */
export function domCellSize(n: number): number {
  if (n <= 8) return 92;
  if (n <= 16) return 56;
  return 26;
}

function cellTitle(data: ReportPageData, a: number, v: number, view: CellView): string {
  const pair = a === v ? `${data.classes[a].label} (diagonal)` : `${data.classes[a].label} → ${data.classes[v].label}`;
  const marks = view.marks.map((m) => MARK_WORDS[m]).join(", ");
  return `${pair}: ${TONES[view.tone].label}; ${view.description}${marks ? ` [${marks}]` : ""}`;
}

export function heatmapDom(data: ReportPageData, grid: number[]): string {
  const n = data.classes.length;
  const size = domCellSize(n);
  const heads = data.classes.map((c) => `<div class="col-head" title="${escapeHtml(c.tenants.length > 1 ? `${c.tenants.length} tenants: ${c.tenants.slice(0, 20).join(", ")}` : c.label)}">${escapeHtml(c.label)}</div>`);
  const rows: string[] = [];
  for (let a = 0; a < n; a++) {
    rows.push(`<div class="row-head">${escapeHtml(data.classes[a].label)}</div>`);
    for (let v = 0; v < n; v++) {
      const view = data.views[grid[a * n + v]];
      const swatch = TONES[view.tone];
      const classes = ["cell", `tone-${view.tone}`, ...view.marks.map((m) => `mark-${m}`)].join(" ");
      const letters = size >= 56 && view.letters ? `<span class="letters">${escapeHtml(view.letters)}</span>` : "";
      const text = size >= 56 ? escapeHtml(view.text) : escapeHtml(view.text.split(" ").slice(0, 2).join(" "));
      rows.push(
        `<button type="button" class="${classes}" data-a="${a}" data-v="${v}" style="background:${swatch.colour};color:${swatch.textColour}" title="${escapeHtml(cellTitle(data, a, v, view))}" aria-label="${escapeHtml(cellTitle(data, a, v, view))}"><span>${text}</span>${letters}</button>`,
      );
    }
  }
  return `<div class="heatmap${size < 56 ? " small" : ""}" id="heatmap" role="group" aria-label="attacker × victim heatmap" style="grid-template-columns: auto repeat(${n}, ${size}px); grid-template-rows: auto; grid-auto-rows: ${size}px;">
<div class="corner">attacker ↓ victim →</div>${heads.join("")}
${rows.join("\n")}
</div>`;
}

function stateTitle(data: ReportPageData, a: number, v: number, layer: string, state: LayerState): string {
  const pair = a === v ? `${data.classes[a].label} (diagonal)` : `${data.classes[a].label} → ${data.classes[v].label}`;
  return `${layer} alone, ${pair}: ${LAYER_STATE_SWATCHES[state].label.slice(2)}`;
}

/** Counts per state: the text equivalent printed under each small multiple. */
export function layerStateCounts(data: ReportPageData, grid: number[], layerIndex: number): Record<LayerState, number> {
  const counts: Record<LayerState, number> = { all: 0, some: 0, none: 0, ablated: 0, "n/a": 0 };
  const n = data.classes.length;
  for (let a = 0; a < n; a++) for (let v = 0; v < n; v++) if (a !== v) counts[data.views[grid[a * n + v]].layerStates[layerIndex]]++;
  return counts;
}

export function multiplesSection(data: ReportPageData, grid: number[], dom: boolean): string {
  const n = data.classes.length;
  const size = Math.max(2, Math.min(32, Math.floor(200 / n)));
  const parts = data.layers.map((layer, li) => {
    const counts = layerStateCounts(data, grid, li);
    const text = layer.active
      ? `${counts.all} cells blocked entirely by ${layer.id} alone, ${counts.some} partly, ${counts.none} not at all (of ${n * n - n} attacker ≠ victim cells)`
      : `${layer.id} is ablated: it blocks nothing in this run`;
    let body: string;
    if (dom) {
      const cells: string[] = [];
      for (let a = 0; a < n; a++) {
        for (let v = 0; v < n; v++) {
          const state = data.views[grid[a * n + v]].layerStates[li];
          const sw = LAYER_STATE_SWATCHES[a === v ? "n/a" : state];
          cells.push(`<span style="background:${sw.colour};color:${sw.textColour}" title="${escapeHtml(stateTitle(data, a, v, layer.id, a === v ? "n/a" : state))}">${size >= 12 ? LAYER_STATE_GLYPHS[a === v ? "n/a" : state] : ""}</span>`);
        }
      }
      body = `<div class="mini" data-layer="${layer.id}" style="grid-template-columns: repeat(${n}, ${size}px); grid-auto-rows: ${size}px;">${cells.join("")}</div>`;
    } else {
      body = `<canvas class="mini-canvas" data-layer-index="${li}" width="${n * Math.max(1, Math.floor(200 / n))}" height="${n * Math.max(1, Math.floor(200 / n))}" aria-label="${escapeHtml(`${layer.id} alone: ${text}`)}"></canvas>`;
    }
    return `<figure class="multiple" data-layer="${layer.id}"><h3>${layer.letter} · ${escapeHtml(layer.id)} alone${layer.active ? "" : " (ablated)"}</h3>${body}<p>${escapeHtml(text)}</p></figure>`;
  });
  const key = (["all", "some", "none", "ablated", "n/a"] as LayerState[])
    .map((s) => `<li><span class="swatch" style="background:${LAYER_STATE_SWATCHES[s].colour};color:${LAYER_STATE_SWATCHES[s].textColour}">${LAYER_STATE_GLYPHS[s]}</span>${escapeHtml(LAYER_STATE_SWATCHES[s].label.slice(2))}</li>`)
    .join("");
  return `<section aria-label="each layer alone"><h2>Each layer on its own</h2>
<p class="muted">The same grid for each layer alone, all others removed: what that layer would still stop if it were the only one.</p>
<ul class="legend">${key}</ul><div class="multiples">${parts.join("\n")}</div></section>`;
}

export function classListSection(data: ReportPageData): string {
  if (!data.header.grouped) return "";
  const rows = data.classes.map((c, i) => `<tr><td>${i + 1}</td><td>${escapeHtml(c.label)}</td><td>${c.tenants.length}</td><td class="mono">${escapeHtml(c.tenants.slice(0, 30).join(", "))}${c.tenants.length > 30 ? ", …" : ""}</td></tr>`);
  return `<details><summary>Classes of interchangeable tenants (${data.classes.length}): one row and column each</summary>
<p class="muted">Tenants whose rendered objects are equal up to their own name are evaluated once, through a representative pair; a cell stands for every pair of its classes.</p>
<table class="plain"><thead><tr><th>#</th><th>label</th><th>tenants</th><th>members</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

export function controlPlaneSection(data: ReportPageData): string {
  if (data.controlPlane.length === 0) return "";
  const rows = data.controlPlane.map(
    (c) => `<tr class="${c.status === "pass" ? "" : "violated"}"><td>${escapeHtml(c.status)}</td><td>${escapeHtml(c.description)}</td><td>${escapeHtml(c.expected)}</td><td>${escapeHtml(c.observed)}</td></tr>`,
  );
  return `<section aria-label="control plane"><h2>Control-plane checks (observed)</h2>
<table class="plain"><thead><tr><th>status</th><th>check</th><th>expected</th><th>observed</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

export function unplacedSection(data: ReportPageData): string {
  if (data.unplacedObservations.length === 0) return "";
  const rows = data.unplacedObservations.map(
    (e) => `<tr><td>${escapeHtml(e.status)}</td><td class="mono">${escapeHtml(e.command)}</td><td>${escapeHtml(e.observation)}</td><td>${escapeHtml(e.reason)}</td></tr>`,
  );
  return `<section aria-label="observations without a prediction"><h2>Observations without a predicted probe</h2>
<p class="muted">Probes the run made that the model did not evaluate one by one (grouped tenants) or at all; their breaches and disagreements still mark their cell.</p>
<table class="plain"><thead><tr><th>status</th><th>evidence</th><th>observed</th><th>why</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

export function notRunSection(data: ReportPageData): string {
  if (data.notRunProbes.length === 0) return "";
  const rows = data.notRunProbes.map((p) => `<tr><td class="mono">${escapeHtml(p.id)}</td><td>${escapeHtml(p.from)}</td><td>${escapeHtml(p.reason)}</td></tr>`);
  return `<section aria-label="probes not run" id="not-run"><h2>Probes not run (${data.notRunProbes.length})</h2>
<p class="muted">Catalogue probes this run did not make, each with why; none of them is counted as passed.</p>
<table class="plain"><thead><tr><th>probe</th><th>from</th><th>why not run</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}
