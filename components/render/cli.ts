// `npm run render -- [--stack NAME | --config FILE] [--out DIR] [--split namespace|kind]`
// Logic lives here (testable); scripts/render.ts only wires process argv/stdio/exit code.
// Invalid config: every problem on stderr, exit code 2, nothing written.
import { resolve } from "node:path";
import { allObjects, buildPlatformObjects } from "../builders";
import type { K8sObject } from "../k8s/object";
import { assertTenantCapacity } from "../spec/capacity";
import { ConfigError, formatProblem } from "../spec/problems";
import { loadStackSpec } from "../spec/stack-config";
import type { PlatformSpec } from "../spec/types";
import { refusePseudoFilesystem } from "./input-path";
import { RENDER_INDEX, RENDER_SPLITS, RenderOutError, writeRendered, type RenderSplit } from "./write";
import { renderYaml } from "./yaml";

export const EXIT_OK = 0;
export const EXIT_INVALID = 2;

export interface RenderArgs {
  source: { stack: string } | { file: string };
  /** Absent: the YAML stream goes to stdout. */
  out?: string;
  split: RenderSplit;
  force: boolean;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Base for relative paths (default process.cwd()). */
  cwd?: string;
  /** Progress lines of long renders (scripts/render.ts: stderr); absent: none. */
  progress?: (line: string) => void;
  /** Platforms with at least this many tenants report progress (default PROGRESS_TENANTS). */
  progressTenants?: number;
  /** Clock for progress figures (default Date.now). */
  now?: () => number;
}

/** From this many tenants a render takes seconds: say what it is doing. */
export const PROGRESS_TENANTS = 500;

export const RENDER_USAGE = [
  "usage: npm run render -- [--stack NAME | --config FILE] [--out DIR [--force]] [--split namespace|kind]",
  "  --stack NAME    stacks/Pulumi.<NAME>.yaml (default: lab)",
  "  --config FILE   any stack config file in the same format",
  "  --out DIR       write one file per namespace (cluster-scoped objects in cluster.yaml) or per kind;",
  `                  without it the YAML stream goes to stdout. DIR/${RENDER_INDEX} lists the files render`,
  "                  wrote: a re-render removes those it no longer produces (and says so)",
  "  --force         with --out: write even when DIR holds files no render wrote (they are kept)",
  "  --split MODE    namespace (default) or kind",
  "  --help, -h      this text",
  "exit codes: 0 written, 2 bad arguments, configuration or output directory",
].join("\n");

/** Parses argv (without node/script); throws an Error naming the flag and the fix. */
export function parseRenderArgs(argv: string[], cwd: string = process.cwd()): RenderArgs {
  let stack: string | undefined;
  let file: string | undefined;
  let out: string | undefined;
  let split: RenderSplit = "namespace";
  let force = false;
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "" || (inline === undefined && v.startsWith("--"))) throw new Error(`${flag}: needs a value — e.g. ${flag} ${flag === "--split" ? "kind" : "lab"}`);
      return v;
    };
    switch (flag) {
      case "--stack":
        stack = value();
        break;
      case "--config":
        file = resolve(cwd, value());
        break;
      case "--out":
        out = resolve(cwd, value());
        break;
      case "--force":
        if (inline !== undefined) throw new Error("--force: takes no value");
        force = true;
        break;
      case "--split": {
        const v = value();
        if (!RENDER_SPLITS.includes(v as RenderSplit)) throw new Error(`--split: "${v}" is not supported — use namespace or kind`);
        split = v as RenderSplit;
        break;
      }
      default:
        throw new Error(`${flag}: unknown argument — see --help`);
    }
  }
  if (stack !== undefined && file !== undefined) throw new Error("--stack and --config: give one, not both");
  if (force && out === undefined) throw new Error("--force: only with --out DIR");
  if (file !== undefined) refusePseudoFilesystem("--config", file, "a stack config file; pass a Pulumi.<stack>.yaml file");
  if (out !== undefined) refusePseudoFilesystem("--out", out, "an output directory; pass a directory of your own");
  return { source: file !== undefined ? { file } : { stack: stack ?? "lab" }, out, split, force };
}

/** Objects a consumer adds to the platform's own (the lab adds its demo workloads). */
export type ExtraObjects = (spec: PlatformSpec) => K8sObject[];

/** Every object the stack deploys: the platform's, then the extras. */
export function renderableObjects(spec: PlatformSpec, extraObjects: ExtraObjects = () => []): K8sObject[] {
  return [...allObjects(buildPlatformObjects(spec)), ...extraObjects(spec)];
}

/** `extraObjects`: what the stack deploys besides the platform (scripts/render.ts passes the lab's demo workloads). */
export function runRenderCli(argv: string[], io: CliIo, extraObjects?: ExtraObjects): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(`${RENDER_USAGE}\n`);
    return EXIT_OK;
  }
  let args: RenderArgs;
  try {
    args = parseRenderArgs(argv, io.cwd ?? process.cwd());
  } catch (error) {
    io.stderr(`render: ${(error as Error).message} (see --help)\n`);
    return EXIT_INVALID;
  }
  const now = io.now ?? Date.now;
  const started = now();
  const seconds = (): string => `${((now() - started) / 1000).toFixed(1)} s`;
  let objects: K8sObject[];
  let progress: ((line: string) => void) | undefined;
  try {
    const spec = loadStackSpec(args.source);
    progress = io.progress && spec.tenants.length >= (io.progressTenants ?? PROGRESS_TENANTS) ? io.progress : undefined;
    progress?.(`render: ${spec.tenants.length} tenants validated; building their objects…`);
    const extras = extraObjects?.(spec) ?? [];
    // The quotas must admit what the stack deploys (demo workloads in the lab), sidecars included.
    assertTenantCapacity(spec, extras);
    objects = renderableObjects(spec, () => extras);
    progress?.(`render: ${objects.length} objects built (${seconds()}); writing YAML…`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const count = error.problems.length;
    io.stderr(`render: invalid configuration (${count} problem${count === 1 ? "" : "s"}), nothing written:\n`);
    for (const problem of error.problems) io.stderr(`  ${formatProblem(problem)}\n`);
    return EXIT_INVALID;
  }
  if (args.out === undefined) {
    io.stdout(renderYaml(objects));
    progress?.(`render: done (${seconds()})`);
    return EXIT_OK;
  }
  let result;
  try {
    let lastTenth = 0;
    result = writeRendered(objects, args.out, {
      split: args.split,
      force: args.force,
      onFile: (written, total) => {
        const tenth = Math.floor((written * 10) / total);
        if (tenth > lastTenth) {
          lastTenth = tenth;
          progress?.(`render: ${written}/${total} files written (${seconds()})`);
        }
      },
    });
  } catch (error) {
    if (!(error instanceof RenderOutError)) throw error;
    io.stderr(`render: ${error.message}\n`);
    return EXIT_INVALID;
  }
  io.stdout(`render: ${objects.length} objects in ${result.files.length} files under ${args.out}\n`);
  for (const f of result.files) io.stdout(`  ${f.file} (${f.objects.length})\n`);
  for (const name of result.removed) io.stdout(`  removed ${name} (written by an earlier render, no longer produced)\n`);
  if (result.foreign.length > 0) io.stdout(`  kept ${result.foreign.length} file(s) no render wrote (--force): ${result.foreign.join(", ")}\n`);
  return EXIT_OK;
}
