// `npm run bench`: every benchmark of the project, one PASS/FAIL line per figure; exit 1 on any FAIL.
import { benchModel } from "./bench-model";
import { benchRender } from "./bench-render";
import { benchReport } from "./bench-report";

const results = [benchRender(), benchModel()];
void benchReport().then((report) => {
  process.exitCode = [...results, report].every(Boolean) ? 0 : 1;
});
