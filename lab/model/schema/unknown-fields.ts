// Unknown fields. A typo such as `podSelectr` or `rulez` is silently ignored by a reader that
// looks fields up by name, turning a scoped policy into a namespace-wide one. The API server
// would not: strict field validation (kubectl's default) rejects the object, and with validation
// off it drops the unknown fields (built-in kinds; pruning for CRDs). So every object the model
// reads is checked against its schema, each object with unknown fields gets one warning naming
// them, and it is evaluated as the API server would store it: without them.
//
// Schemas: core kinds from `kubernetes-models`, Istio kinds from `@kubernetes-models/istio` 3.x
// (ESM-only: loaded by preloadIstioSchemas() with a dynamic import()), Calico and the
// network-policy-api kinds from ./shapes.ts. The model packages' validators accept unknown keys
// (their schemas do not close objects), so a key is known when the validator type-checks it: each
// level of the object is probed with a value no schema type accepts (a function), and a key whose
// probe raises no error at its own path is not in the schema.
import type { K8sObject } from "../../../components/k8s/object";

import { SHAPES, type Shape } from "./shapes";

type Json = Record<string, unknown>;
type Path = (string | number)[];
/** Returns the instance paths (JSON pointers) of the validation errors of `data`. */
type PathValidator = (data: unknown) => Set<string>;

interface ModelClass {
  new (data: unknown): { validate(): void };
}

export interface FieldCheck {
  /** The objects as the API server would store them: unknown fields dropped. */
  objects: K8sObject[];
  /** One per object with unknown fields, naming them. */
  warnings: string[];
  /** Objects that had unknown fields. */
  withUnknownFields: number;
  /** Objects checked against a schema. */
  checked: number;
  /** "apiVersion Kind" of objects the model reads that no schema here covers (not checked). */
  unchecked: string[];
}

/** Kinds the isolation model reads (lab/model/cluster.ts and the layers). */
const MODEL_KINDS = new Set([
  "Namespace", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Service", "ConfigMap",
  "NetworkPolicy", "GlobalNetworkPolicy", "Tier", "ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy",
  "AuthorizationPolicy", "PeerAuthentication", "Sidecar",
]);

const ISTIO_MODELS: [string, string[], string[]][] = [
  ["security.istio.io", ["v1", "v1beta1"], ["AuthorizationPolicy", "PeerAuthentication"]],
  ["networking.istio.io", ["v1", "v1beta1", "v1alpha3"], ["Sidecar"]],
];
const istioModels = new Map<string, ModelClass>();

/** Loads the Istio models the model reads; until it has run, Istio objects are reported as not checked. */
export async function preloadIstioSchemas(): Promise<void> {
  const loads = ISTIO_MODELS.flatMap(([group, versions, kinds]) =>
    versions.flatMap((version) =>
      kinds.map(async (kind) => {
        try {
          const mod = (await import(`@kubernetes-models/istio/${group}/${version}/${kind}`)) as Record<string, unknown>;
          if (typeof mod[kind] === "function") istioModels.set(`${group}/${version} ${kind}`, mod[kind] as ModelClass);
        } catch {
          // This version of the package does not have it: such objects stay "not checked".
        }
      }),
    ),
  );
  await Promise.all(loads);
}

const coreModels = new Map<string, ModelClass | null>();

function coreModel(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion} ${kind}`;
  if (!coreModels.has(key)) {
    let found: ModelClass | null = null;
    if (/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) && /^[A-Za-z]+$/.test(kind)) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
        if (typeof mod[kind] === "function") found = mod[kind] as ModelClass;
      } catch {
        found = null;
      }
    }
    coreModels.set(key, found);
  }
  return coreModels.get(key) ?? undefined;
}

function pathValidator(Model: ModelClass): PathValidator {
  return (data) => {
    try {
      new Model(data).validate();
      return new Set();
    } catch (error) {
      const errors = (error as { errors?: { instancePath?: string }[] }).errors ?? [];
      return new Set(errors.map((e) => e.instancePath ?? ""));
    }
  };
}

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pointer(path: Path): string {
  return path.map((p) => `/${String(p).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

function at(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

/**
 * Fields the schemas type as a free-form object (any keys): probing cannot tell their keys from
 * typos, so they are not looked into. `fieldsV1` (server-side apply bookkeeping) is the one in
 * the kinds the model reads.
 */
const FREE_FORM = [/^metadata\.managedFields\[\d+\]\.fieldsV1$/, /\.template\.metadata\.managedFields\[\d+\]\.fieldsV1$/];

/** A value no JSON schema type accepts. */
const PROBE = (): void => undefined;

/** Unknown keys by probing a validator level by level (see the header). */
function unknownByValidator(o: K8sObject, validate: PathValidator): Path[] {
  const unknown: Path[] = [];
  let level: Path[] = [[]];
  while (level.length > 0) {
    const copy = JSON.parse(JSON.stringify(o)) as Json;
    for (const node of level) {
      const target = at(copy, node) as Json;
      for (const key of Object.keys(target)) target[key] = PROBE;
    }
    const flagged = validate(copy);
    const next: Path[] = [];
    for (const node of level) {
      for (const [key, value] of Object.entries(at(o, node) as Json)) {
        const path = [...node, key];
        if (!flagged.has(pointer(path))) {
          unknown.push(path);
          continue;
        }
        if (isRecord(value)) {
          if (!FREE_FORM.some((re) => re.test(dotted(path)))) next.push(path);
        }
        else if (Array.isArray(value)) value.forEach((item, i) => isRecord(item) && next.push([...path, i]));
      }
    }
    level = next;
  }
  return unknown;
}

function unknownByShape(value: unknown, shape: Shape, path: Path, out: Path[]): void {
  if (shape === "any") return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) value.forEach((item, i) => unknownByShape(item, (shape as readonly [Shape])[0], [...path, i], out));
    return;
  }
  if (!isRecord(value)) return;
  const fields = shape as Record<string, Shape>;
  for (const [key, child] of Object.entries(value)) {
    if (!(key in fields)) out.push([...path, key]);
    else unknownByShape(child, fields[key], [...path, key], out);
  }
}

function dotted(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${p}`)).join("");
}

function without(o: K8sObject, paths: Path[]): K8sObject {
  const copy = JSON.parse(JSON.stringify(o)) as K8sObject;
  // Deepest first, so removing one never shifts another.
  for (const path of [...paths].sort((a, b) => b.length - a.length)) delete (at(copy, path.slice(0, -1)) as Json)[String(path[path.length - 1])];
  return copy;
}

function describe(o: K8sObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** Checks every object; see FieldCheck. Pure apart from the model caches. */
export function checkUnknownFields(objects: K8sObject[]): FieldCheck {
  const result: FieldCheck = { objects: [], warnings: [], withUnknownFields: 0, checked: 0, unchecked: [] };
  const unchecked = new Set<string>();
  for (const o of objects) {
    const key = `${o.apiVersion} ${o.kind}`;
    const shape = SHAPES.get(key);
    const Model = shape ? undefined : istioModels.get(key) ?? coreModel(o.apiVersion, o.kind);
    let unknown: Path[];
    if (shape) {
      unknown = [];
      unknownByShape(o, shape, [], unknown);
    } else if (Model) unknown = unknownByValidator(o, pathValidator(Model));
    else {
      if (MODEL_KINDS.has(o.kind)) unchecked.add(key);
      result.objects.push(o);
      continue;
    }
    result.checked += 1;
    if (unknown.length === 0) {
      result.objects.push(o);
      continue;
    }
    result.withUnknownFields += 1;
    result.warnings.push(
      `${describe(o)}: unknown field${unknown.length === 1 ? "" : "s"} ${unknown.map(dotted).join(", ")} (not in the ${o.apiVersion} ${o.kind} schema: kubectl apply would reject the object; evaluated without ${unknown.length === 1 ? "it" : "them"}, as the API server stores it)`,
    );
    result.objects.push(without(o, unknown));
  }
  result.unchecked = [...unchecked].sort();
  return result;
}

