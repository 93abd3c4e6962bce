// Reading the live cluster: every audit kind, page by page (limit/continue), in the first version
// the model understands that the API server serves; then the Istio mesh ConfigMap by name. A kind
// the server refuses (403) or fails on is recorded with its reason and reading goes on: the
// caller decides what the gap means (visibility.ts). Only discovery failing stops the read.
import type { K8sObject } from "../../components/k8s/object";
import { MESH_CONFIGMAP_NAME } from "../model/mesh-config";
import { ApiError, type ClusterApi } from "./client";
import { AUDIT_KINDS, apiVersionOf, kindId, type AuditKind } from "./kinds";

/** Objects per list call: large enough for few round trips, small enough to stream big clusters. */
export const DEFAULT_PAGE_SIZE = 500;

export type ReadStatus = "read" | "not-served" | "forbidden" | "failed";

export interface KindRead {
  /** "NetworkPolicy.networking.k8s.io" */
  id: string;
  kind: AuditKind;
  /** The version listed (read/forbidden/failed), else undefined. */
  apiVersion?: string;
  status: ReadStatus;
  count: number;
  pages: number;
  /** Why it was not read (server message), or which versions were looked for. */
  reason?: string;
}

export interface MeshConfigRead {
  /** "istio-system/istio" */
  source: string;
  status: "read" | "absent" | "forbidden" | "failed";
  reason?: string;
}

export interface ClusterRead {
  target: string;
  objects: K8sObject[];
  kinds: KindRead[];
  meshConfig: MeshConfigRead;
  /** Wall time of the read, ms. */
  readMs: number;
}

export interface ReadOptions {
  /** Where istiod keeps its mesh ConfigMap (the platform's mesh namespace). */
  meshNamespace: string;
  pageSize?: number;
  /** Called after every page: kind id, objects of that kind so far, pages so far. */
  onProgress?: (id: string, count: number, pages: number) => void;
}

function statusOf(err: unknown): ReadStatus {
  return err instanceof ApiError && (err.status === 401 || err.status === 403) ? "forbidden" : err instanceof ApiError && err.status === 404 ? "not-served" : "failed";
}

async function readKind(api: ClusterApi, kind: AuditKind, served: Set<string>, options: ReadOptions, objects: K8sObject[]): Promise<KindRead> {
  const id = kindId(kind);
  const version = kind.versions.find((v) => served.has(apiVersionOf(kind.group, v)));
  if (version === undefined) {
    const wanted = kind.versions.map((v) => apiVersionOf(kind.group, v)).join(" or ");
    return { id, kind, status: "not-served", count: 0, pages: 0, reason: `${wanted} not served by the API server` };
  }
  const apiVersion = apiVersionOf(kind.group, version);
  let count = 0;
  let pages = 0;
  let token: string | undefined;
  try {
    do {
      const page = await api.listPage(kind, version, options.pageSize ?? DEFAULT_PAGE_SIZE, token);
      for (const item of page.items) objects.push(item as unknown as K8sObject);
      count += page.items.length;
      pages++;
      token = page.continue;
      options.onProgress?.(id, count, pages);
    } while (token);
  } catch (err) {
    // A list cut short would be a partial view presented as whole: drop what this kind gave.
    objects.splice(objects.length - count, count);
    return { id, kind, apiVersion, status: statusOf(err), count: 0, pages, reason: (err as Error).message };
  }
  return { id, kind, apiVersion, status: "read", count, pages };
}

/** Reads every audit kind and the mesh config. Throws ApiError only when discovery fails. */
export async function readCluster(api: ClusterApi, options: ReadOptions): Promise<ClusterRead> {
  const started = Date.now();
  const served = await api.servedGroupVersions();
  const objects: K8sObject[] = [];
  const kinds: KindRead[] = [];
  for (const kind of AUDIT_KINDS) kinds.push(await readKind(api, kind, served, options, objects));
  const source = `${options.meshNamespace}/${MESH_CONFIGMAP_NAME}`;
  let meshConfig: MeshConfigRead;
  try {
    const cm = await api.getConfigMap(options.meshNamespace, MESH_CONFIGMAP_NAME);
    if (cm) objects.push(cm as unknown as K8sObject);
    meshConfig = cm ? { source, status: "read" } : { source, status: "absent", reason: "no such ConfigMap: the model assumes the platform's mesh settings" };
  } catch (err) {
    const status = statusOf(err);
    meshConfig = { source, status: status === "forbidden" ? "forbidden" : "failed", reason: (err as Error).message };
  }
  return { target: api.target, objects, kinds, meshConfig, readMs: Date.now() - started };
}
