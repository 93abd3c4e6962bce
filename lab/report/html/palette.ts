// Colours of the HTML report, chosen for colour-vision deficiencies: the depth scale is viridis
// (perceptually uniform, monotonic in lightness, readable in greyscale and by deuteranopes,
// protanopes and tritanopes); alarms use Okabe–Ito vermillion and Paul Tol's wine, which differ
// from the scale in lightness as well as hue. Colour is never the only carrier: every cell also
// writes its number and marks as text, and every colour has a legend line in words.
import type { LayerState, LegendEntry, Tone } from "./types";

interface Swatch {
  colour: string;
  /** Text drawn on the colour: black or white, whichever has the higher contrast. */
  textColour: string;
  label: string;
}

export const TONES: Record<Tone, Swatch> = {
  violation: { colour: "#d55e00", textColour: "#000000", label: "! an attack gets through (or a live probe breached)" },
  "controls-fail": { colour: "#e69f00", textColour: "#000000", label: "✗ a positive control failed: the cell proves nothing" },
  "depth-0": { colour: "#882255", textColour: "#ffffff", label: "0 denied, but by no layer on its own" },
  "depth-1": { colour: "#fde725", textColour: "#000000", label: "1 layer behind the weakest attack" },
  "depth-2": { colour: "#7ad151", textColour: "#000000", label: "2 layers" },
  "depth-3": { colour: "#22a884", textColour: "#000000", label: "3 layers" },
  "depth-4": { colour: "#2a788e", textColour: "#ffffff", label: "4 layers" },
  "depth-5": { colour: "#414487", textColour: "#ffffff", label: "5 layers" },
  "controls-pass": { colour: "#ffffff", textColour: "#000000", label: "✓ diagonal: every positive control of the tenant passed" },
  "no-attacks": { colour: "#d9d9d9", textColour: "#000000", label: "– no network attack evaluated in this cell" },
};

/** Legend order: alarms first, then the depth scale, then the diagonal and empty cells. */
const LEGEND_ORDER: Tone[] = ["violation", "controls-fail", "depth-0", "depth-1", "depth-2", "depth-3", "depth-4", "depth-5", "controls-pass", "no-attacks"];

export function legend(): LegendEntry[] {
  return LEGEND_ORDER.map((tone) => ({ tone, ...TONES[tone] }));
}

/** The tone of a cell whose weakest network attack has `depth` layers behind it. */
export function depthTone(depth: number): Tone {
  if (depth <= 0) return "depth-0";
  return `depth-${Math.min(depth, 5)}` as Tone;
}

/** Small multiples: what one layer alone does in a cell. */
export const LAYER_STATE_SWATCHES: Record<LayerState, Swatch> = {
  all: { colour: "#0072b2", textColour: "#ffffff", label: "■ blocks every network attack of the cell on its own" },
  some: { colour: "#56b4e9", textColour: "#000000", label: "▪ blocks some of them" },
  none: { colour: "#f0f0f0", textColour: "#000000", label: "□ blocks none of them" },
  ablated: { colour: "#9e9e9e", textColour: "#000000", label: "× layer ablated (switched off)" },
  "n/a": { colour: "#ffffff", textColour: "#000000", label: "· nothing to block (diagonal, or no network attack)" },
};

/** One character per layer state, drawn in the small multiples' cells and used in their text. */
export const LAYER_STATE_GLYPHS: Record<LayerState, string> = { all: "■", some: "▪", none: "□", ablated: "×", "n/a": "·" };
