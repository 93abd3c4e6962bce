// The data-plane part of `lab check --backend local`: the L3/4-observable catalogue
// (lab/probes/l34-catalogue.ts) run live through the same check code as on kind, one invocation per
// source pod, each pod's script run with `ip netns exec <netns> sh -c <script>` instead of
// `kubectl exec`, and every observation compared with the model evaluated without a mesh (there is
// no Istio, no Envoy on this backend). Probes that need the mesh are reported as not run, with why;
// attacks only the mesh stops are reported as such (lab/check/compare.ts). The backend supplies the
// network namespace of each source workload; everything else is the shared check.
import type { K8sObject } from "../../components/k8s/object";
import type { PlatformSpec } from "../../components/spec/types";
import { shellQuote } from "../check/curl";
import type { PodSummary } from "../check/pods";
import { platformObjectsWithStandIns, predictL34Catalogue, verifyPlatform } from "../model/platform";
import type { ExecArgvFor } from "../plan/check";
import type { LabSettings } from "../plan/settings";
import type { CataloguedProbe, LayerId } from "../probes/types";
import { runLiveCheck, type LiveCheckResult } from "../run/check";
import type { LabIO } from "../run/execute";
import { labProbeEndpoints } from "../workloads/probe-endpoints";

/** The network namespace one ready pod of `namespace/workload` runs in, or undefined when there is none. */
export type NetnsLookup = (namespace: string, workload: string) => string | undefined;

/**
 * `ip netns exec <netns> sh -c <script>` for each source. A source without a network namespace
 * gets a command that fails saying so: its probes are then reported inconclusive ("exec in … failed:
 * …"), never blocked.
 */
export function netnsExecArgv(netnsOf: NetnsLookup): ExecArgvFor {
  return (batch, script) => {
    const netns = netnsOf(batch.namespace, batch.workload);
    if (netns === undefined || netns === "") {
      const why = `no network namespace for ${batch.source}: is its pod running? (lab up --backend local creates one per pod)`;
      return ["sh", "-c", `echo ${shellQuote(why)} >&2; exit 1`];
    }
    return ["ip", "netns", "exec", netns, "sh", "-c", script];
  };
}

export interface LocalL34CheckOptions {
  spec: PlatformSpec;
  settings: LabSettings;
  /** The backend's pods as network namespaces: (namespace, workload) → netns name. */
  netnsOf: NetnsLookup;
  /** Default "check --backend local". */
  command?: string;
  /** Layers whose objects were removed for real (live ablation): the predictions remove them too. */
  ablated?: LayerId[];
  /**
   * The objects the cluster holds (the platform's, the demo workloads, the backend's add-ons such as
   * CoreDNS and the istiod stand-in, or a scenario's), predicted as given. Default: the platform's
   * objects with the lab's demo workloads and what kind brings (lab/model/kind-builtins.ts).
   */
  objects?: K8sObject[];
  /** The scenario whose objects `objects` are, named in the reports. */
  scenario?: string;
  /** Further parts not run, with why (e.g. what the backend cannot run yet). */
  notRun?: string[];
  /** The pods, when the backend knows them (default: listed through kubectl). */
  pods?: readonly PodSummary[];
  /** Why a probe's observation cannot be trusted (a process it depends on died during the run). */
  untrustworthy?: (probe: CataloguedProbe) => string | undefined;
}

/** The line every report carries for the catalogue probes that need the mesh (each is also listed as skipped). */
export function meshProbesNotRun(count: number): string {
  return `${count} catalogue probe(s) that need the mesh (mTLS identity, L7 paths, methods, headers): no mesh on this backend; each is listed as skipped, naming the L3/4 probe that sends the same packets`;
}

/** The L3/4-observable catalogue, live, against the model without a mesh; plus the control-plane checks runLiveCheck always runs. */
export async function runLocalL34Check(io: LabIO, options: LocalL34CheckOptions): Promise<LiveCheckResult> {
  const { spec, settings } = options;
  const ablate = options.ablated ?? [];
  const evaluation = { ...(options.objects ? { objects: options.objects } : { endpoints: labProbeEndpoints }), ablate };
  const { predictions, notRun } = predictL34Catalogue(spec, evaluation);
  const verdict = verifyPlatform(spec, { ...evaluation, mesh: "absent" });
  return runLiveCheck(io, {
    spec,
    settings,
    predictions,
    verdict,
    command: options.command ?? "check --backend local",
    ...(ablate.length > 0 ? { ablated: ablate } : {}),
    ...(options.scenario ? { scenario: options.scenario } : {}),
    notRun: [...(options.notRun ?? []), ...(notRun.length > 0 ? [meshProbesNotRun(notRun.length)] : [])],
    predictionStandIns: platformObjectsWithStandIns(spec, labProbeEndpoints).standIns.workloads,
    execArgvFor: netnsExecArgv(options.netnsOf),
    mesh: "absent",
    skippedProbes: notRun.map(({ probe, reason }) => ({ probe, reason })),
    ...(options.pods ? { pods: options.pods } : {}),
    ...(options.untrustworthy ? { untrustworthy: options.untrustworthy } : {}),
  });
}
