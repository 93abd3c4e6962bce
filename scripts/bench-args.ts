// `npm run bench` arguments: which benchmarks to run. Pure, so it is unit-tested.
import { parseArgs } from "node:util";

export const BENCH_USAGE = `usage: npm run bench [-- --only render|model|report] [--help]
  Render and isolation-model benchmarks on synthetic platforms, one PASS/FAIL line per figure.
  --only NAME   run one benchmark: render (100, 500 and 1,000 tenants), model (500 and 1,000 tenants) or report
                (the HTML report of the lab, production and a 1,000-tenant platform, loaded in Chromium)
  --help, -h    this text
exit codes: 0 every figure within its budget, 1 a figure failed, 2 bad arguments`;

export type BenchName = "render" | "model" | "report";

export type BenchArgs = { help: true } | { help: false; only: BenchName[] };

/** Throws an Error naming the argument and the fix. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  let values;
  try {
    values = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { only: { type: "string" }, help: { type: "boolean", short: "h" } } }).values;
  } catch (error) {
    throw new Error(`${(error as Error).message}; see --help`);
  }
  if (values.help) return { help: true };
  if (values.only !== undefined && values.only !== "render" && values.only !== "model" && values.only !== "report") throw new Error(`--only ${values.only}: use render, model or report`);
  return { help: false, only: values.only ? [values.only] : ["render", "model", "report"] };
}
