// `npm run bench`: every benchmark of the project, one PASS/FAIL line per figure; exit 1 on any FAIL.
import { benchModel } from "./bench-model";
import { benchRender } from "./bench-render";

const results = [benchRender(), benchModel()];
process.exitCode = results.every(Boolean) ? 0 : 1;
