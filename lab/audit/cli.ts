// `npm run verify -- --context NAME | --kubeconfig FILE …`: the audit of a live cluster.
//
//   verify --context NAME [--kubeconfig FILE] [--stack NAME | --config FILE] [--ablate LAYER]...
//          [--matrix | --probes FILE] [--format table|json|junit] [--dump DIR]
//          [--mesh-namespace NS] [--page-size N] [--grouping auto|on|off] [--quiet]
//
// Read-only. --stack/--config also compare the cluster with what that stack renders (drift).
import { parseAblateOption, parseGroupingOption } from "../model/cli-options";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, formatProblem } from "../../components/spec/problems";
import { loadStackSpec } from "../../components/spec/stack-config";
import type { PlatformSpec } from "../../components/spec/types";
import type { LayerId } from "../probes/types";
import { parseProbeFile, ProbeFileError } from "../model/probe-file";
import { AUDIT_EXIT, runAudit, type AuditMode } from "./audit";
import { ApiError, connect, type ClusterApi, type ConnectOptions } from "./client";
import { writeDump } from "./dump";
import { DEFAULT_PAGE_SIZE, readCluster } from "./read";
import { auditToJson, auditToJunit, formatAuditTable } from "./report";

export const AUDIT_USAGE = `Audit a live cluster (read-only):
  npm run --silent verify -- --context NAME | --kubeconfig FILE [--stack NAME | --config FILE]
      [--matrix | --probes FILE] [--ablate LAYER]... [--format table|json|junit] [--dump DIR]
      [--mesh-namespace NS] [--page-size N] [--grouping auto|on|off] [--quiet]
  Reads the kinds the model reads, runs the verdict (default), --matrix or --probes on them;
  --stack/--config also report drift from what that stack renders and whether it widens access.
  Layers the audit cannot read are reported and not credited. Progress goes to stderr (--quiet: none).
  Exit codes: 0 clean, 1 violated intents or drift that widens access, 2 input or access errors
  (bad arguments, unreachable cluster, a kind refused, a layer the platform enables not seen).
`;

/** True when argv asks for a live audit (scripts/verify.ts dispatches on it). */
export function isAuditArgv(argv: string[]): boolean {
  return argv.some((a) => a === "--context" || a === "--kubeconfig" || a.startsWith("--context=") || a.startsWith("--kubeconfig="));
}

export interface AuditIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Injected in tests; default: @kubernetes/client-node with the kubeconfig. */
  connect?: (options: ConnectOptions) => Promise<ClusterApi>;
}

class UsageError extends Error {}

interface AuditArgs {
  connect: ConnectOptions;
  spec: PlatformSpec;
  title: string;
  drift: boolean;
  mode: AuditMode;
  ablate: LayerId[];
  format: "table" | "json" | "junit";
  dump?: string;
  meshNamespace: string;
  pageSize: number;
  grouping?: boolean;
  quiet: boolean;
}

function parseAuditArgs(argv: string[]): AuditArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        context: { type: "string" },
        kubeconfig: { type: "string" },
        stack: { type: "string" },
        config: { type: "string" },
        matrix: { type: "boolean" },
        probes: { type: "string" },
        ablate: { type: "string", multiple: true },
        format: { type: "string" },
        dump: { type: "string" },
        "mesh-namespace": { type: "string" },
        "page-size": { type: "string" },
        grouping: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError("");
  const format = v.format ?? "table";
  if (format !== "table" && format !== "json" && format !== "junit") throw new UsageError(`--format ${format}: use table, json or junit`);
  const usage = (message: string): Error => new UsageError(message);
  const ablate = parseAblateOption(v.ablate, usage);
  if (v.stack !== undefined && v.config !== undefined) throw new UsageError("--stack and --config both given: choose one platform");
  if (v.matrix && v.probes !== undefined) throw new UsageError("--matrix and --probes both given: ask one question at a time");
  const pageSize = v["page-size"] === undefined ? DEFAULT_PAGE_SIZE : Number(v["page-size"]);
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new UsageError(`--page-size ${v["page-size"]}: use a positive integer`);
  const grouping = parseGroupingOption(v.grouping, usage);
  const spec = v.config !== undefined ? loadStackSpec({ file: v.config }) : loadStackSpec({ stack: v.stack ?? "lab" });
  let mode: AuditMode = { kind: "verdict" };
  if (v.matrix) mode = { kind: "matrix" };
  if (v.probes !== undefined) {
    let text: string;
    try {
      text = readFileSync(v.probes, "utf8");
    } catch (err) {
      throw new UsageError(`--probes ${v.probes}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass a JSON file holding an array of probes`);
    }
    mode = { kind: "probes", probes: parseProbeFile(text, v.probes) };
  }
  return {
    connect: { ...(v.kubeconfig !== undefined ? { kubeconfig: v.kubeconfig } : {}), ...(v.context !== undefined ? { context: v.context } : {}) },
    spec,
    title: v.config !== undefined ? v.config : `stack ${v.stack ?? "lab"}`,
    drift: v.stack !== undefined || v.config !== undefined,
    mode,
    ablate,
    format,
    ...(v.dump !== undefined ? { dump: v.dump } : {}),
    meshNamespace: v["mesh-namespace"] ?? spec.meshNamespace,
    pageSize,
    grouping,
    quiet: v.quiet ?? false,
  };
}

/** Runs the audit; returns the exit code. Throws only on internal errors. */
export async function runAuditCli(argv: string[], io: AuditIO): Promise<number> {
  let args: AuditArgs;
  try {
    args = parseAuditArgs(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`verify: invalid configuration (${err.problems.length} problem(s)):\n${err.problems.map((p) => `  ${formatProblem(p)}\n`).join("")}`);
    } else if (err instanceof UsageError || err instanceof ProbeFileError) {
      io.stderr(`${err.message ? `verify: ${err.message}\n\n` : ""}${AUDIT_USAGE}`);
    } else throw err;
    return AUDIT_EXIT.incomplete;
  }
  const progress = (line: string) => {
    if (!args.quiet) io.stderr(`${line}\n`);
  };
  let read;
  try {
    const api = await (io.connect ?? connect)(args.connect);
    progress(`audit: reading ${api.target}`);
    read = await readCluster(api, {
      meshNamespace: args.meshNamespace,
      pageSize: args.pageSize,
      // Every 10th page of a kind: a line per 5,000 objects at the default page size.
      onProgress: (id, count, pages) => (pages % 10 === 0 ? progress(`  ${id}: ${count} objects so far (${pages} pages)`) : undefined),
    });
    progress(`audit: ${read.objects.length} objects read in ${(read.readMs / 1000).toFixed(1)} s; evaluating`);
  } catch (err) {
    if (err instanceof ApiError || (err as NodeJS.ErrnoException).code !== undefined || (err as Error).message?.includes("kubeconfig")) {
      io.stderr(`verify: cannot read the cluster: ${(err as Error).message.split("\n")[0]}\n`);
      return AUDIT_EXIT.incomplete;
    }
    throw err;
  }
  if (args.dump !== undefined) {
    const files = writeDump(args.dump, read);
    progress(`audit: dump written to ${args.dump} (${files.length} files)`);
  }
  const result = runAudit(read, { spec: args.spec, title: args.title, mode: args.mode, ablate: args.ablate, grouping: args.grouping, drift: args.drift });
  io.stdout(args.format === "json" ? `${JSON.stringify(auditToJson(result))}\n` : args.format === "junit" ? auditToJunit(result) : formatAuditTable(result));
  return result.exitCode;
}
