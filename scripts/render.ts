// Thin entry point: `npm run render -- --stack lab --out DIR` (logic: components/render/cli.ts).
import { runRenderCli } from "../components/render/cli";
import { stackDemoWorkloads } from "../lab/workloads/demo";
import { guardCli } from "./cli-guard";

guardCli("render");
process.exitCode = runRenderCli(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    progress: (line) => process.stderr.write(`${line}\n`),
  },
  stackDemoWorkloads,
);
