// Probe rows of the report's drill-down: one per evaluated probe, with the tenant names of the
// evaluated pair replaced by placeholders so that the rows of interchangeable pairs are stored once
// (a 1,000-tenant page would otherwise repeat every probe for every class pair), and the evidence
// of a live run attached.
import { ENFORCEMENT_LAYERS } from "../../../components/spec/types";
import { curlArgs, shellQuote } from "../../check/curl";
import { observationFamily } from "../../check/classify";
import { probeMethod } from "../../check/targets";
import type { ProbeOutcome } from "../../model/verdict-types";
import { probeKind } from "../../probes/catalogue";
import type { LayerId } from "../../probes/types";
import type { ObservedProbe, ProbeEvidence, ProbeRow } from "./types";

export const ATTACKER_PLACEHOLDER = "{attacker}";
export const VICTIM_PLACEHOLDER = "{victim}";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `text` with whole-word occurrences of the tenant names replaced by placeholders. A name counts
 * only where it is not part of a longer DNS label ("acme" in "acme->globex/…" but not in
 * "tenant-acme" or "acme-eu"), so filling the placeholders back in always gives `text` again.
 */
export function templateNames(text: string, attacker: string, victim: string): string {
  const names = attacker === victim ? [[attacker, ATTACKER_PLACEHOLDER]] : [[attacker, ATTACKER_PLACEHOLDER], [victim, VICTIM_PLACEHOLDER]];
  // Longest first, so "acme-eu" is not cut by "acme" when both are the pair's names.
  names.sort((x, y) => y[0].length - x[0].length);
  if (text.includes(ATTACKER_PLACEHOLDER) || text.includes(VICTIM_PLACEHOLDER)) return text;
  const pattern = new RegExp(`(?<![a-z0-9]|[a-z0-9]-)(${names.map(([n]) => escapeRegExp(n)).join("|")})(?![a-z0-9]|-[a-z0-9])`, "g");
  const byName = new Map(names.map(([n, p]) => [n, p]));
  return text.replace(pattern, (name) => byName.get(name) ?? name);
}

/** The placeholders filled with a pair's names (what the page does in the browser). */
export function fillNames(template: string, attacker: string, victim: string): string {
  return template.split(ATTACKER_PLACEHOLDER).join(attacker).split(VICTIM_PLACEHOLDER).join(victim);
}

/** What the live check ran for this probe: the curl argv (without its output file, time limit and status line), or the DNS lookup. */
export function evidenceCommand(outcome: ProbeOutcome, observed: ObservedProbe): string {
  const probe = outcome.probe;
  const where = `in ${observed.from}${probe.client === "bypass" ? " as UID 1337 (past its own sidecar)" : ""}`;
  if (probeMethod(probe) === "dns") return `DNS lookup ${where}: ${observed.url}`;
  if (!/^https?:\/\//.test(observed.url)) return `${where}: ${observed.url}`;
  // The run's --max-time and its -w status line are settings of the run, not of the probe: left out rather than guessed.
  const argv = curlArgs({ url: observed.url, method: probe.method ?? "GET", headers: { ...(probe.headers ?? {}) } });
  const shown = argv.filter((_, i) => !["--max-time", "-w"].includes(argv[i]) && !["--max-time", "-w"].includes(argv[i - 1]));
  return `${where}: curl ${shown.map(shellQuote).join(" ")}`;
}

export function evidenceOf(observed: ObservedProbe, command: string): ProbeEvidence {
  return { command, from: observed.from, url: observed.url, status: observed.status, ...observed.observed };
}

/** The observation contradicts the prediction: another verdict, or another symptom family (e.g. 403 where a drop was predicted). */
export function disagrees(outcome: Pick<ProbeOutcome, "result">, observed: ObservedProbe): boolean {
  if (observed.observed.verdict !== outcome.result.verdict) return true;
  if (observed.observationMatchesPrediction !== null) return !observed.observationMatchesPrediction;
  return observationFamily(outcome.result.observation) !== observationFamily(observed.observed.observation);
}

/** The drill-down row of one evaluated probe of the pair attacker → victim. */
export function probeRow(outcome: ProbeOutcome, attacker: string, victim: string, observed: ObservedProbe | undefined): ProbeRow {
  const { probe, result } = outcome;
  const layers: Partial<Record<LayerId, string>> = {};
  for (const layer of ENFORCEMENT_LAYERS) {
    const verdict = result.layers[layer];
    if (verdict !== undefined) layers[layer] = verdict;
  }
  return {
    id: templateNames(probe.id, attacker, victim),
    kind: probeKind(probe),
    category: probe.category,
    intent: probe.intent,
    description: templateNames(probe.description, attacker, victim),
    predicted: { verdict: result.verdict, observation: result.observation },
    layers,
    defense: outcome.defense ? { blockingLayers: [...outcome.defense.blockingLayers], count: outcome.defense.count, required: outcome.defense.required } : null,
    met: outcome.met,
    evidence: observed ? evidenceOf(observed, evidenceCommand(outcome, observed)) : null,
    disagreement: observed ? disagrees(outcome, observed) : false,
  };
}
