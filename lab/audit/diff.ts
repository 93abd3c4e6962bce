// Field-level difference between what the stack renders (desired) and what the cluster holds
// (live). Compared: labels and annotations the stack sets, and every field outside `metadata` and
// `status`. What the server populates is not drift (lab/model/server-populated.ts, one definition
// shared with conformance grouping): metadata beyond labels/annotations, status, server defaults
// (applied to the desired object before comparing), and — for built-in workload and Service kinds,
// whose defaults are many — any field the stack does not set. For policy kinds (NetworkPolicy,
// Calico, CNP/ANP/BANP, Istio) a field only the live object has IS drift (e.g. an ingress rule added
// to a default-deny).
import { COMPARED_METADATA_FIELDS, isEmptyValue, isRecord, NOT_SPEC_FIELDS, withServerDefaults } from "../model/server-populated";

type Json = Record<string, unknown>;

export interface FieldChange {
  /** JSON path, e.g. "spec.ingress[0].from[1].namespaceSelector". */
  path: string;
  /** undefined: absent on that side. */
  desired?: unknown;
  live?: unknown;
}

/** Kinds whose live-only fields are compared (policy kinds); for the others only desired fields are. */
const STRICT_GROUPS = ["networking.k8s.io", "policy.networking.k8s.io", "projectcalico.org", "security.istio.io", "networking.istio.io"];

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
}

function walk(desired: unknown, live: unknown, path: string, strict: boolean, out: FieldChange[]): void {
  if (isRecord(desired) && isRecord(live)) {
    for (const key of new Set([...Object.keys(desired), ...(strict ? Object.keys(live) : [])])) {
      walk(desired[key], live[key], path ? `${path}.${key}` : key, strict, out);
    }
    return;
  }
  if (Array.isArray(desired) && Array.isArray(live) && desired.length === live.length) {
    desired.forEach((d, i) => walk(d, live[i], `${path}[${i}]`, strict, out));
    return;
  }
  if (desired === undefined && !strict) return;
  if (isEmptyValue(desired) && isEmptyValue(live)) return;
  if (JSON.stringify(desired) === JSON.stringify(live)) return;
  out.push({ path, ...(desired !== undefined ? { desired } : {}), ...(live !== undefined ? { live } : {}) });
}

/** The differences that matter between a rendered object and its live counterpart. */
export function fieldChanges(rendered: Json, live: Json): FieldChange[] {
  const desired = withServerDefaults(rendered);
  const strict = STRICT_GROUPS.includes(groupOf(String(desired.apiVersion)));
  const out: FieldChange[] = [];
  const dMeta = isRecord(desired.metadata) ? desired.metadata : {};
  const lMeta = isRecord(live.metadata) ? live.metadata : {};
  for (const field of COMPARED_METADATA_FIELDS) {
    const d = isRecord(dMeta[field]) ? dMeta[field] : {};
    const l = isRecord(lMeta[field]) ? lMeta[field] : {};
    // Labels/annotations others add (kubectl, controllers) are not the stack's business; ours must hold.
    for (const key of Object.keys(d)) if (d[key] !== l[key]) out.push({ path: `metadata.${field}["${key}"]`, desired: d[key], ...(l[key] !== undefined ? { live: l[key] } : {}) });
  }
  const skip = new Set<string>(NOT_SPEC_FIELDS);
  for (const key of new Set([...Object.keys(desired), ...(strict ? Object.keys(live) : [])])) {
    if (skip.has(key)) continue;
    walk(desired[key], live[key], key, strict, out);
  }
  return out;
}
