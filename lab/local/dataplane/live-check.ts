// `lab check --backend local` with the dataplane: the catalogue run from the pods' network
// namespaces (lab/local/check.ts) — the whole of it when the meshed pods run real sidecars, else
// its L3/4 part — against the model of exactly what this cluster holds — the platform's objects,
// the demo workloads, and this backend's own add-ons (CoreDNS, istiod or its stand-in, Calico's
// default tiers), never kind's — with every probe whose answer may have come from a dead process
// marked inconclusive.
import type { K8sObject } from "../../../components/k8s/object";
import { renderableObjects } from "../../../components/render";
import type { PlatformSpec } from "../../../components/spec/types";
import { withProbeStandIns } from "../../model/stand-ins";
import type { LabSettings } from "../../plan/settings";
import type { CataloguedProbe, LayerId } from "../../probes/types";
import type { LiveCheckResult } from "../../run/check";
import type { LabIO } from "../../run/execute";
import { labProbeEndpoints } from "../../workloads/probe-endpoints";
import { runLocalCheck, type SandboxLookup } from "../check";
import type { MeshBinaries } from "../mesh/host-mesh";
import { sidecarAccessLogs } from "../mesh/access-log";
import { builtMeshBinaries } from "../mesh/tools";
import { localPaths } from "../paths";
import { localNodeAddons, podTable } from "./dataplane";
import { calicoBootstrapObjects } from "./felix";
import { dataplaneHealth, inconclusiveBecause, type DataplaneHealth } from "./health";
import type { PodRecord } from "./kubelet";

/** What the local cluster holds, as the model should see it. */
export function localClusterObjects(spec: PlatformSpec, corednsBinary: string, platformObjects?: K8sObject[], mesh?: MeshBinaries): K8sObject[] {
  const base = platformObjects ?? renderableObjects(spec, (s) => labProbeEndpoints.deployed(s));
  const { objects } = withProbeStandIns(spec, base, labProbeEndpoints);
  const tiers = calicoBootstrapObjects(spec.cluster.podCidr).filter((o) => o.kind === "Tier") as unknown as K8sObject[];
  return [...objects, ...localNodeAddons(spec, corednsBinary, mesh), ...tiers];
}

/** A Deployment's pod is named <deployment>-<replicaset hash>-<5 characters>. */
export function sandboxLookup(records: readonly PodRecord[]): SandboxLookup {
  return (namespace, workload) => {
    const pattern = new RegExp(`^${workload.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]+-[a-z0-9]{5}$`);
    const record = records.find((r) => r.namespace === namespace && pattern.test(r.name));
    return record ? { netns: record.netns, ...(record.users ? { users: record.users } : {}) } : undefined;
  };
}

/** Whether `lab up` gave the meshed pods real sidecars (`--mesh sidecars`): some pod runs an istio-proxy process. */
export function runsSidecars(records: readonly PodRecord[]): boolean {
  return records.some((r) => r.daemons.some((d) => d.endsWith("_istio-proxy")));
}

function namespaceOf(ref: string): string {
  return ref.split("/")[0];
}

export function probeNamespaces(probe: CataloguedProbe): string[] {
  const to = probe.to;
  return [namespaceOf(probe.from), ...("service" in to ? [namespaceOf(to.service)] : "workload" in to ? [namespaceOf(to.workload)] : [])];
}

export interface DataplaneCheckOptions {
  spec: PlatformSpec;
  settings: LabSettings;
  corednsBinary: string;
  command: string;
  ablated?: LayerId[];
  /** A scenario's objects (default: what the stack deploys). */
  platformObjects?: K8sObject[];
  scenario?: string;
}

export async function runDataplaneCheck(io: LabIO, options: DataplaneCheckOptions): Promise<LiveCheckResult> {
  const paths = localPaths(options.settings.labDir);
  const records = podTable(paths);
  // `up` ran the real istiod when the mesh tools were built (else the stand-in): the same here.
  const mesh = (await builtMeshBinaries(options.settings.repoRoot)).binaries;
  let health: DataplaneHealth | undefined;
  return runLocalCheck(io, {
    spec: options.spec,
    settings: options.settings,
    sandboxOf: sandboxLookup(records),
    mesh: runsSidecars(records) ? "sidecars" : "absent",
    envoyAccessLog: (requests) => sidecarAccessLogs(records, paths.logs, requests),
    command: options.command,
    objects: localClusterObjects(options.spec, options.corednsBinary, options.platformObjects, mesh),
    ...(options.ablated ? { ablated: options.ablated } : {}),
    ...(options.scenario ? { scenario: options.scenario } : {}),
    // Read once, after every probe ran: who died during the run.
    untrustworthy: (probe) => inconclusiveBecause((health ??= dataplaneHealth(paths)), probeNamespaces(probe)),
  });
}
