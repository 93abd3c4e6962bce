// Drift: the live objects against what the stack renders, for the kinds the audit reads. Missing
// (rendered, not live), changed (field-level, diff.ts) and extra (live, not rendered) objects.
// Extras are looked for where the platform is in charge: cluster-scoped policy kinds, policy kinds
// in the namespaces the stack creates, and workloads/Services in tenant namespaces (top-level
// objects only: Pods and ReplicaSets their controllers create are not extras).
import type { K8sObject } from "../../components/k8s/object";
import type { PlatformSpec } from "../../components/spec/types";
import { fieldChanges, type FieldChange } from "./diff";
import { AUDIT_KINDS, kindId, type AuditKind } from "./kinds";
import type { KindRead } from "./read";

export type DriftType = "missing" | "changed" | "extra";

export interface DriftItem {
  type: DriftType;
  /** "NetworkPolicy.networking.k8s.io tenant-acme/default-deny" */
  ref: string;
  kindId: string;
  namespace?: string;
  name: string;
  /** changed only. */
  changes?: FieldChange[];
  /** The rendered object (missing, changed) and the live one (changed, extra). */
  desired?: K8sObject;
  live?: K8sObject;
}

export interface DriftReport {
  items: DriftItem[];
  /** Kinds compared (read from the cluster). */
  compared: string[];
  /** Rendered objects not compared, by kind, with the reason (kind not read, or not one the audit reads). */
  notCompared: { kindId: string; objects: number; reason: string }[];
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
}

function auditKindOf(o: K8sObject): AuditKind | undefined {
  const group = groupOf(o.apiVersion);
  return AUDIT_KINDS.find((k) => k.kind === o.kind && k.group === group);
}

/** Group-qualified key: the Kubernetes and the Calico NetworkPolicy share a kind name. */
export function driftKey(o: K8sObject): string {
  return `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

export function objectRef(o: K8sObject): string {
  const id = kindId({ kind: o.kind, group: groupOf(o.apiVersion) });
  return `${id} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

function hasController(o: K8sObject): boolean {
  const refs = (o.metadata as { ownerReferences?: { controller?: boolean }[] }).ownerReferences ?? [];
  return refs.some((r) => r.controller === true);
}

function item(type: DriftType, o: K8sObject, extra: Partial<DriftItem>): DriftItem {
  return { type, ref: objectRef(o), kindId: kindId({ kind: o.kind, group: groupOf(o.apiVersion) }), ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name, ...extra };
}

export function computeDrift(spec: PlatformSpec, desired: K8sObject[], live: K8sObject[], reads: KindRead[]): DriftReport {
  const readIds = new Set(reads.filter((r) => r.status === "read").map((r) => r.id));
  const notCompared = new Map<string, { objects: number; reason: string }>();
  const liveByKey = new Map(live.map((o) => [driftKey(o), o]));
  const desiredKeys = new Set<string>();
  const items: DriftItem[] = [];
  for (const d of desired) {
    const kind = auditKindOf(d);
    const id = kindId({ kind: d.kind, group: groupOf(d.apiVersion) });
    if (!kind || !readIds.has(id)) {
      const read = reads.find((r) => r.id === id);
      const reason = !kind ? "not a kind the isolation model reads (not read from the cluster)" : `not read: ${read?.status ?? "unknown"}${read?.reason ? ` (${read.reason})` : ""}`;
      const entry = notCompared.get(id) ?? { objects: 0, reason };
      entry.objects++;
      notCompared.set(id, entry);
      continue;
    }
    desiredKeys.add(driftKey(d));
    const l = liveByKey.get(driftKey(d));
    if (!l) {
      items.push(item("missing", d, { desired: d }));
      continue;
    }
    const changes = fieldChanges(d as unknown as Record<string, unknown>, l as unknown as Record<string, unknown>);
    if (changes.length > 0) items.push(item("changed", d, { changes, desired: d, live: l }));
  }
  const platformNamespaces = new Set(desired.filter((o) => o.kind === "Namespace" && o.apiVersion === "v1").map((o) => o.metadata.name));
  const tenantNamespaces = new Set(spec.tenants.map((t) => t.namespace));
  for (const l of live) {
    if (desiredKeys.has(driftKey(l))) continue;
    const kind = auditKindOf(l);
    if (!kind || kind.role === "namespaces" || hasController(l)) continue;
    const ns = l.metadata.namespace;
    const inScope = kind.role === "layer" ? !kind.namespaced || (ns !== undefined && platformNamespaces.has(ns)) : ns !== undefined && tenantNamespaces.has(ns);
    if (inScope) items.push(item("extra", l, { live: l }));
  }
  const order: Record<DriftType, number> = { missing: 0, changed: 1, extra: 2 };
  items.sort((a, b) => order[a.type] - order[b.type] || a.ref.localeCompare(b.ref));
  return {
    items,
    compared: [...readIds].sort(),
    notCompared: [...notCompared].map(([kindId, v]) => ({ kindId, ...v })).sort((a, b) => a.kindId.localeCompare(b.kindId)),
  };
}

/**
 * The rendered objects of the kinds that were read: what the live objects can be compared with
 * (the model of both then lacks the same kinds, as if those layers were ablated on both sides).
 */
export function readableObjects(desired: K8sObject[], reads: KindRead[]): K8sObject[] {
  const readIds = new Set(reads.filter((r) => r.status === "read").map((r) => r.id));
  return desired.filter((d) => {
    const kind = auditKindOf(d);
    return kind !== undefined && readIds.has(kindId(kind));
  });
}

/** The live objects with one drift item undone (missing put back, changed restored, extra removed). */
export function undo(objects: K8sObject[], items: DriftItem[]): K8sObject[] {
  const drop = new Set(items.filter((i) => i.live).map((i) => driftKey(i.live!)));
  const kept = objects.filter((o) => !drop.has(driftKey(o)));
  return [...kept, ...items.filter((i) => i.type !== "extra" && i.desired).map((i) => i.desired!)];
}
