// Istio's string match for AuthorizationPolicy values: exact, `prefix*`, `*suffix`, or `*`
// (presence: any non-empty value). A `*` anywhere else is a literal character.
// Upstream: https://istio.io/latest/docs/reference/config/security/authorization-policy/
// ("Value matching": exact, prefix, suffix and presence match).

/** True when `value` (absent = no value) matches the Istio pattern. An absent value matches nothing. */
export function matchesIstioString(pattern: string, value: string | undefined, caseInsensitive = false): boolean {
  if (value === undefined || value === "") return false;
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  if (p === "*") return true;
  if (p.startsWith("*")) return v.endsWith(p.slice(1));
  if (p.endsWith("*")) return v.startsWith(p.slice(0, -1));
  return v === p;
}

export function matchesAnyIstioString(patterns: readonly string[], value: string | undefined, caseInsensitive = false): boolean {
  return patterns.some((pattern) => matchesIstioString(pattern, value, caseInsensitive));
}
