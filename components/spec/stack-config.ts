// Pulumi stack config files (`stacks/Pulumi.<stack>.yaml`) → raw PlatformConfig → PlatformSpec.
// The same reader serves `pulumi up` (through stacks/index.ts), `render --config FILE` and tests.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "./problems";
import { isPlainObject } from "./reader";
import { closestMatch } from "./suggest";
import { validatePlatformConfig } from "./validate";
import type { PlatformSpec } from "./types";

/** Top-level PlatformConfig keys that give away a plain config written without the stack file's `config:` wrapper. */
const PLAIN_CONFIG_KEYS = ["tenants", "cluster", "layers", "install", "versions", "grants", "sharedServices"];

/** Stack config keys are `hard-tenancy:<key>`, one per top-level PlatformConfig field. */
export const CONFIG_NAMESPACE = "hard-tenancy";

/** The repository root: the nearest ancestor of this file with a package.json (works from dist/ too). */
function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(__dirname, "..", "..");
    dir = parent;
  }
}

export function stackConfigPath(stack: string, root: string = repoRoot()): string {
  if (!/^[A-Za-z0-9._-]+$/.test(stack)) {
    throw new ConfigError([{ field: "stack", message: `${JSON.stringify(stack)} is not a stack name`, fix: "use letters, digits, \".\", \"_\" and \"-\" only, e.g. \"lab\"" }]);
  }
  return join(root, "stacks", `Pulumi.${stack}.yaml`);
}

/**
 * The `config:` map's `hard-tenancy:*` entries with the prefix stripped. Other projects' keys
 * (`kubernetes:context`, …) are ignored, except a namespace that looks like a typo of ours: that
 * key is kept verbatim, as is a key without a namespace (stored as `:<key>`; Pulumi stack files
 * need `<namespace>:<key>`), so validation reports it instead of the setting silently vanishing.
 * Secure values (`{ secure: … }`) pass through and validation rejects them.
 */
export function readStackConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([{ field: file, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, fix: "check the path, or pass --stack <name> for stacks/Pulumi.<name>.yaml" }]);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ConfigError([{ field: file, message: `is not valid YAML: ${(error as Error).message.split("\n")[0]}`, fix: "fix the YAML syntax (indentation, quoting)" }]);
  }
  if (document === null || document === undefined) return {};
  if (!isPlainObject(document)) {
    throw new ConfigError([{ field: file, message: "is not a Pulumi stack file (expected a map with a config: key)", fix: "write config:\n    hard-tenancy:tenants: [...]" }]);
  }
  const config = document.config;
  if (config === undefined && PLAIN_CONFIG_KEYS.some((key) => key in document)) {
    throw new ConfigError([
      {
        field: file,
        message: "is a plain PlatformConfig (top-level tenants/cluster/…), not a Pulumi stack file: its settings sit under no config: key",
        fix: "wrap it as a stack file: config:\n    hard-tenancy:tenants: [...]\n    hard-tenancy:cluster: {...}  (each top-level key becomes hard-tenancy:<key>)",
      },
    ]);
  }
  if (config === undefined || config === null) return {};
  if (!isPlainObject(config)) {
    throw new ConfigError([{ field: `${file}: config`, message: "must be a map of <namespace>:<key> entries", fix: "write config:\n    hard-tenancy:tenants: [...]" }]);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const colon = key.indexOf(":");
    if (colon < 0) {
      out[`:${key}`] = value;
      continue;
    }
    const namespace = key.slice(0, colon);
    if (namespace === CONFIG_NAMESPACE) out[key.slice(colon + 1)] = asProgramSeesIt(value);
    else if (closestMatch(namespace, [CONFIG_NAMESPACE]) !== undefined) out[key] = value;
  }
  return out;
}

/**
 * A top-level config value as the program reads it. The engine hands every top-level value to the
 * program as a string and stacks/config.ts reads it with `Config.getObject` (JSON), so `"true"` is
 * the boolean true there. The file can hold either form: `pulumi up --config-file F` rewrites F with
 * every top-level scalar quoted (`hard-tenancy:demoWorkloads: "true"`; seen with the real CLI 3.248.0
 * on the lab's working copy). Reading it the program's way keeps the offline spec equal to the
 * deployed one; a string that is not JSON (`istio-system`, `no`) stays a string.
 */
function asProgramSeesIt(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export function loadStackSpec(source: { stack: string } | { file: string }, root?: string): PlatformSpec {
  const file = "file" in source ? source.file : stackConfigPath(source.stack, root);
  return validatePlatformConfig(readStackConfigFile(file));
}
