// The host's own network state, as text, so a live test can prove `lab down` leaves it exactly as
// `lab up` found it: the host namespace's links, addresses, routes (all tables), policy rules,
// iptables (nft and legacy) and nftables rulesets, and the lab's namespace and resolver names.
import { existsSync, readdirSync } from "node:fs";
import { run } from "./command";
import { NODE_NETNS, POD_NETNS_PREFIX } from "./topology";

const isLabName = (name: string): boolean => name === NODE_NETNS || name.startsWith(POD_NETNS_PREFIX);

async function output(argv: string[]): Promise<string> {
  const result = await run(argv, { allowFailure: true });
  return result.code === 0 ? result.stdout : `(${argv[0]} unavailable: exit ${result.code})`;
}

/** Counters and timestamps change on their own; everything else must be identical. */
function withoutCounters(save: string): string {
  return save
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .map((line) => line.replace(/\[\d+:\d+\]/g, "[-]"))
    .join("\n");
}

export async function hostNetworkState(): Promise<Record<string, string>> {
  return {
    links: await output(["ip", "-o", "link", "show"]).then((s) => s.replace(/\s+link\/\S+ \S+( brd \S+)?/g, "")),
    addresses: await output(["ip", "-o", "addr", "show"]),
    routes: await output(["ip", "route", "show", "table", "all"]),
    rules: await output(["ip", "rule", "show"]),
    iptablesNft: withoutCounters(await output(["iptables-nft-save"])),
    iptablesLegacy: withoutCounters(await output(["iptables-legacy-save"])),
    nftables: await output(["nft", "list", "ruleset"]),
    labNetns: existsSync("/run/netns") ? readdirSync("/run/netns").filter(isLabName).sort().join("\n") : "",
    labResolvers: existsSync("/etc/netns") ? readdirSync("/etc/netns").filter(isLabName).sort().join("\n") : "",
  };
}

/** The parts that differ, each with both versions; empty when the host is as it was. */
export function hostStateDifferences(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before)
    .filter((key) => before[key] !== after[key])
    .map((key) => `${key}:\n--- before\n${before[key]}\n--- after\n${after[key]}`);
}
