// The HTML report's script (inlined into the page as a module; plain browser JavaScript, no
// imports, no network). Reads the embedded data, draws the canvas heatmap on big platforms, and
// fills the drill-down when a cell is clicked or chosen. Builds DOM with textContent only.
const data = JSON.parse(document.getElementById("report-data").textContent);
data.probes = unpackRows(data.probes);
const n = data.classes.length;
const grid = [];
for (let i = 0; i < data.grid.length; i += 2) for (let k = 0; k < data.grid[i + 1]; k++) grid.push(data.grid[i]);
const tones = Object.fromEntries(data.legend.map((e) => [e.tone, e]));
const layerStateColours = { all: "#0072b2", some: "#56b4e9", none: "#f0f0f0", ablated: "#9e9e9e", "n/a": "#ffffff" };
const markWords = { violation: "violation", breach: "breach observed", "controls-failed": "positive control failed", weak: "below required depth", disagreement: "observation disagrees with prediction", unknown: "inconclusive", grant: "grant" };

const viewAt = (a, v) => data.views[grid[a * n + v]];
const pairLabel = (a, v) => (a === v ? `${data.classes[a].label} (diagonal)` : `${data.classes[a].label} → ${data.classes[v].label}`);

/** The evaluated pair behind a cell's rows: the verdict's representatives (defaults, or the recorded exceptions). */
function representatives(a, v, self) {
  const key = self ? `${a},self` : `${a},${v}`;
  if (data.representatives[key]) return data.representatives[key];
  const members = data.classes[a].tenants;
  if (self) return [members[0], members[0]];
  if (a === v) return [members[0], members[1] ?? members[0]];
  return [members[0], data.classes[v].tenants[0]];
}

const fill = (template, attacker, victim) => template.split("{attacker}").join(attacker).split("{victim}").join(victim);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const layerVerdictText = { deny: "deny", allow: "allow", "not-applicable": "–", unknown: "?" };

/** `pairs` (optional, parallel to rowIndexes): a row's own evaluated pair, else the cell's representatives. */
function rowsTable(rowIndexes, cellAttacker, cellVictim, live, pairs) {
  const head = ["probe", "intent", "predicted", ...data.layers.map((l) => l.letter), "layers alone", ...(live ? ["observed", "evidence"] : [])];
  const table = el("table", { class: "probes" });
  table.append(el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h, title: h.length === 1 ? data.layers.find((l) => l.letter === h).id : h })))));
  const body = el("tbody");
  rowIndexes.forEach((index, i) => {
    const row = data.probes[index];
    const own = pairs && pairs[i] !== null && pairs[i] !== undefined ? data.pairs[pairs[i]] : null;
    const attacker = own ? own[0] : cellAttacker;
    const victim = own ? own[1] : cellVictim;
    const observedFailure = row.evidence !== null && (row.evidence.status === "breach" || row.evidence.status === "control-failed");
    const violated = !row.met || observedFailure;
    const tr = el("tr", { class: [row.disagreement ? "disagreement" : "", violated ? "violated" : ""].join(" ").trim(), "data-probe": fill(row.id, attacker, victim) });
    const flags = `${!row.met ? "✗ model: intent not met " : ""}${observedFailure ? `✗ observed: ${row.evidence.status} ` : ""}${row.disagreement ? "≠ disagrees " : ""}`;
    tr.append(
      el("td", {}, el("span", { class: "flag", text: flags }), el("code", { text: row.kind }), el("div", { class: "muted", text: fill(row.description, attacker, victim) })),
      el("td", { text: `${row.intent} (${row.category})` }),
      el("td", { text: `${row.predicted.verdict}: ${row.predicted.observation}` }),
      ...data.layers.map((l) => el("td", { class: "layer-verdict", text: l.active ? layerVerdictText[row.layers[l.id]] ?? "–" : "×", title: l.active ? `${l.id}: ${row.layers[l.id] ?? "not evaluated"}` : `${l.id} ablated` })),
      el("td", { text: row.defense ? `${row.defense.count} (needs ${row.defense.required}): ${row.defense.blockingLayers.join(", ") || "none"}` : "–" }),
    );
    if (live) {
      const e = row.evidence;
      tr.append(
        el("td", { text: e ? `${e.status}: ${e.verdict}, ${e.observation}${e.layer && e.layer !== "none" ? ` (${e.layer})` : ""}` : "not observed" }),
        el("td", {}, ...(e ? [el("pre", { text: e.command }), el("div", { text: `http ${e.httpCode ?? "–"}, curl exit ${e.exitCode ?? "–"}${e.errorMessage ? `, ${e.errorMessage}` : ""}` }), el("div", { class: "muted", text: e.reason }), e.body ? el("pre", { text: `body: ${e.body}` }) : null] : [])),
      );
    }
    body.append(tr);
  });
  table.append(body);
  return table;
}

let selected = null;

function showCell(a, v) {
  const view = viewAt(a, v);
  const drill = document.getElementById("drill");
  const live = data.mode !== "offline";
  const sizeA = data.classes[a].tenants.length;
  const sizeV = data.classes[v].tenants.length;
  const pairs = a === v ? sizeA * (sizeA - 1) : sizeA * sizeV;
  const [attacker, victim] = representatives(a, v, false);
  const [self] = representatives(a, a, true);
  const parts = [el("h3", { text: pairLabel(a, v) })];
  parts.push(el("p", { class: "cell-tone" }, el("span", { class: "swatch", style: `background:${tones[view.tone].colour};color:${tones[view.tone].textColour}`, text: view.text.split(" ")[0] }), ` ${tones[view.tone].label}`));
  parts.push(el("p", { class: "cell-description", text: view.description || "nothing evaluated here" }));
  if (view.marks.length > 0) parts.push(el("p", { class: "flag", text: `marks: ${view.marks.map((m) => markWords[m]).join(", ")}` }));
  if (view.probes.length > 0) {
    const stands = pairs > 1 ? `; this cell stands for ${pairs} tenant pairs, evaluated through ${attacker} → ${victim}` : "";
    parts.push(el("h3", { text: `${a === v ? "Attacks between tenants of this class" : "Attacks and grant probes"} (${view.attacksBlocked}/${view.attacks} attacks blocked${stands})` }));
    parts.push(el("p", { class: "muted", text: `Per layer: that layer's own verdict with every other layer removed. ${view.letters ? `Cell: ${view.letters}.` : ""}` }));
    parts.push(rowsTable(view.probes, attacker, victim, live, view.probePairs));
  }
  if (view.controlProbes.length > 0) {
    parts.push(el("h3", { text: `Positive controls of ${self}${sizeA > 1 ? ` (for each of the ${sizeA} tenants of this class)` : ""}: ${view.controlsPassed}/${view.controls} pass` }));
    parts.push(rowsTable(view.controlProbes, self, self, live));
  }
  if (view.probes.length === 0 && view.controlProbes.length === 0) parts.push(el("p", { class: "muted", text: "No probe was evaluated for this pair." }));
  drill.replaceChildren(...parts);
  drill.dataset.a = String(a);
  drill.dataset.v = String(v);
  if (selected) selected.classList.remove("selected");
  selected = document.querySelector(`.cell[data-a="${a}"][data-v="${v}"]`);
  if (selected) selected.classList.add("selected");
  drawSelection(a, v);
}

// DOM heatmap: one button per class pair.
document.getElementById("heatmap")?.addEventListener("click", (event) => {
  const cell = event.target.closest(".cell");
  if (cell) showCell(Number(cell.dataset.a), Number(cell.dataset.v));
});

// Canvas heatmap: big platforms.
const canvas = document.getElementById("heatmap-canvas");
const cellSize = canvas ? Number(canvas.dataset.cell) : 0;

function drawCell(context, a, v, size) {
  const view = viewAt(a, v);
  const x = v * size;
  const y = a * size;
  context.fillStyle = tones[view.tone].colour;
  context.fillRect(x, y, size, size);
  if (size < 4) return;
  if (view.tone === "controls-pass") {
    context.strokeStyle = "#9e9e9e";
    context.strokeRect(x + 0.5, y + 0.5, size - 1, size - 1);
  }
  if (view.marks.includes("violation") || view.marks.includes("breach")) {
    context.strokeStyle = "#000";
    context.lineWidth = Math.max(1, size / 8);
    context.beginPath();
    context.moveTo(x + 1, y + 1);
    context.lineTo(x + size - 1, y + size - 1);
    context.moveTo(x + size - 1, y + 1);
    context.lineTo(x + 1, y + size - 1);
    context.stroke();
    context.lineWidth = 1;
  }
  if (view.marks.includes("disagreement")) {
    context.strokeStyle = "#cc79a7";
    context.lineWidth = Math.max(1, Math.floor(size / 6));
    context.strokeRect(x + context.lineWidth / 2, y + context.lineWidth / 2, size - context.lineWidth, size - context.lineWidth);
    context.lineWidth = 1;
  }
  if (view.marks.includes("grant") && size >= 8) {
    context.fillStyle = "#000";
    context.beginPath();
    context.moveTo(x + size - size / 3, y);
    context.lineTo(x + size, y);
    context.lineTo(x + size, y + size / 3);
    context.fill();
  }
  if (size >= 18) {
    context.fillStyle = tones[view.tone].textColour;
    context.font = `600 ${Math.floor(size / 2.4)}px ui-monospace, monospace`;
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillText(view.text.split(" ")[0], x + size / 2, y + size / 2);
  }
}

function drawHeatmap() {
  const context = canvas.getContext("2d");
  for (let a = 0; a < n; a++) for (let v = 0; v < n; v++) drawCell(context, a, v, cellSize);
}

let lastSelection = null;
function drawSelection(a, v) {
  if (!canvas) return;
  const context = canvas.getContext("2d");
  if (lastSelection) drawCell(context, lastSelection[0], lastSelection[1], cellSize);
  drawCell(context, a, v, cellSize);
  context.strokeStyle = "#000";
  context.lineWidth = Math.max(1, Math.min(3, cellSize / 4));
  context.strokeRect(v * cellSize + 0.5, a * cellSize + 0.5, cellSize - 1, cellSize - 1);
  context.lineWidth = 1;
  lastSelection = [a, v];
  document.getElementById("pick-attacker").value = String(a);
  document.getElementById("pick-victim").value = String(v);
}

function cellAtEvent(event) {
  const box = canvas.getBoundingClientRect();
  const scale = canvas.width / box.width;
  const v = Math.floor(((event.clientX - box.left) * scale) / cellSize);
  const a = Math.floor(((event.clientY - box.top) * scale) / cellSize);
  return a >= 0 && a < n && v >= 0 && v < n ? [a, v] : null;
}

if (canvas) {
  drawHeatmap();
  const readout = document.getElementById("hover-readout");
  canvas.addEventListener("mousemove", (event) => {
    const at = cellAtEvent(event);
    if (!at) return;
    const view = viewAt(at[0], at[1]);
    readout.textContent = `${pairLabel(at[0], at[1])}: ${view.text} — ${tones[view.tone].label}; ${view.description}`;
  });
  canvas.addEventListener("click", (event) => {
    const at = cellAtEvent(event);
    if (at) showCell(at[0], at[1]);
  });
  document.getElementById("pick").addEventListener("submit", (event) => {
    event.preventDefault();
    showCell(Number(document.getElementById("pick-attacker").value), Number(document.getElementById("pick-victim").value));
  });
  for (const mini of document.querySelectorAll("canvas.mini-canvas")) {
    const layer = Number(mini.dataset.layerIndex);
    const size = mini.width / n;
    const context = mini.getContext("2d");
    for (let a = 0; a < n; a++) {
      for (let v = 0; v < n; v++) {
        context.fillStyle = layerStateColours[a === v ? "n/a" : viewAt(a, v).layerStates[layer]];
        context.fillRect(v * size, a * size, size, size);
      }
    }
  }
}

document.body.dataset.ready = "true";
