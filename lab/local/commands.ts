// `lab up|check|ablate|scenario|down --backend local` (and their --dry-run plans). The same check
// code as on kind runs the catalogue; without the dataplane the data-plane probes are reported as
// not run, with why.
import { join } from "node:path";
import { loadStackSpec } from "../../components/spec/stack-config";
import type { PlatformSpec } from "../../components/spec/types";
import { parseLayer } from "../plan/ablate";
import { locateTools } from "../tools/build";
import { podTable } from "./dataplane/dataplane";
import { localAblate, localScenario } from "./dataplane/live-changes";
import { runDataplaneCheck } from "./dataplane/live-check";
import { netnsExists } from "./dataplane/node";
import { NODE_NETNS } from "./dataplane/topology";
import { EXIT_CODES } from "../check/compare";
import { committedStackConfigPath, specFileFor } from "../plan/config-copy";
import { formatPlan } from "../plan/format";
import type { LabSettings } from "../plan/settings";
import type { LabCommand, Plan } from "../plan/types";
import { runLiveCheck } from "../run/check";
import { StepFailed, type LabIO } from "../run/execute";
import { localDown, localUp, type LocalUpOptions } from "./backend";
import { applyArgv, phaseYaml, planDeploy } from "./deploy";
import { LOCAL_CONTEXT, localPaths } from "./paths";

/** What the local backend does not check without its dataplane: said in every report format. */
export const LOCAL_NOT_RUN = [
  "data-plane probes (pod-to-pod, Service, DNS, API and istiod reachability, mTLS, L7): the dataplane is not running (lab up --backend local --dataplane off, or this host cannot run it: it needs root, ip netns, iptables-nft and ipset), so no packet is enforced or observed here",
];

export function localBackendSettings(repoRoot: string): Partial<LabSettings> {
  const paths = localPaths(`${repoRoot.replace(/\/$/, "")}/.lab`);
  return { backend: "local", context: LOCAL_CONTEXT, contextExplicit: true, kubeconfig: paths.kubeconfig };
}

export function planLocal(command: LabCommand, settings: LabSettings): Plan {
  const paths = localPaths(settings.labDir);
  if (command === "down") {
    return {
      command,
      steps: [],
      notes: [
        `stop every pod process, calico-felix and kube-proxy; delete netns ${NODE_NETNS} and every ht-pod-* namespace, the uplink veth (and its route) and /etc/netns/ht-*`,
        `stop etcd, kube-apiserver and kube-controller-manager by the pids in ${paths.pids}`,
        `remove ${paths.root}, ${settings.stateDir} and the working stack config copies`,
      ],
    };
  }
  if (command === "check") {
    return {
      command,
      steps: [],
      notes: [
        "with the dataplane and sidecars running: the whole catalogue from each source pod as its container's user (ip netns exec + setpriv), judged against the model with every layer present, observed = predicted the gate",
        "with the dataplane but no sidecars (--mesh off, or the mesh tools are not built): the L3/4-observable catalogue from each tenant's debug pod, judged against the model without a mesh; the probes that need the mesh are listed as not run",
        "the control-plane part of `lab check` against the local API server (can-i, dry runs, tenant-admin attempts, token mounts)",
        ...LOCAL_NOT_RUN.map((part) => `without the dataplane, not run: ${part}`),
      ],
    };
  }
  const spec = loadStackSpec({ file: committedStackConfigPath(settings) });
  const plan = planDeploy(spec);
  return {
    command,
    steps: plan.phases.map((phase) => ({ argv: applyArgv(settings.context), stdin: phaseYaml(phase), waitsFor: `${phase.name}: ${phase.objects.length} object(s)` })),
    notes: [
      "npm run tools: build etcd, kube-apiserver, kube-controller-manager and kubectl from their Go modules (cached outside the repository)",
      `start etcd, kube-apiserver, kube-controller-manager under ${paths.root}; kubeconfig ${paths.kubeconfig} (context ${LOCAL_CONTEXT})`,
      "install the CRDs extracted from the pinned upstream modules; create the Node object",
      "write the working stack config with the API server's real address and port",
      ...plan.skipped.map((s) => `skip ${s.object}: ${s.reason}`),
      "wait until each Deployment's pods are admitted (or refused) and every ResourceQuota has a status",
      "run the control-plane check (as `lab check --backend local`) and print its table",
    ],
  };
}

/** The dataplane's tools, when `lab up` started it (its node namespace and pods exist). */
async function runningDataplane(settings: LabSettings): Promise<{ kubectl: string; calicoctl: string; coredns: string } | undefined> {
  if (!netnsExists(NODE_NETNS) || podTable(localPaths(settings.labDir)).length === 0) return undefined;
  const { layout } = await locateTools(settings.repoRoot);
  return { kubectl: join(layout.bin, "kubectl"), calicoctl: join(layout.bin, "calicoctl"), coredns: join(layout.bin, "coredns") };
}

export async function runLocalCommand(io: LabIO, command: LabCommand, settings: LabSettings, dryRun: boolean, options: LocalUpOptions = {}, argument?: string): Promise<number> {
  if (dryRun) {
    io.log(formatPlan(planLocal(command, settings)));
    return EXIT_CODES.pass;
  }
  try {
    switch (command) {
      case "down":
        return await localDown(io, settings);
      case "up": {
        const up = await localUp(io, settings, options);
        const refused = up.admission.filter((a) => a.refusal !== undefined || a.created < a.wanted);
        io.log(`\nlocal lab is up: ${up.controlPlane.state.apiServer.url}, kubeconfig ${settings.kubeconfig} (context ${settings.context})`);
        io.log(`  ${up.engine ? `${up.applied} resources in the Pulumi state (pulumi up ${up.engine.upSeconds.toFixed(0)} s)` : `${up.applied} objects applied, ${up.skipped.length} skipped`}; ${up.admission.length - refused.length}/${up.admission.length} Deployments had their pods admitted`);
        if ("pods" in up.dataplane) io.log(`  dataplane: ${up.dataplane.pods.length} pods as network namespaces, Felix and kube-proxy in netns ${NODE_NETNS}`);
        else io.log(`  no dataplane (${up.dataplane.notRun}): pods are admitted and stored, not started`);
        if (up.policyWarnings.length > 0) io.log(`  ${up.policyWarnings.length} admission-policy type-check warning(s): see above`);
        if (refused.length > 0 || up.policyWarnings.length > 0 || up.policiesUnchecked.length > 0) return EXIT_CODES.commandFailed;
        // The control-plane check right away: what the stack just deployed must hold against its tenants.
        io.log("\ncheck (the same as `lab check --backend local`):");
        return await localCheck(io, settings, up.spec, "up --backend local");
      }
      case "check":
        return await localCheck(io, settings, loadStackSpec({ file: specFileFor("check", settings) }), "check --backend local");
      case "ablate":
      case "scenario": {
        const spec = loadStackSpec({ file: specFileFor("check", settings) });
        const tools = await runningDataplane(settings);
        if (!tools) throw new Error(`lab ${command} --backend local changes what the dataplane enforces, and no dataplane is running: run \`npm run lab -- --backend local\` as root first`);
        const context = { spec, settings, tools };
        io.log(`${command} ${argument ?? ""} (live, on the local dataplane):`);
        const result = command === "ablate" ? await localAblate(io, context, parseLayer(argument)) : await localScenario(io, context, argument ?? "");
        return result.exitCode;
      }
      default:
        throw new Error(`lab ${String(command)} is not available on the local backend`);
    }
  } catch (error) {
    io.log(`lab ${command} --backend local: ${(error as Error).message}`);
    return error instanceof StepFailed ? EXIT_CODES.commandFailed : EXIT_CODES.usage;
  }
}

/** The L3/4 catalogue live when the dataplane runs (plus the control-plane checks), else the control-plane checks alone. */
async function localCheck(io: LabIO, settings: LabSettings, spec: PlatformSpec, command: string): Promise<number> {
  const tools = await runningDataplane(settings);
  if (tools) return (await runDataplaneCheck(io, { spec, settings, corednsBinary: tools.coredns, command })).exitCode;
  return (await runLiveCheck(io, { spec, settings, predictions: [], command, notRun: LOCAL_NOT_RUN })).exitCode;
}

