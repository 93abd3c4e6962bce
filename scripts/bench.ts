// `npm run bench`: every benchmark of the project, one PASS/FAIL line per figure; exit 1 on any FAIL.
import { BENCH_USAGE, parseBenchArgs, type BenchArgs } from "./bench-args";
import { benchModel } from "./bench-model";
import { benchRender } from "./bench-render";
import { benchReport } from "./bench-report";
import { guardCli } from "./cli-guard";

guardCli("bench");
let args: BenchArgs | undefined;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
if (args?.help) process.stdout.write(`${BENCH_USAGE}\n`);
else if (args) {
  const runs = { render: benchRender, model: benchModel };
  const results = args.only.filter((name) => name !== "report").map((name) => runs[name]());
  const report = args.only.includes("report") ? benchReport() : Promise.resolve(true);
  void report.then((ok) => {
    process.exitCode = [...results, ok].every(Boolean) ? 0 : 1;
  });
}
