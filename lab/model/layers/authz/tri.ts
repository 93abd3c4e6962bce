// Three-valued logic for policy matching: a condition matches, does not match, or cannot be
// decided by the model (e.g. a JWT claim or a CUSTOM provider), in which case we say so.

export type Tri = true | false | "unknown";

/** All must match: any false wins, then any unknown. Empty list = true. */
export function allOf(values: Iterable<Tri>): Tri {
  let result: Tri = true;
  for (const value of values) {
    if (value === false) return false;
    if (value === "unknown") result = "unknown";
  }
  return result;
}

/** One must match: any true wins, then any unknown. Empty list = false. */
export function anyOf(values: Iterable<Tri>): Tri {
  let result: Tri = false;
  for (const value of values) {
    if (value === true) return true;
    if (value === "unknown") result = "unknown";
  }
  return result;
}
