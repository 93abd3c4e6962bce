// `layers`, `install`, `versions`, `meshNamespace`, `ingressGateway`, `sharedServices`.
import {
  DEFAULT_INGRESS_GATEWAY,
  DEFAULT_INSTALL,
  DEFAULT_LAYERS,
  DEFAULT_MESH_NAMESPACE,
  DEFAULT_SHARED_NAMESPACE,
  DEFAULT_SHARED_SERVICES,
  DEFAULT_VERSIONS,
  MINIMUM_VERSIONS,
  RESERVED_NAMESPACES,
} from "./defaults";
import { isDnsLabel, isDnsSubdomain, toDnsLabel } from "./names";
import { closestMatch } from "./suggest";
import { child } from "./problems";
import type { ConfigReader, RawMap } from "./reader";
import { readLabelSelector } from "./validate-cluster";
import { GATEWAY_SERVICE_TYPES, type GatewayServiceType, type IngressGatewaySpec, type InstallSwitches, type LayerSwitches, type SharedServiceSpec, type SharedServicesSpec, type VersionPins } from "./types";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"] as const;

export function dnsLabelFix(value: string, example: string): string {
  const candidate = toDnsLabel(value);
  return `use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. "${candidate !== "" ? candidate : example}"`;
}

/** Reports and returns false when `value` is not a DNS-1123 label. */
export function checkDnsLabel(r: ConfigReader, value: string, field: string, example: string): boolean {
  if (isDnsLabel(value)) return true;
  r.add(field, `${JSON.stringify(value)} is not a DNS-1123 label`, dnsLabelFix(value, example));
  return false;
}

function readSwitches<T extends object>(r: ConfigReader, root: RawMap, key: string, defaults: T): T {
  const keys = Object.keys(defaults);
  const raw = r.optionalMap(root, key, key, keys);
  const out = { ...defaults };
  for (const name of keys) {
    (out as Record<string, boolean>)[name] = r.boolean(raw, name, child(key, name), (defaults as Record<string, boolean>)[name]);
  }
  return out;
}

export function readLayers(r: ConfigReader, root: RawMap): LayerSwitches {
  return readSwitches(r, root, "layers", DEFAULT_LAYERS);
}

export function readInstall(r: ConfigReader, root: RawMap): InstallSwitches {
  return readSwitches(r, root, "install", DEFAULT_INSTALL);
}

// Exact versions only: a range would let a chart upgrade silently under a pinned stack.
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const RANGE_MARKERS = /[\^~*<>=|\s]|(^|\.)[xX](\.|$)/;

function readVersion(r: ConfigReader, raw: RawMap, key: string, field: string, fallback: string): string {
  const value = r.string(raw, key, field, fallback, `pin an exact version, e.g. "${fallback}"`);
  if (RANGE_MARKERS.test(value)) {
    r.add(field, `${JSON.stringify(value)} is a version range; pins must be exact`, `pin one exact version, e.g. "${fallback}"`);
  } else if (!EXACT_VERSION.test(value)) {
    r.add(field, `${JSON.stringify(value)} is not an exact version (MAJOR.MINOR.PATCH)`, `pin one exact version, e.g. "${fallback}"`);
  }
  return value;
}

function readRepo(r: ConfigReader, raw: RawMap, key: string, field: string, fallback: string): string {
  const value = r.string(raw, key, field, fallback, `set the Helm repository URL, e.g. "${fallback}"`);
  let valid = false;
  try {
    const url = new URL(value);
    valid = (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
  } catch {
    valid = false;
  }
  if (!valid) r.add(field, `${JSON.stringify(value)} is not an http(s) URL`, `write the Helm repository URL, e.g. "${fallback}"`);
  return value;
}

export function readVersions(r: ConfigReader, root: RawMap): VersionPins {
  const raw = r.optionalMap(root, "versions", "versions", ["calico", "certManager", "istio", "repos", "istioHub"]);
  const reposRaw = r.optionalMap(raw, "repos", "versions.repos", ["calico", "certManager", "istio"]);
  const istioHub = r.string(raw, "istioHub", "versions.istioHub", DEFAULT_VERSIONS.istioHub);
  if (istioHub !== "" && (/\s/.test(istioHub) || istioHub.includes("://") || istioHub.endsWith("/"))) {
    r.add("versions.istioHub", `${JSON.stringify(istioHub)} is not an image registry path`, 'write a registry path without scheme or trailing "/", e.g. "registry.example.com/istio", or "" for the chart default');
  }
  return {
    calico: readVersion(r, raw, "calico", "versions.calico", DEFAULT_VERSIONS.calico),
    certManager: readVersion(r, raw, "certManager", "versions.certManager", DEFAULT_VERSIONS.certManager),
    istio: readVersion(r, raw, "istio", "versions.istio", DEFAULT_VERSIONS.istio),
    repos: {
      calico: readRepo(r, reposRaw, "calico", "versions.repos.calico", DEFAULT_VERSIONS.repos.calico),
      certManager: readRepo(r, reposRaw, "certManager", "versions.repos.certManager", DEFAULT_VERSIONS.repos.certManager),
      istio: readRepo(r, reposRaw, "istio", "versions.repos.istio", DEFAULT_VERSIONS.repos.istio),
    },
    istioHub,
  };
}

/** [major, minor, patch] of "v3.32.1" / "1.21.1" (pre-release and build suffixes ignored); undefined if not a version. */
export function versionTriple(version: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function olderThan(version: string, minimum: string): boolean {
  const a = versionTriple(version);
  const b = versionTriple(minimum);
  if (!a || !b) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** Pins below MINIMUM_VERSIONS are refused for what this stack installs (see defaults.ts for why each). */
export function checkMinimumVersions(r: ConfigReader, versions: VersionPins, install: InstallSwitches): void {
  if (install.calico && olderThan(versions.calico, MINIMUM_VERSIONS.calico)) {
    r.add(
      "versions.calico",
      `${JSON.stringify(versions.calico)} is older than ${MINIMUM_VERSIONS.calico}: Calico 3.32.0's API server rejects server-side-apply creates of tiered policies with NotFound (projectcalico/calico#12841), so the cross-tenant GlobalNetworkPolicies could not be created`,
      `pin ${MINIMUM_VERSIONS.calico} or later, e.g. "${DEFAULT_VERSIONS.calico}"`,
    );
  }
  if (install.certManager && olderThan(versions.certManager, MINIMUM_VERSIONS.certManager)) {
    r.add(
      "versions.certManager",
      `${JSON.stringify(versions.certManager)} is older than ${MINIMUM_VERSIONS.certManager}: the mesh root uses Certificate spec.renewal.policy Disabled, which cert-manager introduced in v1.21.0 and whose controller panics on it before v1.21.1 (cert-manager#9031)`,
      `pin ${MINIMUM_VERSIONS.certManager} or later, e.g. "${DEFAULT_VERSIONS.certManager}"`,
    );
  }
}

/** A platform namespace (mesh, gateway, shared): a DNS label. */
function readNamespace(r: ConfigReader, raw: RawMap, key: string, field: string, fallback: string): string {
  const value = r.string(raw, key, field, fallback, `set a namespace, e.g. "${fallback}"`);
  checkDnsLabel(r, value, field, fallback);
  return value;
}

export function readMeshNamespace(r: ConfigReader, root: RawMap): string {
  return readNamespace(r, root, "meshNamespace", "meshNamespace", DEFAULT_MESH_NAMESPACE);
}

function readServiceAccountName(r: ConfigReader, raw: RawMap, key: string, field: string, fallback: string): string {
  const value = r.string(raw, key, field, fallback, `name the ServiceAccount, e.g. "${fallback}"`);
  if (!isDnsSubdomain(value)) r.add(field, `${JSON.stringify(value)} is not a valid ServiceAccount name`, `use lowercase letters, digits, "-" and ".", e.g. "${toDnsLabel(value) || fallback}"`);
  return value;
}

function readGatewayServiceType(r: ConfigReader, raw: RawMap): GatewayServiceType {
  const field = "ingressGateway.serviceType";
  const value = raw.serviceType;
  if (value === undefined) return DEFAULT_INGRESS_GATEWAY.serviceType;
  const known = GATEWAY_SERVICE_TYPES.find((t) => t === value);
  if (known !== undefined) return known;
  const typo = typeof value === "string" ? closestMatch(value, GATEWAY_SERVICE_TYPES) : undefined;
  const fix = typo !== undefined ? `write "${typo}" (Service types are case-sensitive)` : `use one of ${GATEWAY_SERVICE_TYPES.join(", ")} ("LoadBalancer" to reach the gateway from outside the cluster)`;
  r.add(field, `must be one of ${GATEWAY_SERVICE_TYPES.join(", ")}, got ${JSON.stringify(value)}`, fix);
  return DEFAULT_INGRESS_GATEWAY.serviceType;
}

export function readIngressGateway(r: ConfigReader, root: RawMap): IngressGatewaySpec {
  const raw = r.optionalMap(root, "ingressGateway", "ingressGateway", ["namespace", "serviceAccount", "podLabels", "serviceType"]);
  return {
    namespace: readNamespace(r, raw, "namespace", "ingressGateway.namespace", DEFAULT_INGRESS_GATEWAY.namespace),
    serviceAccount: readServiceAccountName(r, raw, "serviceAccount", "ingressGateway.serviceAccount", DEFAULT_INGRESS_GATEWAY.serviceAccount),
    podLabels: readLabelSelector(r, raw, "podLabels", "ingressGateway.podLabels", DEFAULT_INGRESS_GATEWAY.podLabels),
    serviceType: readGatewayServiceType(r, raw),
  };
}

/** Uppercase HTTP methods, non-empty (an empty `methods` in Istio matches every method). */
export function readMethods(r: ConfigReader, raw: RawMap, field: string, fallback: string[] | undefined): string[] {
  if (raw.methods === undefined && fallback !== undefined) return [...fallback];
  return readIstioMatchList(r, raw, "methods", field, {
    fix: 'list the allowed HTTP methods, e.g. ["GET"]',
    emptyMeans: "every method",
    item: (value, at) => {
      if (typeof value !== "string" || !(HTTP_METHODS as readonly string[]).includes(value)) {
        const upper = typeof value === "string" ? value.toUpperCase() : "";
        const fix = (HTTP_METHODS as readonly string[]).includes(upper) ? `write "${upper}" (methods are matched case-sensitively)` : `use one of ${HTTP_METHODS.join(", ")}`;
        r.add(at, `${JSON.stringify(value)} is not an uppercase HTTP method`, fix);
        return undefined;
      }
      return value;
    },
  });
}

/**
 * A required, non-empty, duplicate-free list of strings that becomes an Istio match list (methods,
 * paths). Empty is an error, not "nothing": Istio's AuthorizationPolicy treats an empty list in a
 * rule operation as matching everything. `item` checks one entry (reporting its own problem) and
 * returns it, or undefined to drop it.
 */
export function readIstioMatchList(
  r: ConfigReader,
  raw: RawMap,
  key: string,
  field: string,
  options: { fix: string; emptyMeans: string; item: (value: unknown, at: string) => string | undefined },
): string[] {
  if (raw[key] === undefined) {
    r.add(field, "is required", options.fix);
    return [];
  }
  const values = r.list(raw, key, field, [], options.item);
  const given = raw[key];
  if (Array.isArray(given) && given.length === 0) {
    r.add(field, `must not be empty (Istio treats an empty list as ${options.emptyMeans})`, options.fix);
  }
  reportDuplicates(r, values, field);
  return values;
}

export function reportDuplicates(r: ConfigReader, values: string[], field: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) r.add(field, `lists ${JSON.stringify(value)} more than once`, "remove the duplicate");
    seen.add(value);
  }
}

const SERVICE_KEYS = ["name", "serviceAccount", "port", "pathPrefix", "methods"] as const;
const SHARED_SERVICE_FIELD_FIX = {
  serviceAccount: 'name the ServiceAccount the service runs as (its SPIFFE identity), e.g. "log-collector"',
  port: "set the service's container/Service port, e.g. 8080",
  pathPrefix: 'set the path tenants reach as <pathPrefix>/<tenant>/…, e.g. "/logs/ingest"',
  methods: 'list the HTTP methods tenants may use, e.g. ["POST"]',
} as const;

function readSharedService(r: ConfigReader, value: unknown, field: string): SharedServiceSpec | undefined {
  const raw = r.map(value, field, SERVICE_KEYS);
  if (!raw) return undefined;
  const name = r.requiredString(raw, "name", child(field, "name"), 'name the service, e.g. "log-collector"');
  if (name === undefined || !checkDnsLabel(r, name, child(field, "name"), "log-collector")) return undefined;
  // Every field is required for a listed service: no default that nobody sees decides its port, path or identity.
  for (const key of ["serviceAccount", "port", "pathPrefix", "methods"] as const) {
    if (raw[key] === undefined) r.add(child(field, key), "is required for a listed shared service", SHARED_SERVICE_FIELD_FIX[key]);
  }
  if (SERVICE_KEYS.some((k) => k !== "name" && raw[k] === undefined)) return undefined;
  const pathPrefix = r.string(raw, "pathPrefix", child(field, "pathPrefix"), "", 'set the path tenants post to, e.g. "/logs/ingest"');
  if (!pathPrefix.startsWith("/") || pathPrefix.endsWith("/") || pathPrefix.includes("*") || /\s/.test(pathPrefix)) {
    r.add(child(field, "pathPrefix"), `${JSON.stringify(pathPrefix)} must start with "/", not end with "/", and contain no "*" or spaces`, 'write a path like "/logs/ingest" (tenants reach <pathPrefix>/<tenant>/…)');
  }
  return {
    name,
    serviceAccount: readServiceAccountName(r, raw, "serviceAccount", child(field, "serviceAccount"), name),
    port: r.port(raw, "port", child(field, "port"), 8080) ?? 8080,
    pathPrefix,
    methods: readMethods(r, raw, child(field, "methods"), ["POST"]),
  };
}

export function readSharedServices(r: ConfigReader, root: RawMap): SharedServicesSpec {
  const raw = r.optionalMap(root, "sharedServices", "sharedServices", ["enabled", "namespace", "identityPropagation", "services"]);
  const enabled = r.boolean(raw, "enabled", "sharedServices.enabled", true);
  const namespace = readNamespace(r, raw, "namespace", "sharedServices.namespace", DEFAULT_SHARED_NAMESPACE);
  if (RESERVED_NAMESPACES.includes(namespace)) {
    r.add("sharedServices.namespace", `${JSON.stringify(namespace)} is a reserved system namespace`, `use a namespace of its own, e.g. "${DEFAULT_SHARED_NAMESPACE}"`);
  }
  let identityPropagation: SharedServicesSpec["identityPropagation"] = "xfcc";
  const identity = raw.identityPropagation;
  if (identity === "xfcc" || identity === "lua") identityPropagation = identity;
  else if (identity !== undefined) {
    r.add("sharedServices.identityPropagation", `must be "xfcc" or "lua", got ${JSON.stringify(identity)}`, 'use "xfcc" (the sidecar forwards the verified client identity) unless you need the Lua header filter');
  }
  const fallback = DEFAULT_SHARED_SERVICES.map((service, index) => ({ service: { ...service, methods: [...service.methods] }, index }));
  const indexed = r.list(raw, "services", "sharedServices.services", fallback, (value, at, index) => {
    const service = readSharedService(r, value, at);
    return service === undefined ? undefined : { service, index };
  });
  const firstIndex = new Map<string, number>();
  for (const { service, index } of indexed) {
    const previous = firstIndex.get(service.name);
    if (previous !== undefined) r.add(`sharedServices.services[${index}].name`, `${JSON.stringify(service.name)} is already used by sharedServices.services[${previous}]`, "give each shared service a unique name");
    else firstIndex.set(service.name, index);
  }
  const services = indexed.map(({ service }) => service);
  return { enabled, namespace, identityPropagation, services };
}
