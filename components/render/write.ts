// Write rendered objects to a directory: one file per namespace (cluster-scoped objects in
// `cluster.yaml`) or one file per kind. Files keep the objects' given (dependency) order.
import { mkdirSync, writeFileSync } from "node:fs";
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

/** Writes every file (creating `outDir`), returns what was written. */
export function writeRendered(objects: K8sObject[], outDir: string, options: RenderOptions = {}): RenderedFile[] {
  const files = planRendered(objects, options);
  mkdirSync(outDir, { recursive: true });
  for (const f of files) writeFileSync(join(outDir, f.file), f.yaml, "utf8");
  return files;
}
