// `npm run verify`: the isolation model from the command line. Pure of process state: takes argv,
// returns exit code and output, so every mode is unit-tested. scripts/verify.ts only prints.
//
//   verify [--stack NAME | --config FILE] [--ablate LAYER]... [--format table|json|html] [--out FILE]
//   verify --manifests DIR --matrix [--ablate LAYER]... [--format json|table]
//   verify --manifests DIR --probes FILE [--ablate LAYER]... [--format json|table]
//   verify --manifests DIR [--stack NAME | --config FILE]      (catalogue verdict on those manifests)
import { parseAblateOption, parseGroupingOption } from "./cli-options";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { K8sObject } from "../../components/k8s/object";
import { objectKey } from "../../components/k8s/object";
import { renderableObjects } from "../../components/render/cli";
import { refusePseudoFilesystem } from "../../components/render/input-path";
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
import { missingLayers } from "./configured-layers";
import { checkUnknownFields, type FieldCheck } from "./schema/unknown-fields";
import { withProbeStandIns, type ProbeEndpoints } from "./stand-ins";
import { evaluateProbes, ProbeInputError } from "./probe";
import { parseProbeFile, ProbeFileError } from "./probe-file";
import type { PlatformVerdict } from "./verdict-types";
import { formatProbeResultsTable, formatVerdictTable, matrixConnectionLine, verdictPasses, type MatrixJson } from "./report";
import { ChunkedWriter, formatProgress, streamVerdictJson } from "./verdict-stream";

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Files to write (--out): the caller writes them, so runVerify stays free of side effects. */
  files?: { path: string; content: string }[];
}

/** Where a long verdict streams its report and progress (scripts/verify.ts); without it, both are collected in the result. */
export interface VerifyIo {
  stdout(chunk: string): void;
  stderr(chunk: string): void;
}

export const USAGE = `Usage:
  npm run verify [-- --stack NAME | --config FILE] [--ablate LAYER]... [--format table|json|html] [--out FILE] [--grouping auto|on|off]
                 [--tenants a,b,...] [--no-ablation] [--progress]
      The probe catalogue of a platform (default: the lab stack), predicted layer by layer.
      --tenants verifies the pairs among those tenants only; --no-ablation skips defense in depth
      (each layer alone and removed); progress goes to stderr after 2 s (with --format json only
      given --progress).
      --format html: one self-contained page (heatmap, each layer alone, drill-down); needs --out FILE.
      Exit 1 if any intent is violated (or, with no layer ablated, an attack has too few layers behind it).
  npm run --silent verify -- --manifests DIR --matrix [--ablate LAYER]... [--format json|table]
      Allowed L4 connections between every pair of workloads in DIR.
  npm run --silent verify -- --manifests DIR --probes FILE [--ablate LAYER]... [--format json|table]
      One result per probe of the JSON array in FILE, in order.
  npm run verify -- --manifests DIR [--stack NAME | --config FILE]
      The platform's catalogue evaluated against the manifests in DIR (e.g. a dump of a live cluster).
      With --stack/--config named, tenants whose objects are what that stack renders are grouped
      by their spec and deviating ones evaluated apart where their changes reach (as the audit does).

Options:
  --stack NAME       the platform of stacks/Pulumi.<NAME>.yaml (default: lab)
  --config FILE      the platform of any stack config file in the same format
  --manifests DIR    read .yaml/.yml/.json manifests under DIR (recursive; Lists and typed lists such as PodList)
  --matrix           with --manifests: the allowed L4 connections between every pair of workloads
  --probes FILE      with --manifests: evaluate the probes of FILE (a JSON array: id, from, to, protocol, method, path, headers, client)
  --ablate LAYER     evaluate as if LAYER's objects did not exist (repeatable)
  --format FORMAT    table (default), json, or html (one self-contained page; needs --out FILE)
  --out FILE         write the output to FILE instead of stdout
  --grouping MODE    auto (default: group interchangeable tenants above 24 tenants), on or off
  --tenants a,b      verify only these tenants: their controls and the pairs among them (repeatable)
  --no-ablation      skip defense in depth (each attack is evaluated with every layer on only)
  --progress         progress lines on stderr also with --format json
  --strict           with --manifests: exit 2 when an object has fields its schema does not know (a typo such as
                     podSelectr); without it each such object gets one warning and is evaluated without them
  --help, -h         this text
LAYER: ${ENFORCEMENT_LAYERS.join(", ")} (repeatable)
Probe sources and targets the manifests lack are added as stand-ins (the lab's demo workloads); every
output says which, and counts their probes apart from those on real workloads.
Exit codes: 0 ok, 1 violated intents or a configured layer missing from the manifests, 2 bad arguments, configuration or input.
`;

class HelpRequested extends Error {}

class UsageError extends Error {}

interface VerifyArgs {
  manifests?: string;
  matrix: boolean;
  probes?: string;
  stack?: string;
  config?: string;
  ablate: LayerId[];
  format: "table" | "json" | "html";
  out?: string;
  grouping?: boolean;
  strict: boolean;
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
        out: { type: "string" },
        grouping: { type: "string" },
        strict: { type: "boolean" },
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
  if (v.help) throw new HelpRequested();
  const format = v.format ?? "table";
  if (format !== "table" && format !== "json" && format !== "html") throw new UsageError(`--format ${format}: use "table", "json" or "html"`);
  if (format === "html" && (v.matrix || v.probes !== undefined)) throw new UsageError("--format html draws a platform's verdict; --matrix and --probes print table or json");
  // npm prints its own lines on stdout (unless --silent), which would corrupt a page sent there.
  if (format === "html" && v.out === undefined) throw new UsageError("--format html needs --out FILE, e.g. --out report.html");
  const usage = (message: string): Error => new UsageError(message);
  const ablate = parseAblateOption(v.ablate, usage);
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
  const grouping = parseGroupingOption(v.grouping, usage);
  return {
    manifests: v.manifests,
    matrix: v.matrix ?? false,
    probes: v.probes,
    stack: v.stack,
    config: v.config,
    ablate,
    format,
    out: v.out,
    grouping,
    strict: v.strict ?? false,
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

/**
 * Reads DIR and checks every object against its schema (schema/unknown-fields.ts): objects come
 * back as the API server would store them; --strict makes an unknown field an input error.
 */
function loadManifests(dir: string, strict: boolean): { objects: K8sObject[]; warnings: string[]; fields: FieldCheck } {
  let loaded;
  try {
    loaded = loadManifestDir(dir);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
  const fields = checkUnknownFields(loaded.objects);
  if (strict && fields.withUnknownFields > 0) {
    throw new InputError(`--strict: ${fields.withUnknownFields} object(s) in ${dir} have fields their schema does not know; fix them (or drop --strict to evaluate them without those fields):\n${fields.warnings.map((w) => `  ${w}`).join("\n")}`);
  }
  return { objects: fields.objects, warnings: [...loaded.warnings, ...fields.warnings, ...schemaNotes(fields)], fields };
}

/** What the schema check did not cover, as warnings (the unknown fields themselves are warned per object). */
function schemaNotes(fields: FieldCheck): string[] {
  return fields.unchecked.length > 0 ? [`not checked against a schema (none available here): ${fields.unchecked.join(", ")}`] : [];
}

/** The verdict's line on the schema check. */
export function schemaSummary(fields: FieldCheck): string {
  const unknown = fields.withUnknownFields > 0 ? `${fields.withUnknownFields} with unknown fields, evaluated without them as the API server stores them` : "none with unknown fields";
  return `Schema: ${fields.checked} object(s) checked against their schemas, ${unknown}${fields.unchecked.length > 0 ? `; not checked: ${fields.unchecked.join(", ")}` : ""}`;
}

function warningLines(warnings: string[]): string {
  return warnings.map((w) => `warning: ${w}\n`).join("");
}

/** Streams the connection list as it is found: a big cluster's list is never held in memory. */
function runMatrix(args: VerifyArgs, dir: string, io: VerifyIo): CliResult {
  const { objects, warnings } = loadManifests(dir, args.strict);
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
  const { objects, warnings } = loadManifests(dir, args.strict);
  let text: string;
  try {
    text = readFileSync(probeFile, "utf8");
    // Never echo binary bytes: JSON.parse's message quotes the text it choked on.
    if (text.includes("\u0000") || text.includes("\uFFFD")) throw new InputError(`--probes ${probeFile}: binary content, not JSON text; pass a JSON file holding an array of probes`);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`--probes ${probeFile}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass a JSON file holding an array of probes`);
  }
  const probes: Probe[] = parseProbeFile(text, probeFile);
  const model = buildClusterModel(objects, { warnings: [...warnings] });
  const unknown = unknownProbeEndpoints(model, probes);
  if (unknown.length > 0) throw new InputError(`--probes ${probeFile}: probes name what ${dir} does not hold (${unknown.length} problem(s)):\n${unknown.map((u) => `  ${u}`).join("\n")}`);
  const results = evaluateProbes(model, probes, { ablate: args.ablate });
  const stdout = args.format === "json" ? `${JSON.stringify(results)}\n` : formatProbeResultsTable(results);
  return { exitCode: 0, stdout, stderr: warningLines(model.warnings) };
}

function refusePseudoFilesystems(args: VerifyArgs): void {
  try {
    if (args.config !== undefined) refusePseudoFilesystem("--config", args.config, "a stack config file; pass a Pulumi.<stack>.yaml file");
    if (args.probes !== undefined) refusePseudoFilesystem("--probes", args.probes, "a probe file; pass a JSON file holding an array of probes");
    if (args.manifests !== undefined) refusePseudoFilesystem("--manifests", args.manifests, "a directory of manifests; pass a directory of .yaml/.yml/.json files");
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}

/** Probe sources and named targets that are not in the model: input errors, not predictions. */
function unknownProbeEndpoints(model: ReturnType<typeof buildClusterModel>, probes: Probe[]): string[] {
  const workloads = new Set(model.workloads.map((w) => `${w.namespace}/${w.name}`));
  const services = new Set(model.services.map((s) => `${s.namespace}/${s.name}`));
  const some = (set: Set<string>): string => [...set].slice(0, 5).join(", ") + (set.size > 5 ? ", …" : "");
  const problems: string[] = [];
  probes.forEach((p, i) => {
    if (!workloads.has(p.from)) problems.push(`probes[${i}] (${p.id}).from: no workload ${p.from}; workloads: ${some(workloads) || "none"}`);
    if ("workload" in p.to && !workloads.has(p.to.workload)) problems.push(`probes[${i}] (${p.id}).to.workload: no workload ${p.to.workload}; workloads: ${some(workloads) || "none"}`);
    if ("service" in p.to && !services.has(p.to.service)) problems.push(`probes[${i}] (${p.id}).to.service: no Service ${p.to.service}; Services: ${some(services) || "none"}`);
  });
  return problems;
}

/** Manifests given with a catalogue: add what kind brings (DNS, istiod) unless the dump has it. */
export function withKindBuiltins(spec: PlatformSpec, objects: K8sObject[]): K8sObject[] {
  const present = new Set(objects.map(objectKey));
  return [...objects, ...kindBuiltins(spec).filter((o) => !present.has(objectKey(o)))];
}

/** What the stack renders, with the stand-ins and built-ins the manifests get, of the kinds the manifests hold. */
function intendedFor(spec: PlatformSpec, manifests: K8sObject[], endpoints: ProbeEndpoints): K8sObject[] {
  const kinds = new Set(manifests.map((o) => `${o.apiVersion}/${o.kind}`));
  const rendered = renderableObjects(spec, (s) => endpoints.deployed(s)).filter((o) => kinds.has(`${o.apiVersion}/${o.kind}`));
  return withProbeStandIns(spec, withKindBuiltins(spec, rendered), endpoints).objects;
}

/** Renders a verdict as the HTML report (lab/report/html); passed in so the model depends on no report code. */
export type HtmlRenderer = (input: { verdict: PlatformVerdict; title: string; generatedAt: string }) => string;

/**
 * What the entry point passes in: the probe endpoints (the lab's demo workloads), the HTML
 * renderer, and where to stream the report and progress (without `io`, both are collected in the
 * result).
 */
export interface VerifyContext {
  endpoints?: ProbeEndpoints;
  renderHtml?: HtmlRenderer;
  io?: VerifyIo;
}

function runCatalogue(args: VerifyArgs, { endpoints, renderHtml }: VerifyContext, io: VerifyIo): CliResult {
  const { spec, title } = loadSpec(args);
  if (!endpoints) throw new InputError("the probe catalogue needs its probe endpoints (the lab's demo workloads); run it through scripts/verify.ts");
  if (args.format === "html" && !renderHtml) throw new InputError("--format html: this entry point has no HTML renderer; run it through scripts/verify.ts");
  let given: Pick<VerifyOptions, "objects" | "standIns"> = {};
  let loadWarnings: string[] = [];
  let decorate: ((verdict: PlatformVerdict) => void) | undefined;
  let intended: K8sObject[] | undefined;
  if (args.manifests !== undefined) {
    const loaded = loadManifests(args.manifests, args.strict);
    // A dump has no probe sources or targets unless the lab's demo workloads run there.
    given = withProbeStandIns(spec, withKindBuiltins(spec, loaded.objects), endpoints);
    // With a stack named, tenants whose objects are what it renders are grouped by their spec
    // (conformance.ts), as the live audit does; compared on the kinds the manifests hold.
    if (args.stack !== undefined || args.config !== undefined) intended = intendedFor(spec, loaded.objects, endpoints);
    loadWarnings = loaded.warnings;
    decorate = (verdict) => {
      verdict.missingLayers = missingLayers(spec, loaded.objects);
      verdict.schema = schemaSummary(loaded.fields);
    };
  }
  const options: VerifyOptions = {
    ...(given.objects ? given : { endpoints }),
    ...(intended ? { intended } : {}),
    ablate: args.ablate,
    grouping: args.grouping,
    defenseInDepth: args.defenseInDepth,
    ...(args.tenants ? { tenants: args.tenants } : {}),
    ...(args.progress ? { onProgress: (p: VerdictProgress) => io.stderr(formatProgress(p)) } : {}),
  };
  let verdict: PlatformVerdict;
  if (args.format === "json") {
    verdict = streamVerdictJson(spec, options, (chunk) => io.stdout(chunk), loadWarnings, decorate);
  } else {
    // The table needs only the failing outcomes; the HTML page lists every probe.
    verdict = verifyPlatform(spec, { ...options, keepOutcomes: args.format === "html" });
    decorate?.(verdict);
    verdict.warnings = [...new Set([...loadWarnings, ...verdict.warnings])];
    io.stdout(args.format === "html" && renderHtml ? renderHtml({ verdict, title, generatedAt: new Date().toISOString() }) : formatVerdictTable(verdict, title));
  }
  return { exitCode: verdictPasses(verdict) ? 0 : 1, stdout: "", stderr: "" };
}

function runMode(args: VerifyArgs, context: VerifyContext, io: VerifyIo): CliResult {
  if (args.matrix && args.manifests !== undefined) return runMatrix(args, args.manifests, io);
  if (args.probes !== undefined && args.manifests !== undefined) return runProbes(args, args.manifests, args.probes);
  return runCatalogue(args, context, io);
}

/**
 * Runs `verify` with these arguments (without the node/script prefix). `context.endpoints`: the
 * probe catalogue's sources and targets (scripts/verify.ts passes the lab's demo workloads);
 * `context.io`: stream the report there (with --out the report is collected and returned as a file
 * to write instead). Throws only on internal errors.
 */
export function runVerify(argv: string[], context: VerifyContext = {}): CliResult {
  const outFile = optionValue(argv, "--out");
  if (context.io && outFile === undefined) return runStreaming(argv, context, context.io);
  // Collect the report: for tests, callers that want it as a string, and --out FILE.
  const out: string[] = [];
  const err: string[] = [];
  const result = runStreaming(argv, context, { stdout: (c) => out.push(c), stderr: (c) => (context.io ? context.io.stderr(c) : err.push(c)) });
  const stdout = out.join("") + result.stdout;
  const stderr = err.join("") + result.stderr;
  if (outFile === undefined || result.exitCode === 2) return { exitCode: result.exitCode, stdout, stderr };
  const kB = (Buffer.byteLength(stdout) / 1024).toFixed(1);
  return { exitCode: result.exitCode, stdout: `verify: wrote ${outFile} (${kB} kB, ${optionValue(argv, "--format") ?? "table"})\n`, stderr, files: [{ path: outFile, content: stdout }] };
}

/** The value of `--name VALUE` or `--name=VALUE` in argv (the parser validates it). */
function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
  }
  return undefined;
}

function runStreaming(argv: string[], context: VerifyContext, io: VerifyIo): CliResult {
  let args: VerifyArgs;
  try {
    args = parseVerifyArgs(argv);
  } catch (err) {
    if (err instanceof HelpRequested) return { exitCode: 0, stdout: USAGE, stderr: "" };
    const message = (err as Error).message;
    return { exitCode: 2, stdout: "", stderr: `${message ? `verify: ${message}\n\n` : ""}${USAGE}` };
  }
  try {
    refusePseudoFilesystems(args);
    return runMode(args, context, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      return { exitCode: 2, stdout: "", stderr: `verify: invalid configuration (${err.problems.length} problem${err.problems.length === 1 ? "" : "s"}):\n${err.problems.map((p) => `  ${formatProblem(p)}\n`).join("")}` };
    }
    if (err instanceof InputError || err instanceof ProbeFileError || err instanceof ProbeInputError) return { exitCode: 2, stdout: "", stderr: `verify: ${err.message}\n` };
    if (err instanceof VerdictBudgetError) return { exitCode: 2, stdout: "", stderr: `verify: stopped before running out of memory: ${err.message}\n` };
    if (err instanceof UnknownTenantError) return { exitCode: 2, stdout: "", stderr: `verify: ${err.message}\n` };
    throw err;
  }
}
