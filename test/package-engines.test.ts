// Node 20 is the declared runtime (README, package.json engines). Every installed package must
// support it, except the ones docs/decisions.md names and justifies (npm ci warns EBADENGINE for those).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { satisfies } from "semver";

const root = join(__dirname, "..");
const NODE_20 = "20.19.0";

describe("package engines", () => {
  it("declares Node 20.19+ and every locked package supports it, except the justified @kubernetes-models/istio tree", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } };
    assert.equal(pkg.engines.node, ">=20.19");
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const unsupported = Object.entries(lock.packages)
      .filter(([path, p]) => path !== "" && !Array.isArray(p.engines) && p.engines?.node !== undefined && !satisfies(NODE_20, p.engines.node))
      .map(([path]) => path.replace(/^.*node_modules\//, ""))
      .sort();
    const decisions = readFileSync(join(root, "docs", "decisions.md"), "utf8");
    const justified = decisions.slice(decisions.indexOf("Node 20.19+ with four declared-Node-22 packages"));
    assert.ok(justified.length > 0, "docs/decisions.md justifies the exceptions");
    for (const name of unsupported) assert.ok(justified.includes(`\`${name}\``), `${name} needs Node > 20 and is not justified in docs/decisions.md`);
    assert.deepEqual(unsupported, ["@kubernetes-models/apimachinery", "@kubernetes-models/base", "@kubernetes-models/istio", "@kubernetes-models/validate"]);
  });
});
