// What the audit could see. A layer is seen when every kind feeding it was read (or is not served
// while another of its kinds is) and at least one of its kinds is served; otherwise the layer is
// not seen and the verdict does not credit it (it is evaluated as removed, never as passing).
// Namespaces are the one input without which there is no verdict at all.
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import type { LayerId } from "../probes/types";
import { MESH_CONFIG_LAYERS } from "./kinds";
import type { ClusterRead } from "./read";

export interface LayerVisibility {
  layer: LayerId;
  seen: boolean;
  /** Why not seen: the kinds refused, failed or not served. */
  reasons: string[];
}

export interface Visibility {
  layers: LayerVisibility[];
  unseenLayers: LayerId[];
  /** Inputs (workloads, services) that could not be read: the verdict is built without them. */
  inputGaps: string[];
  /** A kind refused (403/401) or failed: the auditor's rights or the API server fell short. */
  accessErrors: string[];
  /** Set when no verdict is possible (namespaces unreadable). */
  fatal?: string;
}

export function visibilityOf(read: ClusterRead): Visibility {
  const accessErrors = read.kinds.filter((k) => k.status === "forbidden" || k.status === "failed").map((k) => `${k.id}: ${k.status} (${k.reason})`);
  if (read.meshConfig.status === "forbidden" || read.meshConfig.status === "failed") accessErrors.push(`ConfigMap ${read.meshConfig.source}: ${read.meshConfig.status} (${read.meshConfig.reason})`);
  const namespaces = read.kinds.find((k) => k.kind.role === "namespaces");
  const fatal = namespaces && namespaces.status !== "read" ? `cannot list namespaces (${namespaces.reason}): every layer selects by namespace labels, no verdict is possible` : undefined;
  const inputGaps = read.kinds.filter((k) => (k.kind.role === "workloads" || k.kind.role === "services") && (k.status === "forbidden" || k.status === "failed")).map((k) => `${k.id} ${k.status}: the model uses what else it read and the probes' stand-ins`);
  const layers = ENFORCEMENT_LAYERS.map((layer): LayerVisibility => {
    const feeding = read.kinds.filter((k) => k.kind.layers.includes(layer));
    const reasons = feeding.filter((k) => k.status === "forbidden" || k.status === "failed").map((k) => `${k.id} ${k.status}`);
    if (!feeding.some((k) => k.status === "read")) reasons.push(`absent: ${feeding.map((k) => k.reason ?? k.id).filter((r, i, all) => all.indexOf(r) === i).join("; ")}`);
    if (MESH_CONFIG_LAYERS.includes(layer) && (read.meshConfig.status === "forbidden" || read.meshConfig.status === "failed")) reasons.push(`mesh config ${read.meshConfig.source} ${read.meshConfig.status}`);
    return { layer, seen: reasons.length === 0, reasons };
  });
  return { layers, unseenLayers: layers.filter((l) => !l.seen).map((l) => l.layer), inputGaps, accessErrors, ...(fatal ? { fatal } : {}) };
}
