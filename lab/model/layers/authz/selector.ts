// Istio workload selection: `selector.matchLabels` (security policies) and
// `workloadSelector.labels` (Sidecar). Every listed label must be present with the same value;
// an empty map selects every workload in scope.

export function labelsMatch(required: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!required) return true;
  return Object.entries(required).every(([key, value]) => labels[key] === value);
}

/** Reads a string map from an unknown field; undefined when absent, an error text when malformed. */
export function readStringMap(value: unknown, field: string): { map?: Record<string, string>; error?: string } {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) return { error: `${field} must be a map of label → value` };
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== "string") return { error: `${field}.${key} must be a string (quote it in YAML)` };
    map[key] = entry;
  }
  return { map };
}

export function policyLabel(o: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}
