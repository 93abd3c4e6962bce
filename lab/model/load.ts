// Reading manifests: a directory tree of .yaml/.yml/.json files, multi-document YAML and `List`
// kinds. Documents that cannot be read or are not Kubernetes objects become warnings; only a
// directory with nothing usable at all is an error.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { K8sObject } from "../../components/k8s/object";
import { refusePseudoFilesystem } from "../../components/render/input-path";

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What a typed list (`PodList`, `NetworkPolicyList`, …) says its items are when they omit it. */
interface ItemType {
  apiVersion: string;
  kind: string;
}

/**
 * The item type of a typed list: the API returns `<Kind>List` with items that carry no apiVersion
 * or kind (api-conventions "Lists and Simple kinds"), so the item kind is the list kind without
 * "List" and the item apiVersion the list's. A plain `List` (kubectl's) names nothing.
 */
function itemTypeOf(list: Record<string, unknown>): ItemType | undefined {
  const kind = list.kind as string;
  if (kind === "List" || typeof list.apiVersion !== "string") return undefined;
  return { apiVersion: list.apiVersion, kind: kind.slice(0, -"List".length) };
}

/** Accepts one value from a document: an object, a `*List` (items), or a JSON array of objects. */
function collect(value: unknown, where: string, objects: K8sObject[], warnings: string[], itemType?: ItemType): void {
  if (value === null || value === undefined) return; // empty document (e.g. a trailing `---`)
  if (Array.isArray(value)) {
    value.forEach((item, i) => collect(item, `${where}[${i}]`, objects, warnings));
    return;
  }
  if (!isRecord(value)) {
    warnings.push(`${where}: not a Kubernetes object (a ${typeof value}); skipped`);
    return;
  }
  // An item keeps what it says itself (kubectl's List mixes kinds); a typed list fills in the rest.
  const record: Record<string, unknown> = itemType ? { apiVersion: itemType.apiVersion, kind: itemType.kind, ...value } : value;
  if (typeof record.kind === "string" && record.kind.endsWith("List") && Array.isArray(record.items)) {
    const type = itemTypeOf(record);
    record.items.forEach((item, i) => collect(item, `${where} items[${i}]`, objects, warnings, type));
    return;
  }
  const metadata = record.metadata;
  if (typeof record.apiVersion !== "string" || typeof record.kind !== "string" || !isRecord(metadata) || typeof metadata.name !== "string" || metadata.name === "") {
    warnings.push(`${where}: not a Kubernetes object (needs apiVersion, kind and metadata.name); skipped`);
    return;
  }
  objects.push(record as unknown as K8sObject);
}

export function parseManifests(text: string, source: string): { objects: K8sObject[]; warnings: string[] } {
  const objects: K8sObject[] = [];
  const warnings: string[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: false });
  } catch (err) {
    return { objects, warnings: [`${source}: unreadable: ${(err as Error).message}`] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const where = list.length > 1 ? `${source} (document ${i + 1})` : source;
    if (doc.errors.length > 0) {
      warnings.push(`${where}: invalid YAML: ${doc.errors[0].message.split("\n")[0]}; skipped`);
      return;
    }
    try {
      collect(doc.toJS({ maxAliasCount: 1000 }), where, objects, warnings);
    } catch (err) {
      warnings.push(`${where}: unreadable: ${(err as Error).message}; skipped`);
    }
  });
  return { objects, warnings };
}

/** NUL bytes or invalid UTF-8: not a manifest. */
function isBinary(bytes: Buffer): boolean {
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

function manifestFiles(dir: string, warnings: string[]): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (err) {
    warnings.push(`${dir}: cannot list directory: ${(err as Error).message}`);
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    let stat;
    try {
      stat = statSync(path);
    } catch (err) {
      warnings.push(`${path}: cannot read: ${(err as Error).message}`);
      continue;
    }
    if (stat.isDirectory()) out.push(...manifestFiles(path, warnings));
    else if (MANIFEST_EXTENSIONS.includes(extname(name).toLowerCase())) out.push(path);
  }
  return out;
}

/** Reads every manifest under `dir` (recursively, in name order). Throws only if nothing usable is found. */
export function loadManifestDir(dir: string): { objects: K8sObject[]; warnings: string[] } {
  refusePseudoFilesystem("--manifests", dir, "a directory of manifests; pass a directory of .yaml/.yml/.json files");
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new Error(`--manifests ${dir}: no such directory; pass a directory of .yaml/.yml/.json manifests`);
  }
  if (!isDir) throw new Error(`--manifests ${dir}: not a directory; pass a directory of .yaml/.yml/.json manifests`);
  const objects: K8sObject[] = [];
  const warnings: string[] = [];
  for (const file of manifestFiles(dir, warnings)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      warnings.push(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; skipped`);
      continue;
    }
    // Never echo binary bytes (YAML errors quote the text they choke on).
    if (isBinary(bytes)) {
      warnings.push(`${file}: binary content (not UTF-8 text); skipped`);
      continue;
    }
    const text = bytes.toString("utf8");
    const parsed = parseManifests(text, file);
    objects.push(...parsed.objects);
    warnings.push(...parsed.warnings);
  }
  if (objects.length === 0) {
    const why = warnings.length ? `; ${warnings.length} problem(s), first: ${warnings[0]}` : "";
    throw new Error(`${dir}: no usable Kubernetes objects in any .yaml/.yml/.json file${why}`);
  }
  return { objects, warnings };
}
