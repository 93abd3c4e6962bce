// Validate plain objects against upstream schemas:
// - core Kubernetes kinds: `kubernetes-models` (CommonJS, one module per kind);
// - Istio kinds: `@kubernetes-models/istio` 3.x (ESM-only: loaded with a dynamic import());
// - Calico and ClusterNetworkPolicy: no model package exists, so ./structural.ts checks them
//   against the upstream field lists.
// Plus metadata every kind shares: DNS-1123 names and valid label keys/values.
import type { K8sObject } from "../../components/k8s/object";
import { objectKey } from "../../components/k8s/object";
import { checkCalicoGlobalNetworkPolicy, checkCalicoTier, checkClusterNetworkPolicy } from "./structural";

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

const modelCache = new Map<string, Promise<ModelClass | undefined>>();

function groupAndVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? ["", apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const [group, version] = groupAndVersion(apiVersion);
  if (group.endsWith(".istio.io")) {
    const mod = (await import(`@kubernetes-models/istio/${group}/${version}/${kind}`)) as Record<string, unknown>;
    return mod[kind] as ModelClass | undefined;
  }
  const path = group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as Record<string, unknown>;
  return mod[kind] as ModelClass | undefined;
}

function cachedModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  let found = modelCache.get(key);
  if (!found) {
    found = loadModel(apiVersion, kind).catch(() => undefined);
    modelCache.set(key, found);
  }
  return found;
}

function checkLabels(labels: Record<string, string> | undefined, report: (path: string, message: string) => void): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const slash = key.lastIndexOf("/");
    const prefix = slash < 0 ? "" : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (prefix && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) report(`metadata.labels[${key}]`, "label prefix must be a DNS subdomain");
    if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) report(`metadata.labels[${key}]`, "label name must be 1-63 alphanumerics, '-', '_' or '.'");
    if (typeof value !== "string" || value.length > 63 || !LABEL_NAME.test(value)) report(`metadata.labels[${key}]`, `invalid label value ${JSON.stringify(value)}`);
  }
}

function checkMetadata(o: K8sObject, report: (path: string, message: string) => void): void {
  const name = o.metadata?.name;
  if (typeof name !== "string" || name.length === 0 || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    report("metadata.name", `must be a DNS-1123 subdomain, got ${JSON.stringify(name)}`);
  }
  if (o.kind === "Namespace" && name.length > 63) report("metadata.name", "a Namespace name is a DNS-1123 label (at most 63 characters)");
  if (o.metadata?.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata.namespace)) {
    report("metadata.namespace", `must be a DNS-1123 label, got ${JSON.stringify(o.metadata.namespace)}`);
  }
  checkLabels(o.metadata?.labels, report);
}

async function validateOne(o: K8sObject): Promise<string[]> {
  const errors: string[] = [];
  const where = `${o.apiVersion} ${objectKey(o)}`;
  const report = (path: string, message: string) => errors.push(`${where}: ${path}: ${message}`);
  checkMetadata(o, report);
  const spec = (o as { spec?: unknown }).spec;
  if (o.apiVersion === "projectcalico.org/v3" && o.kind === "Tier") checkCalicoTier(spec, report);
  else if (o.apiVersion === "projectcalico.org/v3" && o.kind === "GlobalNetworkPolicy") checkCalicoGlobalNetworkPolicy(o.metadata.name, spec, report);
  else if (o.apiVersion === "policy.networking.k8s.io/v1alpha2" && o.kind === "ClusterNetworkPolicy") checkClusterNetworkPolicy(spec, report);
  else {
    const Model = await cachedModel(o.apiVersion, o.kind);
    if (!Model) {
      report("apiVersion/kind", "no upstream schema known for this kind");
    } else {
      try {
        new Model(o).validate();
      } catch (error) {
        report("schema", error instanceof Error ? error.message : String(error));
      }
    }
  }
  return errors;
}

/** Every problem found, one line each ("<apiVersion> <kind/ns/name>: <path>: <message>"); empty = valid. */
export async function validateAgainstUpstreamSchemas(objects: K8sObject[]): Promise<string[]> {
  const results = await Promise.all(objects.map(validateOne));
  return results.flat();
}
