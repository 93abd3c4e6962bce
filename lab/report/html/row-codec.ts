// The page's probe rows, packed for embedding: one array per row instead of an object (no repeated
// keys), each layer's verdict as one letter, the observation strings stored once, and the kind left
// out where it is the id's tail. A 1,000-tenant platform with a grant per pair lists thousands of
// rows that really differ; packed, the page stays within a few MB. client.mjs unpacks them
// (`unpackRows`) before anything reads a row; test/lab/report/html/row-codec.test.ts runs the same
// unpacking on every packed row and compares.
import { ENFORCEMENT_LAYERS, type EnforcementLayer } from "../../../components/spec/types";
import type { ProbeRow } from "./types";

/** Layer verdict → letter; "-" is "not evaluated". */
export const VERDICT_LETTERS: Record<string, string> = { allow: "a", deny: "d", "not-applicable": "n", unknown: "u" };

export interface PackedRows {
  /** Layer order of the letters (ENFORCEMENT_LAYERS). */
  layerOrder: readonly EnforcementLayer[];
  observations: string[];
  rows: unknown[][];
}

const CROSS_PREFIX = "{attacker}->{victim}/";

export function packRows(rows: readonly ProbeRow[]): PackedRows {
  const observations: string[] = [];
  const observationIndex = new Map<string, number>();
  const indexOf = (text: string): number => {
    let i = observationIndex.get(text);
    if (i === undefined) observationIndex.set(text, (i = observations.push(text) - 1));
    return i;
  };
  const letters = (layers: Partial<Record<string, string>>): string => ENFORCEMENT_LAYERS.map((l) => (layers[l] === undefined ? "-" : (VERDICT_LETTERS[layers[l]] ?? "?"))).join("");
  const packed = rows.map((r) => [
    r.id,
    r.id === `${CROSS_PREFIX}${r.kind}` ? 0 : r.kind,
    r.category,
    r.intent === "deny" ? 1 : 0,
    r.description,
    r.predicted.verdict,
    indexOf(r.predicted.observation),
    letters(r.layers),
    r.defense ? [r.defense.count, r.defense.required, letters(Object.fromEntries(r.defense.blockingLayers.map((l) => [l, "deny"])))] : 0,
    r.met ? 1 : 0,
    r.evidence ?? 0,
    r.disagreement ? 1 : 0,
  ]);
  return { layerOrder: ENFORCEMENT_LAYERS, observations, rows: packed };
}
