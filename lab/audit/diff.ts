// Field-level difference between what the stack renders (desired) and what the cluster holds
// (live). Compared: labels and annotations the stack sets, and every field outside `metadata` and
// `status`. Fields the API server fills in are not drift: metadata beyond labels/annotations,
// status, and — for built-in workload and Service kinds, whose defaults are many — any field the
// stack does not set. For policy kinds (NetworkPolicy, Calico, CNP/ANP/BANP, Istio) a field only the
// live object has IS drift (e.g. an ingress rule added to a default-deny), except the few the
// server defaults (SERVER_DEFAULTS).
type Json = Record<string, unknown>;

export interface FieldChange {
  /** JSON path, e.g. "spec.ingress[0].from[1].namespaceSelector". */
  path: string;
  /** undefined: absent on that side. */
  desired?: unknown;
  live?: unknown;
}

/** Fields the API server sets when the manifest leaves them out, by kind: not drift when absent from desired. */
const SERVER_DEFAULTS: Record<string, string[]> = {
  // networking.k8s.io: policyTypes defaults from the presence of ingress/egress rules.
  NetworkPolicy: ["spec.policyTypes"],
};

/** Kinds whose live-only fields are compared (policy kinds); for the others only desired fields are. */
const STRICT_GROUPS = ["networking.k8s.io", "policy.networking.k8s.io", "projectcalico.org", "security.istio.io", "networking.istio.io"];

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
}

function walk(desired: unknown, live: unknown, path: string, strict: boolean, ignored: Set<string>, out: FieldChange[]): void {
  if (isRecord(desired) && isRecord(live)) {
    for (const key of new Set([...Object.keys(desired), ...(strict ? Object.keys(live) : [])])) {
      const sub = path ? `${path}.${key}` : key;
      if (!(key in desired) && ignored.has(sub)) continue;
      walk(desired[key], live[key], sub, strict, ignored, out);
    }
    return;
  }
  if (Array.isArray(desired) && Array.isArray(live) && desired.length === live.length) {
    desired.forEach((d, i) => walk(d, live[i], `${path}[${i}]`, strict, ignored, out));
    return;
  }
  if (desired === undefined && !strict) return;
  // An empty object or array the server dropped (or added) means the same.
  // Go omitempty: an empty string the manifest sets is stored as absent.
  const empty = (v: unknown) => v === undefined || v === "" || (isRecord(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
  if (empty(desired) && empty(live)) return;
  if (JSON.stringify(desired) === JSON.stringify(live)) return;
  out.push({ path, ...(desired !== undefined ? { desired } : {}), ...(live !== undefined ? { live } : {}) });
}

/** The differences that matter between a rendered object and its live counterpart. */
export function fieldChanges(desired: Json, live: Json): FieldChange[] {
  const strict = STRICT_GROUPS.includes(groupOf(String(desired.apiVersion)));
  const ignored = new Set(SERVER_DEFAULTS[String(desired.kind)] ?? []);
  const out: FieldChange[] = [];
  const dMeta = isRecord(desired.metadata) ? desired.metadata : {};
  const lMeta = isRecord(live.metadata) ? live.metadata : {};
  for (const field of ["labels", "annotations"]) {
    const d = isRecord(dMeta[field]) ? dMeta[field] : {};
    const l = isRecord(lMeta[field]) ? lMeta[field] : {};
    // Labels/annotations others add (kubectl, controllers) are not the stack's business; ours must hold.
    for (const key of Object.keys(d)) if (d[key] !== l[key]) out.push({ path: `metadata.${field}["${key}"]`, desired: d[key], ...(l[key] !== undefined ? { live: l[key] } : {}) });
  }
  const skip = new Set(["apiVersion", "kind", "metadata", "status"]);
  for (const key of new Set([...Object.keys(desired), ...(strict ? Object.keys(live) : [])])) {
    if (skip.has(key)) continue;
    walk(desired[key], live[key], key, strict, ignored, out);
  }
  return out;
}
