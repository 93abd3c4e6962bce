// Typed, defaulting readers over untrusted input. Each reader records a problem (field, message,
// fix) instead of throwing and returns the fallback, so one pass reports every problem at once.
import { child, item, ProblemList } from "./problems";
import { closestMatch } from "./suggest";

export type RawMap = Record<string, unknown>;

/** Pulumi stores `--secret` values as `{ secure: "<ciphertext>" }`. */
export function isPulumiSecret(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

export function isPlainObject(value: unknown): value is RawMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Short description of a value for messages: `string "false"`, `number 5`, `a list`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isPulumiSecret(value)) return "a Pulumi secret";
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value)}`;
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof value} ${String(value)}`;
    case "object":
      return "a map";
    default:
      return typeof value;
  }
}

export class ConfigReader {
  constructor(readonly problems: ProblemList) {}

  add(field: string, message: string, fix: string): void {
    this.problems.add(field, message, fix);
  }

  /** Reports a Pulumi secret at `field`; true if it was one. */
  private rejectSecret(value: unknown, field: string): boolean {
    if (!isPulumiSecret(value)) return false;
    this.add(field, "is a Pulumi secret; hard-tenancy configuration holds no secrets", "store it as plain config (pulumi config set --path without --secret)");
    return true;
  }

  private wrongType(value: unknown, field: string, expected: string, fix: string): void {
    if (this.rejectSecret(value, field)) return;
    this.add(field, `must be ${expected}, got ${describeValue(value)}`, fix);
  }

  /**
   * A map with only `allowedKeys`; unknown keys are reported with a "did you mean" hint.
   * Returns undefined (after reporting) when `value` is not a map.
   */
  map(value: unknown, field: string, allowedKeys: readonly string[]): RawMap | undefined {
    if (!isPlainObject(value) || isPulumiSecret(value)) {
      this.wrongType(value, field, "a map", `write a map with any of the keys: ${allowedKeys.join(", ")}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowedKeys.includes(key)) this.unknownKey(field, key, allowedKeys);
    }
    return value;
  }

  unknownKey(parent: string, key: string, allowedKeys: readonly string[]): void {
    const suggestion = closestMatch(key, allowedKeys);
    const fix = suggestion !== undefined ? `did you mean "${suggestion}"?` : `remove it; allowed keys: ${allowedKeys.join(", ")}`;
    this.add(child(parent, key), `unknown key "${key}"`, fix);
  }

  /** An optional map read with `allowedKeys`; absent → `{}` so defaults apply. */
  optionalMap(parent: RawMap | undefined, key: string, field: string, allowedKeys: readonly string[]): RawMap {
    const value = parent?.[key];
    if (value === undefined) return {};
    return this.map(value, field, allowedKeys) ?? {};
  }

  boolean(parent: RawMap, key: string, field: string, fallback: boolean): boolean {
    const value = parent[key];
    if (value === undefined) return fallback;
    if (typeof value === "boolean") return value;
    this.wrongType(value, field, "true or false", "write true or false without quotes");
    return fallback;
  }

  /** A string; `allowEmpty` false reports "" as a problem with `emptyFix`. */
  string(parent: RawMap, key: string, field: string, fallback: string, emptyFix?: string): string {
    const value = parent[key];
    if (value === undefined) return fallback;
    if (typeof value !== "string") {
      this.wrongType(value, field, "a string", "quote the value");
      return fallback;
    }
    if (emptyFix !== undefined && value.trim() === "") {
      this.add(field, "must not be empty", emptyFix);
      return fallback;
    }
    return value;
  }

  /** A required string; reports absence with `missingFix`. */
  requiredString(parent: RawMap, key: string, field: string, missingFix: string): string | undefined {
    if (parent[key] === undefined) {
      this.add(field, "is required", missingFix);
      return undefined;
    }
    const value = this.string(parent, key, field, "", missingFix);
    return value === "" ? undefined : value;
  }

  /** TCP/UDP port 1–65535. */
  port(parent: RawMap, key: string, field: string, fallback: number | undefined): number | undefined {
    const value = parent[key];
    if (value === undefined) {
      if (fallback === undefined) this.add(field, "is required", "set a port number between 1 and 65535");
      return fallback;
    }
    return this.portValue(value, field);
  }

  portValue(value: unknown, field: string): number | undefined {
    if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
    if (this.rejectSecret(value, field)) return undefined;
    this.add(field, `must be a port number 1–65535, got ${describeValue(value)}`, "use a whole number between 1 and 65535, without quotes");
    return undefined;
  }

  /** Non-negative integer (object counts), at most 2^53−1: larger numbers are not exact in YAML/JSON, and Kubernetes quota counts are int64. */
  count(parent: RawMap, key: string, field: string, fallback: number): number {
    const value = parent[key];
    if (value === undefined) return fallback;
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
    if (typeof value === "number" && Number.isInteger(value) && value > 0) {
      this.add(field, `${value} is beyond the largest exact whole number (${Number.MAX_SAFE_INTEGER}); Kubernetes would not hold the count you wrote`, "use a realistic count, e.g. 100");
      return fallback;
    }
    this.wrongType(value, field, "a non-negative whole number", "use a whole number ≥ 0 without quotes, e.g. 10");
    return fallback;
  }

  /** A list; each element goes through `readItem` with its indexed field path. */
  list<T>(parent: RawMap, key: string, field: string, fallback: T[], readItem: (value: unknown, field: string, index: number) => T | undefined): T[] {
    const value = parent[key];
    if (value === undefined) return fallback;
    if (!Array.isArray(value)) {
      this.wrongType(value, field, "a list", "write a YAML list (one \"- item\" per line) or [a, b]");
      return fallback;
    }
    const out: T[] = [];
    value.forEach((element, index) => {
      const read = readItem(element, item(field, index), index);
      if (read !== undefined) out.push(read);
    });
    return out;
  }

  /** A string element of a list (used as `readItem`). */
  stringItem(value: unknown, field: string, emptyFix: string): string | undefined {
    if (typeof value !== "string") {
      this.wrongType(value, field, "a string", "quote the value");
      return undefined;
    }
    if (value.trim() === "") {
      this.add(field, "must not be empty", emptyFix);
      return undefined;
    }
    return value;
  }

  /** A map of string → string (labels). */
  stringMap(parent: RawMap, key: string, field: string, fallback: Record<string, string>): Record<string, string> {
    const value = parent[key];
    if (value === undefined) return { ...fallback };
    if (!isPlainObject(value) || isPulumiSecret(value)) {
      this.wrongType(value, field, "a map of strings", 'write key: "value" pairs');
      return { ...fallback };
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string") out[k] = v;
      else this.wrongType(v, child(field, k), "a string", "quote the value");
    }
    return out;
  }
}
