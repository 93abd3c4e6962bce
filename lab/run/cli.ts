// `lab up|check|ablate <layer>|scenario <name>|down [--dry-run] [--context NAME] [--max-time S] [--batch-size N] [--stack NAME]`.
// Parses argv, loads the lab spec, and either prints the plan (--dry-run: nothing runs, not even
// the preflight) or runs the command. Returns the process exit code.
import { loadStackSpec } from "../../components/spec/stack-config";
import type { PlatformSpec } from "../../components/spec/types";
import { EXIT_CODES } from "../check/compare";
import { platformObjects } from "../model/platform";
import { parseLayer, planAblate } from "../plan/ablate";
import { planCheck } from "../plan/check";
import { specFileFor } from "../plan/config-copy";
import { planDown } from "../plan/down";
import { formatPlan } from "../plan/format";
import { planScenario } from "../plan/scenario";
import { labSettings, LAB_BACKENDS, LAB_CONTEXT, LAB_STACK, type LabBackend, type LabSettings } from "../plan/settings";
import { LOCAL_CONTEXT } from "../local/paths";
import type { LabCommand, Plan } from "../plan/types";
import { planUp } from "../plan/up";
import { buildProbeCatalogue } from "../probes/catalogue";
import { findScenario, SCENARIOS } from "../scenarios";
import { ENFORCEMENT_LAYERS } from "../../components/spec/types";
import { DEFAULT_MAX_TIME_SECONDS } from "../check/curl";
import { DEFAULT_BATCH_SIZE } from "../check/script";
import { pulumiAutomation } from "./automation";
import { labAblate, labCheck, labDown, labScenario, labUp } from "./commands";
import { StepFailed, type LabIO } from "./execute";
import { zxRunner } from "./runner";
import { localBackendSettings, runLocalCommand } from "../local/commands";
import { toolsLayoutFor } from "../tools/cache";
import { delimiter } from "node:path";
import { labProbeEndpoints } from "../workloads/probe-endpoints";

export const USAGE = `usage: lab <up|check|ablate LAYER|scenario NAME|down> [--backend kind|local] [--dry-run] [--context NAME] [--max-time SECONDS] [--batch-size N] [--stack NAME]
commands:
  up               preflight, the kind cluster (created once, then reused), the stack deployed with Pulumi, every rollout awaited
  check            run the probe catalogue live from every tenant's client, debug and bypass pods; compare with the model
  ablate LAYER     deploy with LAYER switched off, check, then restore (LAYER: ${ENFORCEMENT_LAYERS.join(", ")})
  scenario NAME    apply a misconfiguration scenario, check, then restore (NAME: ${SCENARIOS.map((s) => s.name).join(", ")})
  down             delete the kind cluster and the lab's local state under .lab/
options:
  --backend B      kind (default): a kind cluster in Docker; local: etcd, kube-apiserver, kube-controller-manager and
                   the dataplane (Calico Felix, kube-proxy, CoreDNS; pods as network namespaces, no containers)
                   built from their Go modules (npm run tools) and run as processes under .lab/local/, with a
                   private kubeconfig (context ${LOCAL_CONTEXT}); ablate/scenario change the layers live (the mesh
                   layers when the pods run sidecars)
  --dataplane off  with --backend local, up starts the control plane only (default auto: the dataplane runs when
                   this host can: root, ip netns, iptables-nft, ipset)
  --mesh M         with --backend local and the dataplane: sidecars (default when npm run tools -- --group mesh
                   has built istiod, pilot-agent and Envoy) gives every meshed pod a real sidecar (traffic redirected
                   by istio-iptables) and the check judges the whole catalogue, every layer, against the model;
                   off: no sidecars, the check judges the L3/4 probes against the model without a mesh
  --engine pulumi  with --backend local, up deploys with a real \`pulumi up\` (CLI and Kubernetes provider built by
                   npm run tools -- --group pulumi) instead of server-side applying the rendered objects
  --dry-run        print every kind/kubectl/pulumi/docker invocation in order, with what it waits for; run nothing
  --context NAME   act on this kube context (default: only ${LAB_CONTEXT}, and only when it is the current context);
                   with lab up it means "use this cluster": no kind cluster is created, docker and kind are not needed;
                   not with --backend local
  --max-time S     curl --max-time of each live probe, in whole seconds (default ${DEFAULT_MAX_TIME_SECONDS})
  --batch-size N   probes per kubectl exec into one source pod (default ${DEFAULT_BATCH_SIZE})
  --stack NAME     the stack file stacks/Pulumi.<NAME>.yaml and the Pulumi stack name (default ${LAB_STACK})
  --help, -h       this text
exit codes: 0 pass, 1 an attack got through, 2 usage, 3 inconclusive (a positive control failed or an answer was unclear), 4 unsafe kube context, 5 a step failed, 10-14 preflight (a missing tool)`;

export interface LabArgs {
  command: LabCommand;
  argument?: string;
  dryRun: boolean;
  context?: string;
  maxTimeSeconds?: number;
  batchSize?: number;
  stack: string;
  backend: LabBackend;
  /** --engine: how `up --backend local` deploys (lab/local/backend.ts LocalUpOptions). */
  engine?: "apply" | "pulumi";
  /** --dataplane: whether `up --backend local` runs the dataplane (default auto). */
  dataplane?: "auto" | "off";
  /** --mesh: whether `up --backend local` gives meshed pods a real sidecar (default: when the mesh tools are built). */
  mesh?: "off" | "sidecars";
}

const COMMANDS: readonly LabCommand[] = ["up", "check", "ablate", "scenario", "down"];

/** `--help` anywhere on the command line. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 1) throw new Error(`${flag}: ${JSON.stringify(value)} is not a positive whole number; e.g. ${flag} 5`);
  return n;
}

export function parseLabArgs(argv: readonly string[]): LabArgs {
  const positional: string[] = [];
  const args: Partial<LabArgs> = { dryRun: false, stack: LAB_STACK, backend: "kind" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)] : [argv[i], undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === "--dry-run") args.dryRun = true;
    else if (flag === "--context") args.context = value();
    else if (flag === "--max-time") args.maxTimeSeconds = positiveInt(flag, value());
    else if (flag === "--batch-size") args.batchSize = positiveInt(flag, value());
    else if (flag === "--stack") args.stack = value();
    else if (flag === "--mesh") {
      const mesh = value();
      if (mesh !== "off" && mesh !== "sidecars") throw new Error(`--mesh: ${JSON.stringify(mesh)}; use sidecars or off\n${USAGE}`);
      args.mesh = mesh;
    } else if (flag === "--dataplane") {
      const dataplane = value();
      if (dataplane !== "auto" && dataplane !== "off") throw new Error(`--dataplane: ${JSON.stringify(dataplane)}; use auto or off\n${USAGE}`);
      args.dataplane = dataplane;
    }
    else if (flag === "--engine") {
      const engine = value();
      if (engine !== "pulumi" && engine !== "apply") throw new Error(`--engine: ${JSON.stringify(engine)}; use pulumi or apply\n${USAGE}`);
      args.engine = engine;
    } else if (flag === "--backend") {
      const backend = value();
      if (!LAB_BACKENDS.includes(backend as LabBackend)) throw new Error(`--backend: ${JSON.stringify(backend)}; use one of ${LAB_BACKENDS.join(", ")}\n${USAGE}`);
      args.backend = backend as LabBackend;
    }
    else if (flag.startsWith("-")) throw new Error(`unknown option ${flag}\n${USAGE}`);
    else positional.push(flag);
  }
  const [command, argument, extra] = positional;
  if (!COMMANDS.includes(command as LabCommand)) throw new Error(`command: ${command === undefined ? "missing" : JSON.stringify(command)}; use one of ${COMMANDS.join(", ")}\n${USAGE}`);
  if ((command === "ablate" || command === "scenario") && !argument) throw new Error(`lab ${command} needs a ${command === "ablate" ? "LAYER" : "NAME"}\n${USAGE}`);
  if (extra !== undefined || (argument !== undefined && command !== "ablate" && command !== "scenario")) throw new Error(`unexpected argument ${JSON.stringify(extra ?? argument)}\n${USAGE}`);
  if (args.context !== undefined && args.context.trim() === "") throw new Error("--context: the value is empty; pass a context name from `kubectl config get-contexts`");
  if (!args.stack) throw new Error("--stack: missing value; e.g. --stack lab");
  if (args.dataplane !== undefined && args.backend !== "local") throw new Error(`--dataplane: only with --backend local (kind always runs Calico's own dataplane)`);
  if (args.mesh !== undefined && args.backend !== "local") throw new Error(`--mesh: only with --backend local (kind runs Istio's own injection)`);
  if (args.engine !== undefined && args.backend !== "local") throw new Error(`--engine: only with --backend local (the kind lab always deploys with pulumi up)`);
  if (args.backend === "local" && args.context !== undefined) throw new Error(`--context: the local backend always uses its own private kubeconfig (context ${LOCAL_CONTEXT}); drop --context or use --backend kind`);
  return { ...args, command: command as LabCommand, argument } as LabArgs;
}

export function settingsFor(args: LabArgs, repoRoot: string): LabSettings {
  const local = args.backend === "local" ? localBackendSettings(repoRoot) : {};
  return labSettings(repoRoot, {
    ...local,
    stack: args.stack,
    ...(args.context !== undefined ? { context: args.context, contextExplicit: true } : {}),
    ...(args.maxTimeSeconds !== undefined ? { maxTimeSeconds: args.maxTimeSeconds } : {}),
    ...(args.batchSize !== undefined ? { batchSize: args.batchSize } : {}),
  });
}

const DRY_RUN_NONCE = "dryrunnonce0";

export { specFileFor };

/** The plan a command would follow, with placeholders for what only the cluster can tell. */
export function dryRunPlan(args: LabArgs, spec: PlatformSpec, settings: LabSettings): Plan {
  const check = (): ReturnType<typeof planCheck> => planCheck({ spec, settings, catalogue: buildProbeCatalogue(spec), nonce: DRY_RUN_NONCE });
  switch (args.command) {
    case "up":
      return planUp(spec, settings);
    case "check":
      return check();
    case "ablate":
      return planAblate(settings, parseLayer(args.argument), check());
    case "scenario": {
      const scenario = findScenario(args.argument ?? "");
      const change = scenario.apply(platformObjects(spec, labProbeEndpoints), spec);
      return planScenario(settings, { name: scenario.name, added: change.added, removed: change.removed }, check());
    }
    case "down":
      return planDown(settings);
  }
}

/** The runner's environment: for the local backend, its kubeconfig and the built tools first on PATH. */
export function runnerEnv(settings: LabSettings): NodeJS.ProcessEnv {
  if (settings.backend !== "local") return process.env;
  return { ...process.env, KUBECONFIG: settings.kubeconfig, PATH: `${toolsLayoutFor(settings.repoRoot).bin}${delimiter}${process.env.PATH ?? ""}` };
}

export function defaultIO(env: NodeJS.ProcessEnv = process.env): LabIO {
  return {
    run: zxRunner(env),
    automation: pulumiAutomation(),
    log: (line) => console.log(line),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
  };
}

export async function main(argv: readonly string[], repoRoot: string, givenIo?: LabIO): Promise<number> {
  if (wantsHelp(argv)) {
    (givenIo ?? defaultIO()).log(USAGE);
    return EXIT_CODES.pass;
  }
  let args: LabArgs;
  let io = givenIo ?? defaultIO();
  try {
    args = parseLabArgs(argv);
  } catch (error) {
    io.log((error as Error).message);
    return EXIT_CODES.usage;
  }
  try {
    const settings = settingsFor(args, repoRoot);
    if (settings.backend === "local") {
      io = givenIo ?? defaultIO(runnerEnv(settings));
      return await runLocalCommand(io, args.command, settings, args.dryRun, { engine: args.engine, dataplane: args.dataplane, mesh: args.mesh }, args.argument);
    }
    if (args.command === "down") {
      // down needs no spec: it must work even when the stack config is broken.
      return args.dryRun ? (io.log(formatPlan(planDown(settings))), EXIT_CODES.pass) : await labDown(io, settings);
    }
    const spec = loadStackSpec({ file: specFileFor(args.command, settings) });
    if (args.command === "ablate") parseLayer(args.argument);
    if (args.command === "scenario") findScenario(args.argument ?? "");
    if (args.dryRun) {
      io.log(formatPlan(dryRunPlan(args, spec, settings)));
      return EXIT_CODES.pass;
    }
    switch (args.command) {
      case "up":
        return await labUp(io, spec, settings);
      case "check":
        return await labCheck(io, spec, settings);
      case "ablate":
        return await labAblate(io, spec, settings, parseLayer(args.argument));
      case "scenario":
        return await labScenario(io, spec, settings, args.argument ?? "");
    }
  } catch (error) {
    io.log(`lab ${args.command}: ${(error as Error).message}`);
    return error instanceof StepFailed ? EXIT_CODES.commandFailed : EXIT_CODES.usage;
  }
}
