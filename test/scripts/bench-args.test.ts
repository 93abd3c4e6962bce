import assert from "node:assert/strict";
import { BENCH_USAGE, parseBenchArgs } from "../../scripts/bench-args";

describe("bench arguments", () => {
  it("runs every benchmark by default and one with --only", () => {
    assert.deepEqual(parseBenchArgs([]), { help: false, only: ["render", "model", "report"] });
    assert.deepEqual(parseBenchArgs(["--only", "model"]), { help: false, only: ["model"] });
  });

  it("answers --help with a usage that explains every option", () => {
    assert.deepEqual(parseBenchArgs(["--help"]), { help: true });
    assert.deepEqual(parseBenchArgs(["-h"]), { help: true });
    for (const option of ["--only NAME", "--help"]) assert.match(BENCH_USAGE, new RegExp(`^  ${option}`, "m"));
  });

  it("rejects unknown options, stray words and unknown benchmarks, naming them", () => {
    assert.throws(() => parseBenchArgs(["--tenants", "5"]), /Unknown option '--tenants'.*see --help/);
    assert.throws(() => parseBenchArgs(["fast"]), /fast.*see --help/);
    assert.throws(() => parseBenchArgs(["--only", "lab"]), /--only lab: use render, model or report/);
  });
});
