// The mesh config of a dumped cluster: istiod reads it from the ConfigMap `istio` (or
// `istio-<revision>` for a revisioned control plane) in its own namespace, key `mesh`, a YAML
// MeshConfig (istio/istio manifests/charts/istio-control/istio-discovery/templates/configmap.yaml).
// The model needs three of its fields: `rootNamespace` (where mesh-wide policies live; Istio's
// default is the control plane's namespace, which is where this ConfigMap lives), `trustDomain`
// (default cluster.local) and `pathNormalization.normalization` (default BASE).
import { parse } from "yaml";
import type { K8sObject } from "../../components/k8s/object";
import { ISTIO_DEFAULT_PATH_NORMALIZATION, isPathNormalization, PATH_NORMALIZATIONS, type PathNormalization } from "./layers/authz/path-normalization";

export const MESH_CONFIGMAP_NAME = "istio";
export const MESH_CONFIGMAP_KEY = "mesh";

export interface MeshSettings {
  /** "namespace/name" of the ConfigMap read. */
  source: string;
  rootNamespace: string;
  trustDomain: string;
  pathNormalization: PathNormalization;
  /** `connectTimeout` (Envoy's upstream connect timeout), in seconds, when the mesh config sets one. */
  connectTimeoutSeconds?: number;
}

/** A protobuf Duration as MeshConfig YAML writes it ("10s", "1.5s", "500ms", "1m"), in seconds; undefined when unreadable. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * scale;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function isMeshConfigMap(o: K8sObject): boolean {
  if (o.kind !== "ConfigMap" || o.apiVersion !== "v1") return false;
  const name = o.metadata.name;
  return (name === MESH_CONFIGMAP_NAME || name.startsWith(`${MESH_CONFIGMAP_NAME}-`)) && typeof record(o.data)?.[MESH_CONFIGMAP_KEY] === "string";
}

/**
 * The mesh settings of the objects' Istio ConfigMap, or undefined when there is none. With several
 * (revisions), the default revision's `istio` wins, else the first; `inNamespace` limits the search
 * (e.g. to a known root namespace). Unparseable YAML and unknown values are warnings, never errors.
 */
export function readMeshSettings(objects: K8sObject[], warnings: string[], inNamespace?: string): MeshSettings | undefined {
  const candidates = objects.filter((o) => isMeshConfigMap(o) && (inNamespace === undefined || (o.metadata.namespace ?? "default") === inNamespace));
  if (candidates.length === 0) return undefined;
  const chosen = candidates.find((o) => o.metadata.name === MESH_CONFIGMAP_NAME) ?? candidates[0];
  const namespace = chosen.metadata.namespace ?? "default";
  const source = `${namespace}/${chosen.metadata.name}`;
  if (candidates.length > 1) {
    warnings.push(`several Istio mesh ConfigMaps (${candidates.map((o) => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`).join(", ")}); the model reads ${source} only`);
  }
  const defaults: MeshSettings = { source, rootNamespace: namespace, trustDomain: "cluster.local", pathNormalization: ISTIO_DEFAULT_PATH_NORMALIZATION };
  let mesh: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = parse(String(record(chosen.data)?.[MESH_CONFIGMAP_KEY]));
    mesh = parsed === null || parsed === undefined ? {} : record(parsed);
    if (!mesh) throw new Error("not a YAML mapping");
  } catch (err) {
    warnings.push(`ConfigMap ${source}: data.${MESH_CONFIGMAP_KEY} is not a readable MeshConfig (${(err as Error).message.split("\n")[0]}); assuming Istio's defaults (root namespace ${namespace}, trust domain cluster.local, path normalization BASE)`);
    return defaults;
  }
  const text = (field: string): string | undefined => {
    const value = mesh[field];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value === "string") return value;
    warnings.push(`ConfigMap ${source}: mesh.${field} is not a string; using Istio's default`);
    return undefined;
  };
  const normalization = record(mesh.pathNormalization)?.normalization;
  let pathNormalization = defaults.pathNormalization;
  // "DEFAULT" is Istio's alias of BASE.
  if (normalization === "DEFAULT") pathNormalization = "BASE";
  else if (isPathNormalization(normalization)) pathNormalization = normalization;
  else if (normalization !== undefined && normalization !== null) {
    warnings.push(`ConfigMap ${source}: mesh.pathNormalization.normalization ${JSON.stringify(normalization)} is not one of ${PATH_NORMALIZATIONS.join(", ")}; assuming BASE`);
  }
  const connectTimeoutSeconds = durationSeconds(mesh.connectTimeout);
  if (mesh.connectTimeout !== undefined && mesh.connectTimeout !== null && connectTimeoutSeconds === undefined) {
    warnings.push(`ConfigMap ${source}: mesh.connectTimeout ${JSON.stringify(mesh.connectTimeout)} is not a duration such as "10s"; assuming Istio's default (10s)`);
  }
  return {
    source,
    rootNamespace: text("rootNamespace") ?? defaults.rootNamespace,
    trustDomain: text("trustDomain") ?? defaults.trustDomain,
    pathNormalization,
    ...(connectTimeoutSeconds !== undefined ? { connectTimeoutSeconds } : {}),
  };
}
