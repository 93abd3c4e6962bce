// Configuration problems: every one names the field, says what is wrong and how to fix it.

export interface ConfigProblem {
  /** Path of the offending field, e.g. "tenants[1].name" or "layers.authorisation". */
  field: string;
  message: string;
  fix: string;
}

/** "<field>: <message> — <fix>" */
export function formatProblem(p: ConfigProblem): string {
  return `${p.field}: ${p.message} — ${p.fix}`;
}

/** Thrown by `validatePlatformConfig` / `loadStackSpec` with ALL problems found. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`Invalid hard-tenancy configuration (${count}):\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Collects problems while a config is read; readers never throw. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];

  add(field: string, message: string, fix: string): void {
    this.items.push({ field, message, fix });
  }

  get size(): number {
    return this.items.length;
  }
}

/** Field path helpers: `child("tenants[0]", "name")` → "tenants[0].name". */
export function child(parent: string, key: string): string {
  if (parent === "") return key;
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export function item(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
