// `npm run verify`: thin entry point; the logic (and its tests) live in lab/model/verify-cli.ts,
// and for a live cluster (--context/--kubeconfig) in lab/audit/cli.ts.
import { isAuditArgv, runAuditCli } from "../lab/audit/cli";
import { runVerify } from "../lab/model/verify-cli";

const argv = process.argv.slice(2);
if (isAuditArgv(argv)) {
  void runAuditCli(argv, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then((code) => (process.exitCode = code));
} else {
  const result = runVerify(argv);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
