// `npm run tools`: builds every pinned upstream binary from its Go module, through the wrapper
// modules in lab/tools/go/, into the cache (lab/tools/cache.ts), and extracts the CRDs the platform
// needs from the downloaded upstream modules. Idempotent: a complete cache entry is checked (every
// binary answers its version) and reused.
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readManifest, toolsCacheKey, toolsCacheRoot, toolsLayout, type ToolsLayout, type ToolsManifest } from "./cache";
import { loadPins, versionLdflags, type BinaryPin, type ModulePin, type ToolPins } from "./pins";

export class ToolsError extends Error {}

export interface ToolsOptions {
  repoRoot: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Rebuild even when the cache entry is complete. */
  force?: boolean;
}

export interface ToolsResult {
  layout: ToolsLayout;
  manifest: ToolsManifest;
  /** False when the cache entry was already complete and nothing was built. */
  built: boolean;
}

interface Shell {
  run(argv: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function zxShell(baseEnv: NodeJS.ProcessEnv): Shell {
  return {
    async run(argv, options = {}) {
      // zx is ESM-only for TypeScript's CommonJS output: load it with a dynamic import.
      const { $ } = await import("zx");
      const result = await $({ cwd: options.cwd, env: { ...baseEnv, ...options.env }, nothrow: true, quiet: true })`${argv}`;
      return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

function firstLine(text: string): string {
  return text.trim().split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
}

/** The Go version, or a ToolsError that says how to get Go and the module proxy. */
export async function goEnvironment(shell: Shell, pins: ToolPins): Promise<{ goVersion: string; proxy: string }> {
  const version = await shell.run(["go", "env", "GOVERSION", "GOPROXY"]).catch((error: Error) => ({ code: null, stdout: "", stderr: error.message }));
  if (version.code !== 0) {
    throw new ToolsError(
      `Go is not available (\`go env\` failed: ${firstLine(version.stderr) || "not found on PATH"}). The local lab builds its tools from Go modules: install Go ${pins.goMinimum} or newer and make sure \`go\` is on PATH.`,
    );
  }
  const [goVersion, proxy] = version.stdout.trim().split("\n").map((s) => s.trim());
  const minor = /^go1\.(\d+)/.exec(goVersion ?? "")?.[1];
  const wanted = /^1\.(\d+)/.exec(pins.goMinimum)?.[1];
  if (!minor || !wanted || Number(minor) < Number(wanted)) {
    throw new ToolsError(`Go ${goVersion}: the pinned modules need Go ${pins.goMinimum} or newer (lab/tools/pins.yaml go.minimum)`);
  }
  if (!proxy || proxy === "off") {
    throw new ToolsError(`GOPROXY is ${JSON.stringify(proxy ?? "")}: the tools are built from modules fetched through the Go module proxy; set GOPROXY (e.g. https://proxy.golang.org,direct)`);
  }
  return { goVersion, proxy };
}

function downloadFailure(what: string, stderr: string, proxy: string): ToolsError {
  return new ToolsError(`${what}: ${firstLine(stderr)}\n  the modules come from the Go module proxy (GOPROXY=${proxy}); check that it is reachable, then run \`npm run tools\` again`);
}

async function buildBinary(shell: Shell, repoRoot: string, module: ModulePin, binary: BinaryPin, outDir: string, proxy: string): Promise<{ reported: string; seconds: number }> {
  const started = Date.now();
  const target = join(outDir, binary.name);
  const argv = ["go", "build", "-trimpath", `-ldflags=${versionLdflags(module)}`, "-o", target, binary.package];
  // -mod=readonly: the wrapper's go.sum must already pin every module (no silent re-resolution).
  const result = await shell.run(argv, { cwd: join(repoRoot, module.wrapper), env: { CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" } });
  if (result.code !== 0) {
    if (/dial tcp|proxy|403 Forbidden|404 Not Found|no such host/.test(result.stderr)) throw downloadFailure(`building ${binary.name}`, result.stderr, proxy);
    throw new ToolsError(`building ${binary.name} (${binary.package} from ${module.module}@${module.version}) failed:\n${result.stderr.trim().split("\n").slice(-15).join("\n")}`);
  }
  const reported = await checkVersion(shell, target, binary, module);
  return { reported, seconds: (Date.now() - started) / 1000 };
}

/** Runs the binary's version command; its output must name the pinned version (a v0.0.0 build is refused). */
async function checkVersion(shell: Shell, path: string, binary: BinaryPin, module: ModulePin): Promise<string> {
  const answer = await shell.run([path, ...binary.versionArgs]);
  const output = `${answer.stdout}\n${answer.stderr}`;
  const bare = module.version.replace(/^v/, "");
  if (answer.code !== 0 || !output.includes(bare)) {
    throw new ToolsError(`${binary.name} ${binary.versionArgs.join(" ")} did not report ${module.version} (exit ${answer.code}): ${firstLine(output) || "no output"}`);
  }
  return firstLine(output.split("\n").find((line) => line.includes(bare)) ?? output);
}

async function extractCrds(shell: Shell, pins: ToolPins, crdDir: string, proxy: string, log: (line: string) => void): Promise<ToolsManifest["crds"]> {
  const crds: ToolsManifest["crds"] = {};
  mkdirSync(crdDir, { recursive: true });
  for (const pin of pins.crds) {
    // A pinned hash stands in for the checksum database, which does not know every pseudo-version.
    const env = pin.sum ? { GONOSUMDB: pin.module } : undefined;
    const download = await shell.run(["go", "mod", "download", "-json", `${pin.module}@${pin.version}`], { env });
    const info = (() => {
      try {
        return JSON.parse(download.stdout) as { Dir?: string; Error?: string; Sum?: string };
      } catch {
        return {};
      }
    })();
    if (download.code !== 0 || !info.Dir) throw downloadFailure(`downloading ${pin.module}@${pin.version} for its CRDs`, info.Error ?? download.stderr, proxy);
    if (pin.sum && info.Sum !== pin.sum) throw new ToolsError(`${pin.module}@${pin.version}: module hash ${info.Sum ?? "(none)"} differs from the pinned ${pin.sum} (lab/tools/pins.yaml crds.${pin.id}.sum); refusing its files`);
    const files: string[] = [];
    for (const file of pin.files) {
      const source = join(info.Dir, file);
      if (!existsSync(source)) throw new ToolsError(`${pin.module}@${pin.version} has no ${file} (lab/tools/pins.yaml crds.${pin.id}.files)`);
      const name = `${pin.id}--${file.split("/").pop()}`;
      cpSync(source, join(crdDir, name));
      files.push(name);
    }
    crds[pin.id] = { module: pin.module, version: pin.version, files };
    log(`  crds ${pin.id}: ${files.length} file(s) from ${pin.module}@${pin.version}`);
  }
  return crds;
}

/** Every binary of the manifest is present and answers its version. */
async function cacheIsComplete(shell: Shell, layout: ToolsLayout, pins: ToolPins): Promise<ToolsManifest | undefined> {
  const manifest = readManifest(layout);
  if (!manifest) return undefined;
  for (const module of pins.modules) {
    for (const binary of module.binaries) {
      const path = join(layout.bin, binary.name);
      if (!existsSync(path)) return undefined;
      try {
        await checkVersion(shell, path, binary, module);
      } catch {
        return undefined;
      }
    }
  }
  for (const crd of Object.values(manifest.crds)) if (crd.files.some((f) => !existsSync(join(layout.crds, f)))) return undefined;
  return manifest;
}

/** Where the tools are (or would be) for this checkout; does not build. */
export async function locateTools(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<{ layout: ToolsLayout; manifest?: ToolsManifest; pins: ToolPins }> {
  const pins = loadPins(repoRoot);
  const shell = zxShell(env);
  const { goVersion } = await goEnvironment(shell, pins);
  const layout = toolsLayout(toolsCacheRoot(repoRoot, env), toolsCacheKey(repoRoot, pins, goVersion));
  return { layout, manifest: await cacheIsComplete(shell, layout, pins), pins };
}

export async function ensureTools(options: ToolsOptions): Promise<ToolsResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const pins = loadPins(options.repoRoot);
  const shell = zxShell(env);
  const { goVersion, proxy } = await goEnvironment(shell, pins);
  const layout = toolsLayout(toolsCacheRoot(options.repoRoot, env), toolsCacheKey(options.repoRoot, pins, goVersion));
  const existing = options.force ? undefined : await cacheIsComplete(shell, layout, pins);
  if (existing) {
    log(`tools: up to date in ${layout.dir} (${Object.keys(existing.binaries).length} binaries, built ${existing.builtAt} with ${existing.goVersion}); nothing to do`);
    return { layout, manifest: existing, built: false };
  }
  log(`tools: building into ${layout.dir} with ${goVersion} (GOPROXY=${proxy})`);
  mkdirSync(layout.root, { recursive: true });
  const staging = mkdtempSync(join(layout.root, `.${layout.key}.partial-`));
  try {
    const bin = join(staging, "bin");
    mkdirSync(bin, { recursive: true });
    const binaries: ToolsManifest["binaries"] = {};
    for (const module of pins.modules) {
      const started = Date.now();
      log(`  ${module.module}@${module.version}: downloading modules`);
      const download = await shell.run(["go", "mod", "download"], { cwd: join(options.repoRoot, module.wrapper), env: { GOFLAGS: "-mod=readonly" } });
      if (download.code !== 0) throw downloadFailure(`downloading the modules of ${module.wrapper}`, download.stderr, proxy);
      log(`  ${module.module}@${module.version}: modules ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      for (const binary of module.binaries) {
        log(`  ${binary.name}: building ${binary.package} …`);
        const built = await buildBinary(shell, options.repoRoot, module, binary, bin, proxy);
        binaries[binary.name] = { module: module.module, version: module.version, reported: built.reported, buildSeconds: Math.round(built.seconds) };
        log(`  ${binary.name}: built in ${built.seconds.toFixed(0)} s — ${built.reported}`);
      }
    }
    const crds = await extractCrds(shell, pins, join(staging, "crds"), proxy, log);
    const manifest: ToolsManifest = { key: layout.key, goVersion, builtAt: new Date().toISOString(), binaries, crds };
    writeFileSync(join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(layout.dir, { recursive: true, force: true });
    renameSync(staging, layout.dir);
    log(`tools: done, ${Object.keys(binaries).length} binaries in ${layout.bin}`);
    return { layout, manifest, built: true };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The manifest's CRD files, as absolute paths, in pin order. */
export function crdFiles(layout: ToolsLayout, manifest: ToolsManifest): string[] {
  return Object.values(manifest.crds).flatMap((c) => c.files.map((f) => join(layout.crds, f)));
}
