// Configuration → validated, fully defaulted PlatformSpec. Every problem is collected (field,
// message, fix) in one pass; nothing downstream runs on bad input.
import { ConfigError, formatProblem, ProblemList, type ConfigProblem } from "./problems";
import { ConfigReader, isPlainObject } from "./reader";
import { readCluster } from "./validate-cluster";
import { readGrants } from "./validate-grants";
import { checkProxyFitsLimitRange, readGuardrails, readMesh } from "./validate-mesh";
import { checkMinimumVersions, readIngressGateway, readInstall, readLayers, readMeshNamespace, readSharedServices, readVersions } from "./validate-platform";
import { readTenants } from "./validate-tenants";
import type { PlatformSpec } from "./types";

export { ConfigError, formatProblem, type ConfigProblem };

/** Top-level keys of PlatformConfig (stack config keys are `hard-tenancy:<key>`). */
export const PLATFORM_CONFIG_KEYS = ["cluster", "layers", "install", "versions", "meshNamespace", "mesh", "guardrails", "ingressGateway", "sharedServices", "tenants", "grants", "demoWorkloads"] as const;

/** Unknown top-level keys; keys with a namespace (from a stack file) get a prefix hint. */
function reportUnknownRootKeys(r: ConfigReader, root: Record<string, unknown>): void {
  for (const key of Object.keys(root)) {
    if ((PLATFORM_CONFIG_KEYS as readonly string[]).includes(key)) continue;
    const colon = key.lastIndexOf(":");
    if (colon >= 0) {
      const bare = key.slice(colon + 1);
      const target = (PLATFORM_CONFIG_KEYS as readonly string[]).includes(bare) ? bare : undefined;
      const fix = target !== undefined ? `write it as "hard-tenancy:${target}"` : `stack config keys are "hard-tenancy:<key>" with <key> one of: ${PLATFORM_CONFIG_KEYS.join(", ")}`;
      r.add(key, colon === 0 ? `key "${bare}" has no namespace` : `unknown key "${key}"`, fix);
    } else {
      r.unknownKey("", key, PLATFORM_CONFIG_KEYS);
    }
  }
}

export function checkPlatformConfig(raw: unknown): { spec?: PlatformSpec; problems: ConfigProblem[] } {
  const problems = new ProblemList();
  const r = new ConfigReader(problems);
  if (!isPlainObject(raw)) {
    problems.add("(root)", `must be a map of configuration keys, got ${raw === null ? "null" : Array.isArray(raw) ? "a list" : typeof raw}`, 'pass an object with at least tenants, e.g. { tenants: [{ name: "acme" }], cluster: { apiServerEndpoints: [...] } }');
    return { problems: problems.items };
  }
  reportUnknownRootKeys(r, raw);
  const cluster = readCluster(r, raw);
  const layers = readLayers(r, raw);
  const install = readInstall(r, raw);
  const versions = readVersions(r, raw);
  checkMinimumVersions(r, versions, install);
  const meshNamespace = readMeshNamespace(r, raw);
  const mesh = readMesh(r, raw);
  const guardrails = readGuardrails(r, raw);
  const ingressGateway = readIngressGateway(r, raw);
  const sharedServices = readSharedServices(r, raw);
  if (sharedServices.namespace === meshNamespace) {
    r.add("sharedServices.namespace", `${JSON.stringify(sharedServices.namespace)} is the mesh (Istio root) namespace`, "give shared services a namespace of their own");
  }
  if (sharedServices.namespace === ingressGateway.namespace) {
    r.add("sharedServices.namespace", `${JSON.stringify(sharedServices.namespace)} is the ingress-gateway namespace`, "give shared services a namespace of their own");
  }
  const tenants = readTenants(r, raw, {
    namespaces: { mesh: meshNamespace, shared: sharedServices.namespace, ingressGateway: ingressGateway.namespace },
    sharedServicesEnabled: sharedServices.enabled,
    sharedServiceNames: [...new Set(sharedServices.services.map((s) => s.name))],
    ingressGatewayInstalled: install.ingressGateway,
  });
  if (install.istio && layers.quotas) {
    const rawTenants = Array.isArray(raw.tenants) ? raw.tenants : [];
    for (const tenant of tenants) {
      const index = rawTenants.findIndex((t) => isPlainObject(t) && t.name === tenant.name);
      checkProxyFitsLimitRange(r, mesh, tenant, `tenants[${index}]`);
    }
  }
  const rawTenantNames = Array.isArray(raw.tenants) ? raw.tenants.flatMap((t) => (isPlainObject(t) && typeof t.name === "string" ? [t.name] : [])) : [];
  const grants = readGrants(r, raw, rawTenantNames);
  const demoWorkloads = r.boolean(raw, "demoWorkloads", "demoWorkloads", false);
  if (problems.size > 0) return { problems: problems.items };
  return { spec: { cluster, layers, install, versions, meshNamespace, mesh, guardrails, ingressGateway, sharedServices, tenants, grants, demoWorkloads }, problems: [] };
}

/** The validated spec; throws ConfigError listing every problem. */
export function validatePlatformConfig(raw: unknown): PlatformSpec {
  const { spec, problems } = checkPlatformConfig(raw);
  if (spec === undefined) throw new ConfigError(problems);
  return spec;
}
