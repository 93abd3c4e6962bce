// The one-way flow of DESIGN §1: config → spec → pure builders → consumers. These checks keep it
// that way: the published package (components/) never reaches into the lab, the program or the
// scripts, and the builders, spec and renderer stay free of Pulumi so every consumer can use them.
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(__dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]);
}

function offenders(dir: string, forbidden: (specifier: string) => boolean): string[] {
  return sourceFiles(join(root, dir)).flatMap((file) =>
    imports(file).filter(forbidden).map((specifier) => `${relative(root, file)} imports ${specifier}`),
  );
}

describe("architecture", () => {
  it("the component package imports nothing from the lab, the stack program or the scripts", () => {
    assert.deepEqual(offenders("components", (s) => /(^|\/)\.\.\/(\.\.\/)*(lab|stacks|scripts|test)\//.test(s)), []);
  });

  it("builders, the spec and the renderer import no Pulumi", () => {
    const pulumi = (s: string) => s.startsWith("@pulumi/");
    assert.deepEqual([...offenders("components/builders", pulumi), ...offenders("components/spec", pulumi), ...offenders("components/render", pulumi)], []);
  });

  it("the isolation model and the lab's pure parts import no Pulumi", () => {
    const pulumi = (s: string) => s.startsWith("@pulumi/");
    assert.deepEqual(["lab/model", "lab/probes", "lab/workloads", "lab/check", "lab/plan"].flatMap((d) => offenders(d, pulumi)), []);
  });

  it("the isolation model depends on nothing else in the lab: demo workloads and probe endpoints are passed in", () => {
    // The demo's names (workloads/names.ts) are shared vocabulary, like the probe types; the demo's objects are not.
    const lab = (s: string) => (/^\.\.\/(workloads|run|plan|check|report|kind)\//.test(s) && s !== "../workloads/names") || /^\.\.\/(scenarios|preflight|context)$/.test(s);
    assert.deepEqual(offenders("lab/model", lab), []);
  });
});
