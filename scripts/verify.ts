// `npm run verify`: thin entry point; the logic (and its tests) live in lab/model/verify-cli.ts.
import { preloadIstioSchemas } from "../lab/model/schema/unknown-fields";
import { runVerify } from "../lab/model/verify-cli";
import { labProbeEndpoints } from "../lab/workloads/probe-endpoints";
import { guardCli } from "./cli-guard";

guardCli("verify");

void preloadIstioSchemas().then(() => {
  const result = runVerify(process.argv.slice(2), labProbeEndpoints);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
});
