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
import { RENDER_SPLITS, writeRendered, type RenderSplit } from "./write";
import { renderYaml } from "./yaml";

export const EXIT_OK = 0;
export const EXIT_INVALID = 2;

export interface RenderArgs {
  source: { stack: string } | { file: string };
  /** Absent: the YAML stream goes to stdout. */
  out?: string;
  split: RenderSplit;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Base for relative paths (default process.cwd()). */
  cwd?: string;
}

export const RENDER_USAGE = [
  "usage: npm run render -- [--stack NAME | --config FILE] [--out DIR] [--split namespace|kind]",
  "  --stack NAME    stacks/Pulumi.<NAME>.yaml (default: lab)",
  "  --config FILE   any stack config file in the same format",
  "  --out DIR       write one file per namespace (cluster-scoped objects in cluster.yaml) or per kind;",
  "                  without it the YAML stream goes to stdout",
  "  --split MODE    namespace (default) or kind",
].join("\n");

/** Parses argv (without node/script); throws an Error naming the flag and the fix. */
export function parseRenderArgs(argv: string[], cwd: string = process.cwd()): RenderArgs {
  let stack: string | undefined;
  let file: string | undefined;
  let out: string | undefined;
  let split: RenderSplit = "namespace";
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
  return { source: file !== undefined ? { file } : { stack: stack ?? "lab" }, out, split };
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
    io.stderr(`render: ${(error as Error).message}\n${RENDER_USAGE}\n`);
    return EXIT_INVALID;
  }
  let objects: K8sObject[];
  try {
    const spec = loadStackSpec(args.source);
    const extras = extraObjects?.(spec) ?? [];
    // The quotas must admit what the stack deploys (demo workloads in the lab), sidecars included.
    assertTenantCapacity(spec, extras);
    objects = renderableObjects(spec, () => extras);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const count = error.problems.length;
    io.stderr(`render: invalid configuration (${count} problem${count === 1 ? "" : "s"}), nothing written:\n`);
    for (const problem of error.problems) io.stderr(`  ${formatProblem(problem)}\n`);
    return EXIT_INVALID;
  }
  if (args.out === undefined) {
    io.stdout(renderYaml(objects));
    return EXIT_OK;
  }
  const files = writeRendered(objects, args.out, { split: args.split });
  io.stdout(`render: ${objects.length} objects in ${files.length} files under ${args.out}\n`);
  for (const f of files) io.stdout(`  ${f.file} (${f.objects.length})\n`);
  return EXIT_OK;
}
