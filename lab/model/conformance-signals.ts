// What an object can tell tenants apart by, beyond naming them (tenant-classes.ts TenantTokenIndex
// finds whole names): strings that match names partially, and the IP blocks pod IPs are matched
// against. Used by conformance.ts to keep tenants in one class only where no object could treat
// them differently.
import { cidrContains, parseCidrOrAddress, type ParsedCidr } from "../../components/spec/cidr";
import type { K8sObject } from "../../components/k8s/object";
import { findWorkload } from "./cluster";
import { NOT_SPEC_FIELDS } from "./server-populated";
import type { ClusterModel } from "./types";

/** Every string in an object's body (not metadata, not status). */
export function bodyStrings(o: K8sObject): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
  };
  for (const [key, value] of Object.entries(o)) if (!(NOT_SPEC_FIELDS as readonly string[]).includes(key)) walk(value);
  return out;
}

/** An object's body (not metadata, not status) as JSON text: its keys too (label keys in matchLabels are keys). */
export function bodyText(o: K8sObject): string {
  return JSON.stringify(Object.fromEntries(Object.entries(o).filter(([key]) => !(NOT_SPEC_FIELDS as readonly string[]).includes(key))));
}

/** Calico selector operators that match part of a label value (docs.tigera.io, "Selectors"). */
const CALICO_PARTIAL = /\b(starts with|ends with|contains)\b/;

/**
 * Could this string match a tenant's name or namespace partially? Istio string matches (principals,
 * namespaces, hosts) are exact, `prefix*`, `*suffix` or `*`; Calico selectors have starts with / ends
 * with / contains. Matches that cannot cut a name are allowed: `*`, a prefix ending at a `/`
 * (`cluster.local/ns/*`, `tenant-a/*`), a DNS suffix starting at a label (`*.svc.cluster.local`).
 */
export function matchesNamesPartially(s: string): boolean {
  if (CALICO_PARTIAL.test(s)) return true;
  if (!s.includes("*") || s === "*") return false;
  const dnsSuffix = (x: string): boolean => x === "*" || !x.includes("*") || (x.startsWith("*.") && !x.slice(1).includes("*"));
  if (s.endsWith("/*") && !s.slice(0, -2).includes("*")) return false;
  const slash = s.indexOf("/");
  if (slash >= 0 && s.indexOf("/", slash + 1) < 0) {
    const namespace = s.slice(0, slash);
    if ((namespace === "*" || !namespace.includes("*")) && dnsSuffix(s.slice(slash + 1))) return false;
  }
  return !(slash < 0 && dnsSuffix(s));
}

/** The IP blocks and addresses written anywhere in these objects' bodies. */
export function ipBlocksIn(objects: readonly K8sObject[]): ParsedCidr[] {
  const seen = new Map<string, ParsedCidr>();
  for (const o of objects) {
    for (const s of bodyStrings(o)) {
      if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s) || !/[.:]/.test(s) || !/\d/.test(s)) continue;
      const parsed = parseCidrOrAddress(s);
      if (parsed && !seen.has(parsed.canonical)) seen.set(parsed.canonical, parsed);
    }
  }
  return [...seen.values()];
}

/**
 * Which of `blocks` hold the pod IPs of a tenant's probe endpoints ("namespace/name"): two tenants
 * with equal signatures look alike to every IP-based rule of the cluster. "" without IPs or blocks.
 * `seen` collects the distinct memberships (one alone: the blocks split no pods).
 */
export function ipSignature(model: ClusterModel, endpoints: readonly string[], blocks: readonly ParsedCidr[], seen?: Set<string>): string {
  if (blocks.length === 0) return "";
  const parts: string[] = [];
  for (const id of endpoints) {
    const ips = findWorkload(model, id)?.podIPs ?? [];
    if (ips.length === 0) continue;
    const bits = ips.map((ip) => blocks.map((b) => (cidrContains(b, ip) ? "1" : "0")).join(""));
    for (const b of bits) seen?.add(b);
    parts.push(`${id.slice(id.indexOf("/") + 1)}:${bits.sort().join(",")}`);
  }
  return parts.join(";");
}
