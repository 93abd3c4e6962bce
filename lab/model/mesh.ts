// The model's explicit "no mesh" mode: a cluster where no workload has a sidecar (the local
// backend runs no Istio, no Envoy). Then every client sends plaintext from its own network
// namespace, every server accepts it, nothing answers in Envoy's place (no 503, no 403 RBAC), and
// the mesh layers are not present at all: they are reported per probe as absent, with why, which
// is not the same as an ablated layer (a layer that exists and was removed on purpose).
import type { LayerId, Probe, ProbeResult } from "../probes/types";
import type { ClusterModel } from "./types";

/** Whether the cluster the model stands for runs the mesh (default) or none at all. */
export type MeshPresence = "present" | "absent";

/**
 * The enforcement layers only a mesh enforces (ENFORCEMENT_LAYERS minus the network layers). The
 * `sidecarScoping` switch is mesh-only too, but it shapes proxy config and blocks nothing, so no
 * probe has a verdict of it.
 */
export const MESH_LAYERS: readonly LayerId[] = ["peerAuthentication", "authorization"];

/** Why the mesh layers are absent, as every report states it. */
export const NO_MESH_REASON = "no mesh on this backend";

/** The same cluster with no sidecar anywhere (injection labels and istio-proxy containers ignored). */
export function meshFreeModel(model: ClusterModel): ClusterModel {
  return { ...model, workloads: model.workloads.map((w) => (w.sidecar ? { ...w, sidecar: false } : w)) };
}

/** The probe as a cluster without a mesh sends it: from its own pod, without an Envoy (sidecar and bypass clients alike). */
export function sidecarFreeProbe<P extends Probe>(probe: P): P {
  return probe.client === "no-sidecar" ? probe : { ...probe, client: "no-sidecar" };
}

/** The result with the mesh layers reported absent (their verdict stays "not-applicable"). */
export function withMeshAbsent(result: ProbeResult, reason: string = NO_MESH_REASON): ProbeResult {
  const absentLayers: Partial<Record<LayerId, string>> = { ...result.absentLayers };
  for (const layer of MESH_LAYERS) absentLayers[layer] = reason;
  return { ...result, absentLayers };
}
