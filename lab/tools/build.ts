// `npm run tools`: builds every pinned upstream binary from its Go module, through the wrapper
// modules in lab/tools/go/, into the cache (lab/tools/cache.ts), and extracts the CRDs the platform
// needs from the downloaded upstream modules. Idempotent: a complete cache entry is checked (every
// binary answers its version) and reused.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readManifest, toolsCacheKey, toolsCacheRoot, toolsLayout, type ToolsLayout, type ToolsManifest } from "./cache";
import { CORE_GROUP, loadPins, modulesOf, pythonOf, stampedVersion, versionLdflags, type BinaryPin, type ModulePin, type PythonPin, type ToolPins } from "./pins";
import { installPythonPin, requirementLine } from "./python";
import { prepareOverlay } from "./source-overlay";

export class ToolsError extends Error {}

export interface ToolsOptions {
  repoRoot: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Rebuild even when the cache entry is complete. */
  force?: boolean;
  /** Which group of pins.yaml to build (default "core": the control plane and the CRDs). */
  group?: string;
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

async function buildBinary(shell: Shell, wrapper: BuildWrapper, module: ModulePin, binary: BinaryPin, outDir: string, proxy: string): Promise<{ reported: string; seconds: number }> {
  const started = Date.now();
  const target = join(outDir, binary.name);
  const overlay = wrapper.overlayFile ? [`-overlay=${wrapper.overlayFile}`] : [];
  const argv = ["go", "build", "-trimpath", ...overlay, `-ldflags=${versionLdflags(module)}`, "-o", target, binary.package];
  const wrapperDir = wrapper.dir;
  // -mod=readonly: the wrapper's go.sum must already pin every module (no silent re-resolution).
  const result = await shell.run(argv, { cwd: wrapperDir, env: { CGO_ENABLED: "0", GOFLAGS: "-mod=readonly" } });
  if (result.code !== 0) {
    if (/dial tcp|proxy|403 Forbidden|404 Not Found|no such host/.test(result.stderr)) throw downloadFailure(`building ${binary.name}`, result.stderr, proxy);
    throw new ToolsError(`building ${binary.name} (${binary.package} from ${module.module}@${module.version}) failed:\n${result.stderr.trim().split("\n").slice(-15).join("\n")}`);
  }
  const reported = await checkVersion(shell, target, binary, module);
  return { reported, seconds: (Date.now() - started) / 1000 };
}

/** `go version -m` lists `dep <module> <version>` for every module linked into a binary. */
export function buildInfoNames(buildInfo: string, module: string, version: string): boolean {
  return buildInfo.split("\n").some((line) => {
    const [kind, path, v] = line.trim().split(/\s+/);
    return (kind === "dep" || kind === "mod") && path === module && v === version;
  });
}

/**
 * Runs the binary's version command; its output must name the pinned version (a v0.0.0 build is
 * refused). A binary without one (a provider plugin) must carry the pinned module in its build info
 * and, when stamped, the stamped version string.
 */
async function checkVersion(shell: Shell, path: string, binary: BinaryPin, module: ModulePin): Promise<string> {
  if (binary.versionArgs.length === 0) {
    const info = await shell.run(["go", "version", "-m", path]);
    if (info.code !== 0 || !buildInfoNames(info.stdout, module.module, module.version)) {
      throw new ToolsError(`${binary.name}: \`go version -m\` does not list ${module.module} ${module.version} (exit ${info.code}): ${firstLine(info.stderr) || "not in the build info"}`);
    }
    if (module.versionVariables.length > 0 && !readFileSync(path).includes(Buffer.from(stampedVersion(module)))) {
      throw new ToolsError(`${binary.name}: the stamped version ${stampedVersion(module)} is not in the binary`);
    }
    return `${module.module} ${module.version} (go version -m)`;
  }
  return reportsVersion(shell, path, binary.name, binary.versionArgs, module.release ?? module.version.replace(/^v/, ""));
}

/** Runs `path versionArgs…`; its output must contain `expected`. Returns the line that does. */
async function reportsVersion(shell: Shell, path: string, name: string, versionArgs: string[], expected: string): Promise<string> {
  const answer = await shell.run([path, ...versionArgs]);
  const output = `${answer.stdout}\n${answer.stderr}`;
  if (answer.code !== 0 || !output.includes(expected)) {
    throw new ToolsError(`${name} ${versionArgs.join(" ")} did not report ${expected} (exit ${answer.code}): ${firstLine(output) || "no output"}`);
  }
  return firstLine(output.split("\n").find((line) => line.includes(expected)) ?? output);
}

async function checkPython(shell: Shell, path: string, pin: PythonPin): Promise<string> {
  return reportsVersion(shell, path, pin.binary.name, pin.binary.versionArgs, pin.version);
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

/** Copies the pin's `extract` files out of the downloaded module into files/. */
async function extractFiles(shell: Shell, module: ModulePin, filesDir: string, proxy: string, log: (line: string) => void): Promise<void> {
  const dir = await moduleDir(shell, module, proxy);
  mkdirSync(filesDir, { recursive: true });
  for (const file of module.extract) {
    const source = join(dir, file.from);
    if (!existsSync(source)) throw new ToolsError(`${module.module}@${module.version} has no ${file.from} (lab/tools/pins.yaml modules.${module.id}.extract)`);
    cpSync(source, join(filesDir, file.to));
    log(`  files: ${file.to} from ${module.module}@${module.version}/${file.from}`);
  }
}

/** Every binary of the manifest is present and answers its version. */
async function cacheIsComplete(shell: Shell, layout: ToolsLayout, pins: ToolPins, group: string): Promise<ToolsManifest | undefined> {
  const manifest = readManifest(layout);
  if (!manifest) return undefined;
  for (const module of modulesOf(pins, group)) {
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
  for (const pin of pythonOf(pins, group)) {
    try {
      await checkPython(shell, join(layout.bin, pin.binary.name), pin);
    } catch {
      return undefined;
    }
  }
  for (const crd of Object.values(manifest.crds)) if (crd.files.some((f) => !existsSync(join(layout.crds, f)))) return undefined;
  for (const module of modulesOf(pins, group)) if (module.extract.some((f) => !existsSync(join(layout.files, f.to)))) return undefined;
  return manifest;
}

/** The cache entry of one group: the core entry is `<key>`, any other group's `<key>-<group>`. */
export function groupLayout(repoRoot: string, env: NodeJS.ProcessEnv, pins: ToolPins, goVersion: string, group: string): ToolsLayout {
  const key = toolsCacheKey(repoRoot, pins, goVersion, group);
  return toolsLayout(toolsCacheRoot(repoRoot, env), group === CORE_GROUP ? key : `${key}-${group}`);
}

/** Where the tools are (or would be) for this checkout; does not build. */
export async function locateTools(repoRoot: string, env: NodeJS.ProcessEnv = process.env, group: string = CORE_GROUP): Promise<{ layout: ToolsLayout; manifest?: ToolsManifest; pins: ToolPins }> {
  const pins = loadPins(repoRoot);
  const shell = zxShell(env);
  const { goVersion } = await goEnvironment(shell, pins);
  const layout = groupLayout(repoRoot, env, pins, goVersion, group);
  return { layout, manifest: await cacheIsComplete(shell, layout, pins, group), pins };
}

interface BuildWrapper {
  /** Where `go build` runs. */
  dir: string;
  /** The -overlay JSON, for a pin with a sourceOverlay. */
  overlayFile?: string;
}

/**
 * A build copy of the wrapper with the generated files in place (upstream main packages that embed
 * release-time files, see GeneratedFile) and, for a sourceOverlay, its module replaced by a private
 * copy plus the overlay file; or the wrapper itself when it needs neither.
 */
async function wrapperForBuild(shell: Shell, repoRoot: string, module: ModulePin, scratch: string, sources: string, proxy: string): Promise<BuildWrapper> {
  const wrapper = join(repoRoot, module.wrapper);
  if (module.generate.length === 0 && module.sourceOverlay.length === 0) return { dir: wrapper };
  const dir = await moduleDir(shell, module, proxy, wrapper);
  const copy = join(scratch, module.id);
  cpSync(wrapper, copy, { recursive: true });
  for (const file of module.generate) {
    const source = join(dir, file.from);
    if (!existsSync(source)) throw new ToolsError(`${module.module}@${module.version} has no ${file.from} (lab/tools/pins.yaml modules.${module.id}.generate)`);
    writeFileSync(join(copy, file.to), generatedContent(readFileSync(source, "utf8"), file.setVersion ? stampedVersion(module) : undefined));
  }
  if (module.sourceOverlay.length === 0) return { dir: copy };
  let plan;
  try {
    plan = prepareOverlay(dir, wrapper, module.sourceOverlay, join(sources, `${module.id}@${module.version}`));
  } catch (error) {
    throw new ToolsError(`${module.module}@${module.version}: ${(error as Error).message}`);
  }
  const edit = await shell.run(["go", "mod", "edit", `-replace=${module.module}=${plan.moduleCopy}`], { cwd: copy });
  if (edit.code !== 0) throw new ToolsError(`go mod edit in the build copy of ${module.wrapper} failed: ${firstLine(edit.stderr)}`);
  return { dir: copy, overlayFile: plan.overlayFile };
}

/** The pinned module's directory in the module cache (downloading it when missing). */
async function moduleDir(shell: Shell, module: ModulePin, proxy: string, cwd?: string): Promise<string> {
  const download = await shell.run(["go", "mod", "download", "-json", `${module.module}@${module.version}`], { cwd, env: { GOFLAGS: "-mod=readonly" } });
  const dir = (() => {
    try {
      return (JSON.parse(download.stdout) as { Dir?: string }).Dir;
    } catch {
      return undefined;
    }
  })();
  if (download.code !== 0 || !dir) throw downloadFailure(`downloading ${module.module}@${module.version}`, download.stderr, proxy);
  return dir;
}

/** Upstream's release generator: the JSON re-serialised compactly, with `version` set when asked. */
export function generatedContent(json: string, version: string | undefined): string {
  const parsed = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(version === undefined ? parsed : { ...parsed, version });
}

export async function ensureTools(options: ToolsOptions): Promise<ToolsResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const pins = loadPins(options.repoRoot);
  const group = options.group ?? CORE_GROUP;
  const modules = modulesOf(pins, group);
  const pythonPins = pythonOf(pins, group);
  if (modules.length === 0 && pythonPins.length === 0) throw new ToolsError(`tools: nothing in lab/tools/pins.yaml is in group "${group}"`);
  const shell = zxShell(env);
  const { goVersion, proxy } = await goEnvironment(shell, pins);
  const layout = groupLayout(options.repoRoot, env, pins, goVersion, group);
  const existing = options.force ? undefined : await cacheIsComplete(shell, layout, pins, group);
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
    for (const module of modules) {
      const started = Date.now();
      log(`  ${module.module}@${module.version}: downloading modules`);
      const download = await shell.run(["go", "mod", "download"], { cwd: join(options.repoRoot, module.wrapper), env: { GOFLAGS: "-mod=readonly" } });
      if (download.code !== 0) throw downloadFailure(`downloading the modules of ${module.wrapper}`, download.stderr, proxy);
      log(`  ${module.module}@${module.version}: modules ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      const wrapper = await wrapperForBuild(shell, options.repoRoot, module, join(staging, "src"), join(layout.root, ".sources"), proxy);
      for (const binary of module.binaries) {
        log(`  ${binary.name}: building ${binary.package} …`);
        const built = await buildBinary(shell, wrapper, module, binary, bin, proxy);
        binaries[binary.name] = { module: module.module, version: module.version, reported: built.reported, buildSeconds: Math.round(built.seconds) };
        log(`  ${binary.name}: built in ${built.seconds.toFixed(0)} s — ${built.reported}`);
      }
      if (module.extract.length > 0) await extractFiles(shell, module, join(staging, "files"), proxy, log);
    }
    rmSync(join(staging, "src"), { recursive: true, force: true });
    for (const pin of pythonPins) {
      const started = Date.now();
      log(`  ${pin.binary.name}: installing ${pin.distribution}==${pin.version} from the package index …`);
      const requirements = join(staging, `${pin.id}-requirements.txt`);
      writeFileSync(requirements, requirementLine(pin));
      const path = await installPythonPin(shell, pin, staging, bin, requirements).catch((error: Error) => {
        throw new ToolsError(error.message);
      });
      rmSync(requirements, { force: true });
      const reported = await checkPython(shell, path, pin);
      const seconds = (Date.now() - started) / 1000;
      binaries[pin.binary.name] = { module: pin.distribution, version: pin.version, reported, buildSeconds: Math.round(seconds) };
      log(`  ${pin.binary.name}: installed in ${seconds.toFixed(0)} s — ${reported}`);
    }
    // The CRDs belong to the core group (the control plane installs them).
    const crds = group === CORE_GROUP ? await extractCrds(shell, pins, join(staging, "crds"), proxy, log) : {};
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
