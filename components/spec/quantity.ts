// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource):
//   <quantity> ::= <sign>? <number> <suffix>?
//   <number>   ::= <digits> | <digits>.<digits>? | .<digits>
//   <suffix>   ::= Ki|Mi|Gi|Ti|Pi|Ei  (binary)  |  n|u|m|k|M|G|T|P|E  (decimal SI)  |  e<int>|E<int>  (exponent)
// The exponent is an integer in the upstream parser (strconv.ParseInt), although the published
// OpenAPI pattern is looser. "1E" is one exa; "1e3" is a thousand.

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Numeric value in base units (cores, bytes), or undefined if `text` is not a quantity. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign, digits, binary, decimal, exponent] = match;
  // Scale decimal powers through the number parser ("12e-1" → 1.2 exactly as written), so
  // "0.5" and "500m" compare equal; binary powers are exact in floating point anyway.
  const power = decimal !== undefined ? DECIMAL_EXPONENT[decimal] : exponent !== undefined ? Number(exponent) : 0;
  const value = Number(`${digits}e${power}`) * (binary !== undefined ? BINARY[binary] : 1);
  return sign === "-" ? -value : value;
}

export function isQuantity(text: string): boolean {
  return parseQuantity(text) !== undefined;
}

/** Negative, zero or positive like a comparator; both must be valid quantities. */
export function compareQuantities(a: string, b: string): number {
  const left = parseQuantity(a);
  const right = parseQuantity(b);
  if (left === undefined || right === undefined) throw new Error(`compareQuantities: "${left === undefined ? a : b}" is not a quantity`);
  return left === right ? 0 : left < right ? -1 : 1;
}
