// `mesh.*` (what istiod injects into every pod) and `guardrails.*` (what tenant pods may ask of the
// scheduler), plus the cross-checks that tie the sidecar's cost to each tenant's LimitRange.
import { CONTROL_PLANE_NODE_LABELS, DEFAULT_PROXY_RESOURCES, KUBERNETES_TOLERATION_KEYS } from "./defaults";
import { labelKeyError } from "./names";
import { child } from "./problems";
import { compareQuantities } from "./quantity";
import type { ConfigReader, RawMap } from "./reader";
import { reportDuplicates } from "./validate-platform";
import { readQuantity } from "./validate-tenants";
import type { GuardrailsSpec, MeshSettingsSpec, ProxyResourcesSpec, TenantSpec } from "./types";

const PROXY_KEYS = Object.keys(DEFAULT_PROXY_RESOURCES) as (keyof ProxyResourcesSpec)[];

export function readMesh(r: ConfigReader, root: RawMap): MeshSettingsSpec {
  const raw = r.optionalMap(root, "mesh", "mesh", ["proxyResources"]);
  const field = "mesh.proxyResources";
  const resourcesRaw = r.optionalMap(raw, "proxyResources", field, PROXY_KEYS);
  const before = r.problems.size;
  const proxyResources = { ...DEFAULT_PROXY_RESOURCES };
  for (const key of PROXY_KEYS) proxyResources[key] = readQuantity(r, resourcesRaw, key, child(field, key), DEFAULT_PROXY_RESOURCES[key]);
  if (r.problems.size === before) {
    for (const resource of ["Cpu", "Memory"] as const) {
      const request = proxyResources[`requests${resource}`];
      const limit = proxyResources[`limits${resource}`];
      if (compareQuantities(request, limit) > 0) {
        r.add(child(field, `requests${resource}`), `${request} is more than limits${resource} ${limit}`, `make requests${resource} ≤ limits${resource} (Kubernetes refuses a container whose request exceeds its limit)`);
      }
    }
  }
  return { proxyResources };
}

/**
 * Every injected pod carries an `istio-proxy` container (and an `istio-validation` init container)
 * with the mesh's proxy resources; LimitRange `max` applies to each container, init containers
 * included, so a max below the proxy's limits would reject every meshed pod of the tenant.
 */
export function checkProxyFitsLimitRange(r: ConfigReader, mesh: MeshSettingsSpec, tenant: TenantSpec, field: string): void {
  for (const resource of ["Cpu", "Memory"] as const) {
    const max = tenant.limits[`max${resource}`];
    const proxy = mesh.proxyResources[`limits${resource}`];
    if (compareQuantities(proxy, max) > 0) {
      r.add(
        child(child(field, "limits"), `max${resource}`),
        `${max} is below the sidecar's limit ${proxy} (mesh.proxyResources.limits${resource}): the LimitRange would reject every meshed pod, whose istio-proxy and istio-validation containers carry that limit`,
        `raise max${resource} to at least ${proxy}, or lower mesh.proxyResources.limits${resource}`,
      );
    }
  }
}

const GUARDRAIL_KEYS = ["allowedTolerationKeys"] as const;
/** Kubernetes adds these two to every pod (DefaultTolerationSeconds): without them every pod would be refused. */
const ALWAYS_ADDED = KUBERNETES_TOLERATION_KEYS.slice(0, 2);

export function readGuardrails(r: ConfigReader, root: RawMap): GuardrailsSpec {
  const raw = r.optionalMap(root, "guardrails", "guardrails", GUARDRAIL_KEYS);
  const field = "guardrails.allowedTolerationKeys";
  const keys = r.list(raw, "allowedTolerationKeys", field, [...KUBERNETES_TOLERATION_KEYS], (value, at) => {
    const key = r.stringItem(value, at, 'name a taint key, e.g. "example.com/tenant-pool"');
    if (key === undefined) return undefined;
    const problem = labelKeyError(key);
    if (problem !== undefined) {
      r.add(at, `${JSON.stringify(key)} is not a taint key: ${problem}`, 'write a key like "example.com/tenant-pool"');
      return undefined;
    }
    if (CONTROL_PLANE_NODE_LABELS.includes(key)) {
      r.add(at, `${JSON.stringify(key)} is the control-plane taint: tolerating it lets tenant pods onto control-plane nodes`, "remove it; tenant pods never run on control-plane nodes");
      return undefined;
    }
    return key;
  });
  reportDuplicates(r, keys, field);
  if (raw.allowedTolerationKeys !== undefined) {
    const missing = ALWAYS_ADDED.filter((k) => !keys.includes(k));
    if (missing.length > 0) {
      r.add(field, `lacks ${missing.join(" and ")}, which Kubernetes' DefaultTolerationSeconds admission plugin adds to every pod: every tenant pod would be refused`, `keep Kubernetes' own keys (${KUBERNETES_TOLERATION_KEYS.join(", ")}) and add yours`);
    }
  }
  return { allowedTolerationKeys: keys };
}
