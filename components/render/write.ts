// Write rendered objects to a directory: one file per namespace (cluster-scoped objects in
// `cluster.yaml`) or one file per kind. Files keep the objects' given (dependency) order.
//
// The directory is owned through an index (RENDER_INDEX): a re-render removes the files an earlier
// render wrote and this one no longer produces (a GitOps apply of the directory would otherwise
// resurrect a removed tenant), and refuses to touch a directory holding files it did not write
// unless forced (then it writes its own files and leaves the others alone).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { K8sObject } from "../k8s/object";
import { renderYaml } from "./yaml";

export type RenderSplit = "kind" | "namespace";
export const RENDER_SPLITS: readonly RenderSplit[] = ["namespace", "kind"];
export const CLUSTER_SCOPED_FILE = "cluster.yaml";

export interface RenderOptions {
  /** Default "namespace". */
  split?: RenderSplit;
}

/** The file in the output directory listing the files a render wrote. */
export const RENDER_INDEX = ".hard-tenancy-render.json";

/** The directory cannot be written as asked; the message names the problem and the fix. */
export class RenderOutError extends Error {}

export interface WriteOptions extends RenderOptions {
  /** Write even when the directory holds files no render wrote (they are left as they are). */
  force?: boolean;
  /** Called after each file is written (progress of big renders). */
  onFile?: (written: number, total: number) => void;
}

export interface WriteResult {
  files: RenderedFile[];
  /** Files an earlier render wrote that this one no longer produces: removed. */
  removed: string[];
  /** Files no render wrote, left in place (only with force). */
  foreign: string[];
}

function ownedFiles(outDir: string): string[] {
  const path = join(outDir, RENDER_INDEX);
  if (!existsSync(path)) return [];
  try {
    const index = JSON.parse(readFileSync(path, "utf8")) as { files?: unknown };
    if (Array.isArray(index.files) && index.files.every((f) => typeof f === "string" && !f.includes("/") && f !== RENDER_INDEX)) return index.files as string[];
  } catch {
    // fall through
  }
  throw new RenderOutError(`--out ${outDir}: ${RENDER_INDEX} is not a render index (expected {"files": [...]}); remove it or choose another directory`);
}

export interface RenderedFile {
  /** File name inside the output directory. */
  file: string;
  objects: K8sObject[];
  yaml: string;
}

function fileFor(o: K8sObject, split: RenderSplit): string {
  if (split === "kind") return `${o.kind.toLowerCase()}.yaml`;
  return o.metadata.namespace === undefined ? CLUSTER_SCOPED_FILE : `${o.metadata.namespace}.yaml`;
}

/** Pure: which file each object goes to, and the YAML of each file, in first-appearance order. */
export function planRendered(objects: K8sObject[], options: RenderOptions = {}): RenderedFile[] {
  const split = options.split ?? "namespace";
  if (!RENDER_SPLITS.includes(split)) throw new Error(`split: "${String(split)}" is not supported — use "namespace" or "kind"`);
  if (split === "namespace" && objects.some((o) => o.metadata.namespace === "cluster")) {
    throw new Error(`split: a namespace named "cluster" would collide with ${CLUSTER_SCOPED_FILE} — use --split kind`);
  }
  const groups = new Map<string, K8sObject[]>();
  for (const o of objects) {
    const file = fileFor(o, split);
    const group = groups.get(file);
    if (group) group.push(o);
    else groups.set(file, [o]);
  }
  return [...groups].map(([file, group]) => ({ file, objects: group, yaml: renderYaml(group) }));
}

/** Writes every file (creating `outDir`), removes stale files of earlier renders, updates the index. */
export function writeRendered(objects: K8sObject[], outDir: string, options: WriteOptions = {}): WriteResult {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new RenderOutError(`--out ${outDir}: is a file, not a directory; pass a directory (it is created if missing)`);
  const files = planRendered(objects, options);
  const owned = ownedFiles(outDir);
  const present = existsSync(outDir) ? readdirSync(outDir).filter((name) => name !== RENDER_INDEX) : [];
  const foreign = present.filter((name) => !owned.includes(name)).sort();
  if (foreign.length > 0 && !options.force) {
    const some = foreign.slice(0, 5).join(", ") + (foreign.length > 5 ? `, … (${foreign.length} in all)` : "");
    throw new RenderOutError(`--out ${outDir}: holds ${foreign.length} file(s) no render wrote (${some}); choose an empty directory, remove them, or pass --force to write anyway (they are kept)`);
  }
  mkdirSync(outDir, { recursive: true });
  files.forEach((f, i) => {
    writeFileSync(join(outDir, f.file), f.yaml, "utf8");
    options.onFile?.(i + 1, files.length);
  });
  const produced = new Set(files.map((f) => f.file));
  const removed = owned.filter((name) => !produced.has(name) && present.includes(name)).sort();
  for (const name of removed) rmSync(join(outDir, name), { force: true });
  writeFileSync(join(outDir, RENDER_INDEX), `${JSON.stringify({ generator: "hard-tenancy render", files: [...produced].sort() }, null, 2)}\n`, "utf8");
  return { files, removed, foreign: options.force ? foreign.filter((name) => !produced.has(name)) : [] };
}
