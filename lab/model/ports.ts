// Port ranges per L4 protocol: parsing, set algebra and merging. Ranges are inclusive [from, to]
// and a PortSet always holds them sorted, disjoint and non-adjacent (merged), so equal sets are
// structurally equal and `portSetToJson` output is canonical.
import type { L4Protocol } from "../probes/types";

export type PortRange = [number, number];
export type PortSet = Record<L4Protocol, PortRange[]>;

export const L4_PROTOCOLS: readonly L4Protocol[] = ["TCP", "UDP", "SCTP"];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

export function emptyPortSet(): PortSet {
  return { TCP: [], UDP: [], SCTP: [] };
}

export function fullPortSet(): PortSet {
  return { TCP: [[MIN_PORT, MAX_PORT]], UDP: [[MIN_PORT, MAX_PORT]], SCTP: [[MIN_PORT, MAX_PORT]] };
}

/** Sorts and merges overlapping or adjacent ranges ([80,80] + [81,90] → [80,90]). */
export function normalizeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = ranges.filter(([a, b]) => a <= b).map(([a, b]): PortRange => [a, b]);
  sorted.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: PortRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
  }
  return merged;
}

export function portSetOf(entries: { protocol: L4Protocol; from: number; to?: number }[]): PortSet {
  const set = emptyPortSet();
  for (const e of entries) set[e.protocol].push([e.from, e.to ?? e.from]);
  for (const p of L4_PROTOCOLS) set[p] = normalizeRanges(set[p]);
  return set;
}

export function protocolPorts(protocol: L4Protocol, ranges: readonly PortRange[] = [[MIN_PORT, MAX_PORT]]): PortSet {
  const set = emptyPortSet();
  set[protocol] = normalizeRanges(ranges);
  return set;
}

export function unionPorts(a: PortSet, b: PortSet): PortSet {
  const out = emptyPortSet();
  for (const p of L4_PROTOCOLS) out[p] = a[p].length === 0 ? b[p] : b[p].length === 0 ? a[p] : normalizeRanges([...a[p], ...b[p]]);
  return out;
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let j = 0;
  for (const [from, to] of a) {
    let start = from;
    while (j < b.length && b[j][1] < start) j++;
    let k = j;
    while (k < b.length && b[k][0] <= to && start <= to) {
      if (b[k][0] > start) out.push([start, b[k][0] - 1]);
      start = Math.max(start, b[k][1] + 1);
      k++;
    }
    if (start <= to) out.push([start, to]);
  }
  return out;
}

export function intersectPorts(a: PortSet, b: PortSet): PortSet {
  const out = emptyPortSet();
  for (const p of L4_PROTOCOLS) out[p] = a[p].length && b[p].length ? intersectRanges(a[p], b[p]) : [];
  return out;
}

export function subtractPorts(a: PortSet, b: PortSet): PortSet {
  const out = emptyPortSet();
  for (const p of L4_PROTOCOLS) out[p] = b[p].length === 0 ? a[p] : subtractRanges(a[p], b[p]);
  return out;
}

export function isEmptyPortSet(s: PortSet): boolean {
  return s.TCP.length === 0 && s.UDP.length === 0 && s.SCTP.length === 0;
}

export function isFullPortSet(s: PortSet): boolean {
  return L4_PROTOCOLS.every((p) => s[p].length === 1 && s[p][0][0] <= MIN_PORT && s[p][0][1] >= MAX_PORT);
}

export function portSetContains(s: PortSet, protocol: L4Protocol, port: number): boolean {
  return s[protocol].some(([a, b]) => port >= a && port <= b);
}

/** `{"TCP":[[a,b]],...}` with only non-empty protocols (the `verify --matrix` JSON shape). */
export function portSetToJson(s: PortSet): Partial<Record<L4Protocol, [number, number][]>> {
  const out: Partial<Record<L4Protocol, [number, number][]>> = {};
  for (const p of L4_PROTOCOLS) if (s[p].length) out[p] = s[p].map(([a, b]): [number, number] => [a, b]);
  return out;
}

/** Parses a protocol name (case-insensitive); `field` names where it came from for the error. */
export function parseL4Protocol(value: unknown, field: string, fallback: L4Protocol = "TCP"): L4Protocol {
  if (value === undefined || value === null || value === "") return fallback;
  const upper = typeof value === "string" ? value.toUpperCase() : "";
  if (upper === "TCP" || upper === "UDP" || upper === "SCTP") return upper;
  throw new Error(`${field}: unsupported protocol ${JSON.stringify(value)}; use TCP, UDP or SCTP`);
}

/** Like parseL4Protocol, but reports an unsupported protocol through `warn` and returns undefined (the port is skipped). */
export function readL4Protocol(value: unknown, field: string, warn: (message: string) => void): L4Protocol | undefined {
  try {
    return parseL4Protocol(value, field);
  } catch (error) {
    warn(`${(error as Error).message}; skipped`);
    return undefined;
  }
}

/** Validates a port number; `field` names where it came from for the error. */
export function parsePortNumber(value: unknown, field: string): number {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < MIN_PORT || n > MAX_PORT) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not a port number; use an integer from 1 to 65535`);
  }
  return n;
}
