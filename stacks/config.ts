// Stack config → raw PlatformConfig, for validatePlatformConfig to check (all problems at once).
//
// Pulumi does not validate structured config: `Config.getObject` only JSON-parses. So we read each
// known key, then add every other `hard-tenancy:*` key of the stack (and keys whose namespace looks
// like a typo of ours) so validation reports them as unknown instead of them being silently ignored:
// a mistyped `hard-tenancy:layer` must not leave a layer at a weaker default.
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, PLATFORM_CONFIG_KEYS } from "../components/spec";
import { closestMatch } from "../components/spec/suggest";

/** A config value as the user wrote it: JSON (objects, lists, booleans, numbers) or a plain string. */
function readValue(config: pulumi.Config, key: string): unknown {
  try {
    return config.getObject<unknown>(key);
  } catch {
    // getObject throws on a plain (non-JSON) string such as `istio-system`: keep it as a string
    // and let validation judge its type.
    return config.get(key);
  }
}

function parseRaw(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * The raw PlatformConfig of the running stack. `allConfig` is the full `<namespace>:<key>` map of
 * the stack (what `pulumi config` shows); default: the running program's.
 */
export function readStackPlatformConfig(allConfig: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const raw: Record<string, unknown> = {};
  for (const key of PLATFORM_CONFIG_KEYS) {
    const value = readValue(config, key);
    if (value !== undefined) raw[key] = value;
  }
  for (const [fullKey, value] of Object.entries(allConfig)) {
    const colon = fullKey.indexOf(":");
    const namespace = colon < 0 ? "" : fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (namespace === CONFIG_NAMESPACE) {
      // Unknown key of ours: validation names it and suggests the closest known key.
      if (!(PLATFORM_CONFIG_KEYS as readonly string[]).includes(key)) raw[key] = parseRaw(value);
    } else if (namespace !== "" && closestMatch(namespace, [CONFIG_NAMESPACE]) !== undefined) {
      // `hard-tenacy:tenants`: kept verbatim so validation reports the namespace typo.
      raw[fullKey] = parseRaw(value);
    }
  }
  return raw;
}
