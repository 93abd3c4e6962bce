// `npm run verify`: the isolation model from the command line. Pure of process state: takes argv,
// returns exit code and output, so every mode is unit-tested. scripts/verify.ts only prints.
//
//   verify [--stack NAME | --config FILE] [--ablate LAYER]... [--format table|json]
//   verify --manifests DIR --matrix [--ablate LAYER]... [--format json|table]
//   verify --manifests DIR --probes FILE [--ablate LAYER]... [--format json|table]
//   verify --manifests DIR [--stack NAME | --config FILE]      (catalogue verdict on those manifests)
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { K8sObject } from "../../components/k8s/object";
import { objectKey } from "../../components/k8s/object";
import { ConfigError, formatProblem } from "../../components/spec/problems";
import { loadStackSpec } from "../../components/spec/stack-config";
import { ENFORCEMENT_LAYERS, type PlatformSpec } from "../../components/spec/types";
import type { LayerId, Probe } from "../probes/types";
import { buildClusterModel } from "./cluster";
import { kindBuiltins } from "./kind-builtins";
import { loadManifestDir } from "./load";
import { forEachConnection } from "./matrix";
import { modelIndex } from "./model-index";
import { UnknownTenantError, VerdictBudgetError, verifyPlatform, type VerdictProgress, type VerifyOptions } from "./platform";
import { withProbeStandIns } from "./stand-ins";
import { evaluateProbes } from "./probe";
import { parseProbeFile, ProbeFileError } from "./probe-file";
import { formatProbeResultsTable, formatVerdictTable, matrixConnectionLine, type MatrixJson } from "./report";
import { ChunkedWriter, formatProgress, streamVerdictJson } from "./verdict-stream";
import type { PlatformVerdict } from "./verdict-types";

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Where a long verdict streams its report and progress (scripts/verify.ts); without it, both are collected in the result. */
export interface VerifyIo {
  stdout(chunk: string): void;
  stderr(chunk: string): void;
}

export const USAGE = `Usage:
  npm run verify [-- --stack NAME | --config FILE] [--ablate LAYER]... [--format table|json] [--grouping auto|on|off]
                 [--tenants a,b,...] [--no-ablation] [--progress]
      The probe catalogue of a platform (default: the lab stack), predicted layer by layer.
      Exit 1 if any intent is violated (or, with no layer ablated, an attack has too few layers behind it).
      --tenants verifies the pairs among those tenants only; --no-ablation skips defense in depth
      (each layer alone and removed); progress goes to stderr after 2 s (with --format json only
      given --progress).
  npm run --silent verify -- --manifests DIR --matrix [--ablate LAYER]... [--format json|table]
      Allowed L4 connections between every pair of workloads in DIR.
  npm run --silent verify -- --manifests DIR --probes FILE [--ablate LAYER]... [--format json|table]
      One result per probe of the JSON array in FILE, in order.
  npm run verify -- --manifests DIR [--stack NAME | --config FILE]
      The platform's catalogue evaluated against the manifests in DIR (e.g. a dump of a live cluster).

LAYER: ${ENFORCEMENT_LAYERS.join(", ")} (repeatable)
Exit codes: 0 ok, 1 violated intents, 2 bad arguments, configuration or input.
`;

class UsageError extends Error {}

interface VerifyArgs {
  manifests?: string;
  matrix: boolean;
  probes?: string;
  stack?: string;
  config?: string;
  ablate: LayerId[];
  format: "table" | "json";
  grouping?: boolean;
  tenants?: string[];
  defenseInDepth: boolean;
  progress: boolean;
}

function parseVerifyArgs(argv: string[]): VerifyArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        manifests: { type: "string" },
        matrix: { type: "boolean" },
        probes: { type: "string" },
        stack: { type: "string" },
        config: { type: "string" },
        ablate: { type: "string", multiple: true },
        format: { type: "string" },
        grouping: { type: "string" },
        tenants: { type: "string", multiple: true },
        "no-ablation": { type: "boolean" },
        progress: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError("");
  const format = v.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError(`--format ${format}: use "table" or "json"`);
  const ablate: LayerId[] = [];
  for (const layer of v.ablate ?? []) {
    if (!(ENFORCEMENT_LAYERS as readonly string[]).includes(layer)) throw new UsageError(`--ablate ${layer}: unknown layer; use one of ${ENFORCEMENT_LAYERS.join(", ")}`);
    ablate.push(layer as LayerId);
  }
  if (v.stack !== undefined && v.config !== undefined) throw new UsageError("--stack and --config both given: choose one platform");
  if (v.matrix && v.probes !== undefined) throw new UsageError("--matrix and --probes both given: ask one question at a time");
  if ((v.matrix || v.probes !== undefined) && v.manifests === undefined) throw new UsageError(`${v.matrix ? "--matrix" : "--probes"} needs --manifests DIR`);
  if ((v.matrix || v.probes !== undefined) && (v.stack !== undefined || v.config !== undefined)) {
    throw new UsageError("--stack/--config choose a platform's catalogue; --matrix and --probes work on --manifests alone");
  }
  if ((v.matrix || v.probes !== undefined) && (v.tenants !== undefined || v["no-ablation"])) {
    throw new UsageError("--tenants and --no-ablation narrow a platform's catalogue verdict; --matrix and --probes take none");
  }
  const tenants = v.tenants?.flatMap((list) => list.split(",")).map((t) => t.trim()).filter((t) => t.length > 0);
  if (tenants !== undefined && tenants.length === 0) throw new UsageError("--tenants: name at least one tenant, e.g. --tenants acme,globex");
  const groupingValues: Record<string, boolean | undefined> = { auto: undefined, on: true, off: false };
  if (v.grouping !== undefined && !(v.grouping in groupingValues)) throw new UsageError(`--grouping ${v.grouping}: use auto, on or off`);
  return {
    manifests: v.manifests,
    matrix: v.matrix ?? false,
    probes: v.probes,
    stack: v.stack,
    config: v.config,
    ablate,
    format,
    grouping: v.grouping === undefined ? undefined : groupingValues[v.grouping],
    ...(tenants ? { tenants } : {}),
    defenseInDepth: !v["no-ablation"],
    progress: v.progress ?? format === "table",
  };
}

class InputError extends Error {}

function loadSpec(args: VerifyArgs): { spec: PlatformSpec; title: string } {
  if (args.config !== undefined) return { spec: loadStackSpec({ file: args.config }), title: args.config };
  const stack = args.stack ?? "lab";
  return { spec: loadStackSpec({ stack }), title: `stack ${stack}` };
}

function loadManifests(dir: string): { objects: K8sObject[]; warnings: string[] } {
  try {
    return loadManifestDir(dir);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}

function warningLines(warnings: string[]): string {
  return warnings.map((w) => `warning: ${w}\n`).join("");
}

/** Streams the connection list as it is found: a big cluster's list is never held in memory. */
function runMatrix(args: VerifyArgs, dir: string, io: VerifyIo): CliResult {
  const { objects, warnings } = loadManifests(dir);
  const model = buildClusterModel(objects, { warnings: [...warnings] });
  objects.length = 0; // parsed into the model; let the documents go
  const out = new ChunkedWriter((chunk) => io.stdout(chunk));
  const workloads = modelIndex(model).workloads;
  let connections = 0;
  if (args.format === "json") {
    const refs = workloads.map((w) => ({ namespace: w.namespace, name: w.name, kind: w.kind }));
    out.add(`{"workloads":${JSON.stringify(refs)},"connections":[`);
    forEachConnection(model, { ablate: args.ablate }, (c) => out.add(`${connections++ === 0 ? "" : ","}${JSON.stringify(c)}`));
    out.add("]}\n");
  } else {
    out.add(`${workloads.length} workloads\n`);
    forEachConnection(model, { ablate: args.ablate }, (c) => {
      connections += 1;
      out.add(`${matrixConnectionLine(c as MatrixJson["connections"][number])}\n`);
    });
    out.add(`${connections} connected pairs\n`);
  }
  out.flush();
  return { exitCode: 0, stdout: "", stderr: warningLines(model.warnings) };
}

function runProbes(args: VerifyArgs, dir: string, probeFile: string): CliResult {
  const { objects, warnings } = loadManifests(dir);
  let text: string;
  try {
    text = readFileSync(probeFile, "utf8");
  } catch (err) {
    throw new InputError(`--probes ${probeFile}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass a JSON file holding an array of probes`);
  }
  const probes: Probe[] = parseProbeFile(text, probeFile);
  const model = buildClusterModel(objects, { warnings: [...warnings] });
  const results = evaluateProbes(model, probes, { ablate: args.ablate });
  const stdout = args.format === "json" ? `${JSON.stringify(results)}\n` : formatProbeResultsTable(results);
  return { exitCode: 0, stdout, stderr: warningLines(model.warnings) };
}

/** Manifests given with a catalogue: add what kind brings (DNS, istiod) unless the dump has it. */
function withKindBuiltins(spec: PlatformSpec, objects: K8sObject[]): K8sObject[] {
  const present = new Set(objects.map(objectKey));
  return [...objects, ...kindBuiltins(spec).filter((o) => !present.has(objectKey(o)))];
}

function runCatalogue(args: VerifyArgs, io: VerifyIo): CliResult {
  const { spec, title } = loadSpec(args);
  let objects: K8sObject[] | undefined;
  let loadWarnings: string[] = [];
  if (args.manifests !== undefined) {
    const loaded = loadManifests(args.manifests);
    // A dump has no probe sources or targets unless the lab's demo workloads run there.
    objects = withProbeStandIns(spec, withKindBuiltins(spec, loaded.objects));
    loadWarnings = loaded.warnings;
  }
  const options: VerifyOptions = {
    objects,
    ablate: args.ablate,
    grouping: args.grouping,
    defenseInDepth: args.defenseInDepth,
    ...(args.tenants ? { tenants: args.tenants } : {}),
    ...(args.progress ? { onProgress: (p: VerdictProgress) => io.stderr(formatProgress(p)) } : {}),
  };
  let verdict: PlatformVerdict;
  if (args.format === "json") {
    verdict = streamVerdictJson(spec, options, (chunk) => io.stdout(chunk), loadWarnings);
  } else {
    verdict = verifyPlatform(spec, { ...options, keepOutcomes: false });
    verdict.warnings.unshift(...loadWarnings);
    io.stdout(formatVerdictTable(verdict, title));
  }
  const failed = !verdict.summary.intentsMet || (args.ablate.length === 0 && !verdict.summary.defenseInDepthMet);
  return { exitCode: failed ? 1 : 0, stdout: "", stderr: "" };
}

/** Runs `verify` with these arguments (without the node/script prefix). Throws only on internal errors. */
export function runVerify(argv: string[], io?: VerifyIo): CliResult {
  if (!io) {
    // Collect everything, for tests and callers that want the whole report as a string.
    const out: string[] = [];
    const err: string[] = [];
    const result = runVerify(argv, { stdout: (c) => out.push(c), stderr: (c) => err.push(c) });
    return { exitCode: result.exitCode, stdout: out.join("") + result.stdout, stderr: err.join("") + result.stderr };
  }
  let args: VerifyArgs;
  try {
    args = parseVerifyArgs(argv);
  } catch (err) {
    const message = (err as Error).message;
    return { exitCode: 2, stdout: "", stderr: `${message ? `verify: ${message}\n\n` : ""}${USAGE}` };
  }
  try {
    if (args.matrix && args.manifests !== undefined) return runMatrix(args, args.manifests, io);
    if (args.probes !== undefined && args.manifests !== undefined) return runProbes(args, args.manifests, args.probes);
    return runCatalogue(args, io);
  } catch (err) {
    if (err instanceof VerdictBudgetError) return { exitCode: 2, stdout: "", stderr: `verify: stopped before running out of memory: ${err.message}\n` };
    if (err instanceof UnknownTenantError) return { exitCode: 2, stdout: "", stderr: `verify: ${err.message}\n` };
    if (err instanceof ConfigError) {
      return { exitCode: 2, stdout: "", stderr: `verify: invalid configuration (${err.problems.length} problem${err.problems.length === 1 ? "" : "s"}):\n${err.problems.map((p) => `  ${formatProblem(p)}\n`).join("")}` };
    }
    if (err instanceof InputError || err instanceof ProbeFileError) return { exitCode: 2, stdout: "", stderr: `verify: ${err.message}\n` };
    throw err;
  }
}
