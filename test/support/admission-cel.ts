// Evaluates a ValidatingAdmissionPolicy's validations the way the API server does, with a real CEL
// evaluator (@bufbuild/cel): `object` and `request` bound as CEL maps/lists, each validation's
// expression run, and a false result or an evaluation error (failurePolicy Fail) counted as a
// refusal with the validation's message. Not a kube-apiserver: no type checking against the
// OpenAPI schema and no cost budget; it proves the expressions' logic and null safety.
import { run } from "@bufbuild/cel";
import type { K8sObject } from "../../components/k8s/object";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON → CEL input: objects become Maps (CEL maps with `has()` and `.field` selection), integers bigint. */
function toCel(value: Json): unknown {
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === "object") return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  return value;
}

export interface AdmissionRequest {
  kind: string;
  operation?: "CREATE" | "UPDATE";
  object: Record<string, unknown>;
}

/** The API resource of a kind, as the policies' resourceRules name it (every kind here is regular: lowercase + s). */
const resourceOf = (kind: string): string => `${kind.toLowerCase()}s`;

interface PolicySpec {
  matchConstraints?: { resourceRules?: { resources?: string[] }[] };
  validations: { expression: string; message: string }[];
}

/**
 * The messages of every validation that refuses the request (empty: admitted), across the policies
 * that match the request's kind, as the API server picks them by `matchConstraints.resourceRules`.
 */
export function refusals(policies: K8sObject | K8sObject[], request: AdmissionRequest): string[] {
  const matching = (Array.isArray(policies) ? policies : [policies])
    .map((p) => (p as unknown as { spec: PolicySpec }).spec)
    .filter((spec) => (spec.matchConstraints?.resourceRules ?? []).some((r) => (r.resources ?? []).includes(resourceOf(request.kind))));
  const validations = matching.flatMap((spec) => spec.validations);
  const bindings = {
    object: toCel(request.object as Json),
    request: toCel({ kind: { kind: request.kind }, operation: request.operation ?? "CREATE" }),
  } as Parameters<typeof run>[1];
  const refused: string[] = [];
  for (const v of validations) {
    try {
      if (run(v.expression, bindings) !== true) refused.push(v.message);
    } catch (error) {
      refused.push(`${v.message} [evaluation error: ${(error as Error).message}]`);
    }
  }
  return refused;
}
