// `npm run verify`: thin entry point; the logic (and its tests) live in lab/model/verify-cli.ts.
import { runVerify } from "../lab/model/verify-cli";

// Streams the report and progress as they come (a big platform's JSON is never held in memory).
const result = runVerify(process.argv.slice(2), { stdout: (chunk) => process.stdout.write(chunk), stderr: (chunk) => process.stderr.write(chunk) });
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
