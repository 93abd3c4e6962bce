// `--dump DIR`: what was read, as manifests `verify --manifests DIR` reads back (one multi-document
// YAML file per kind, managedFields dropped), plus read-status.json saying what was NOT read, so an
// offline replay attached to a ticket knows the audit's gaps.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { K8sObject } from "../../components/k8s/object";
import { objectRef } from "./drift";
import type { ClusterRead } from "./read";

function fileName(kindId: string): string {
  return `${kindId.replace(/[^A-Za-z0-9.-]/g, "_")}.yaml`;
}

function withoutManagedFields(o: K8sObject): K8sObject {
  const { managedFields: _managed, ...metadata } = o.metadata as K8sObject["metadata"] & { managedFields?: unknown };
  return { ...o, metadata };
}

/** Writes the dump; returns the files written (relative to dir). */
export function writeDump(dir: string, read: ClusterRead): string[] {
  mkdirSync(dir, { recursive: true });
  const byFile = new Map<string, K8sObject[]>();
  for (const o of read.objects) {
    const file = fileName(objectRef(o).split(" ")[0]);
    const list = byFile.get(file) ?? [];
    list.push(withoutManagedFields(o));
    byFile.set(file, list);
  }
  const files: string[] = [];
  for (const [file, objects] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    writeFileSync(join(dir, file), objects.map((o) => `---\n${stringify(o)}`).join(""));
    files.push(file);
  }
  const status = {
    target: read.target,
    kinds: read.kinds.map((k) => ({ id: k.id, apiVersion: k.apiVersion, status: k.status, count: k.count, ...(k.reason ? { reason: k.reason } : {}) })),
    meshConfig: read.meshConfig,
  };
  // .json would be read back as manifests: the status file has a name the loader skips.
  writeFileSync(join(dir, "read-status.txt"), `${JSON.stringify(status, null, 2)}\n`);
  files.push("read-status.txt");
  return files;
}
