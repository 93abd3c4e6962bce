// Objects → YAML documents with a stable key order: apiVersion, kind, metadata (name, namespace,
// labels and annotations sorted), then the body as the builder wrote it (builders are deterministic).
import { stringify } from "yaml";
import type { K8sObject } from "../k8s/object";

function sortedRecord(record: Record<string, string> | undefined): Record<string, string> | undefined {
  if (record === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}

/** A copy whose keys serialise in the canonical order. */
export function canonicalObject(o: K8sObject): Record<string, unknown> {
  const { apiVersion, kind, metadata, ...body } = o;
  const { name, namespace, labels, annotations, ...otherMeta } = metadata;
  const meta: Record<string, unknown> = { name };
  if (namespace !== undefined) meta.namespace = namespace;
  if (labels !== undefined) meta.labels = sortedRecord(labels);
  if (annotations !== undefined) meta.annotations = sortedRecord(annotations);
  return { apiVersion, kind, metadata: { ...meta, ...otherMeta }, ...body };
}

/** One YAML document (no leading `---`), ending with a newline. */
export function renderDocument(o: K8sObject): string {
  // lineWidth 0: never fold long strings (selectors, Lua code) across lines.
  return stringify(canonicalObject(o), { lineWidth: 0, minContentWidth: 0 });
}

/** A multi-document YAML stream: every document starts with `---`. */
export function renderYaml(objects: K8sObject[]): string {
  return objects.map((o) => `---\n${renderDocument(o)}`).join("");
}
