// `npm run verify`: thin entry point; the logic (and its tests) live in lab/model/verify-cli.ts,
// and for a live cluster (--context/--kubeconfig) in lab/audit/cli.ts.
import { writeFileSync } from "node:fs";
import { isAuditArgv, runAuditCli } from "../lab/audit/cli";
import { renderReportHtml } from "../lab/report/html/render";
import { preloadIstioSchemas } from "../lab/model/schema/unknown-fields";
import { runVerify } from "../lab/model/verify-cli";
import { labProbeEndpoints } from "../lab/workloads/probe-endpoints";
import { guardCli } from "./cli-guard";

guardCli("verify");

const argv = process.argv.slice(2);
if (isAuditArgv(argv)) {
  void runAuditCli(argv, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then((code) => (process.exitCode = code));
} else {
  void preloadIstioSchemas().then(() => {
    // Streams the report and progress as they come (a big platform's JSON is never held in memory);
    // with --out the report comes back as a file to write.
    const io = { stdout: (chunk: string) => process.stdout.write(chunk), stderr: (chunk: string) => process.stderr.write(chunk) };
    const result = runVerify(argv, { endpoints: labProbeEndpoints, renderHtml: renderReportHtml, io });
    for (const file of result.files ?? []) {
      try {
        writeFileSync(file.path, file.content);
      } catch (err) {
        process.stderr.write(`verify: cannot write ${file.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose a writable path for --out\n`);
        process.exit(2);
      }
    }
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exitCode = result.exitCode;
  });
}
