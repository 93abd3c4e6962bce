// What an Envoy's access log says decided a request, compared with what the model says decided it.
// Istio names each policy it compiles into a sidecar's RBAC filter `ns[<namespace>]-policy[<name>]-rule[<index>]`,
// and Envoy's RBAC filter reports a denial as %RESPONSE_CODE_DETAILS%
// `rbac_access_denied_matched_policy[<that name>]` — or `[none]` when an ALLOW filter found no
// matching policy (Istio's allow-by-default ends once any ALLOW policy selects the workload). So a
// 403's details name exactly the DENY rule that matched, or say that no ALLOW rule did; the model's
// `decidedBy` says the same in its own terms (a rule index only when a rule matched).
import type { PolicyRef } from "../probes/types";
import type { EnvoyAccessRecord } from "./compare";

export interface RbacDecision {
  /** The DENY rule that matched, or undefined when no ALLOW rule matched (`[none]`). */
  matched?: { namespace: string; name: string; rule: number };
}

/** The RBAC decision in a %RESPONSE_CODE_DETAILS%, or undefined when the details are not an RBAC denial. */
export function rbacDecision(details: string): RbacDecision | undefined {
  const match = /^rbac_access_denied_matched_policy\[(.*)\]$/.exec(details);
  if (!match) return undefined;
  if (match[1] === "none") return {};
  const named = /^ns\[([^\]]+)\]-policy\[([^\]]+)\]-rule\[(\d+)\]$/.exec(match[1]);
  return named ? { matched: { namespace: named[1], name: named[2], rule: Number(named[3]) } } : undefined;
}

/** The server side's entry (its inbound listener), where the RBAC filter runs. */
export function serverSideEntry(entries: readonly EnvoyAccessRecord[] | undefined): EnvoyAccessRecord | undefined {
  return entries?.find((e) => e.upstreamCluster.startsWith("inbound|"));
}

/**
 * Why the Envoy's RBAC decision disagrees with the model's `decidedBy`, or undefined when they agree
 * (or the Envoy's details are no RBAC denial, or the model names no AuthorizationPolicy).
 */
export function rbacDisagreement(details: string, decidedBy: PolicyRef | undefined): string | undefined {
  const decision = rbacDecision(details);
  if (!decision || decidedBy?.kind !== "AuthorizationPolicy") return undefined;
  const model = decidedBy.rule === undefined ? "no ALLOW rule matched" : `DENY rule ${decidedBy.namespace}/${decidedBy.name} rule ${decidedBy.rule}`;
  const envoy = decision.matched ? `DENY rule ${decision.matched.namespace}/${decision.matched.name} rule ${decision.matched.rule}` : "no ALLOW rule matched";
  if (model === envoy) return undefined;
  return `Envoy's RBAC filter says ${envoy} (${details}); the model says ${model}${decidedBy.rule === undefined ? ` (${decidedBy.namespace}/${decidedBy.name})` : ""}`;
}
