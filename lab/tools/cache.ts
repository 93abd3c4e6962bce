// Where built tools live: a cache directory OUTSIDE the repository, one entry per group of
// pins.yaml, keyed by everything that decides what that group builds (its pins, every file of its
// wrapper modules, the Go version and the recipe below). A new pin means a new directory for its
// group only; an unchanged group is reused as it is.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { CORE_GROUP, loadPins, modulesOf, pythonOf, type ToolPins } from "./pins";

/** Environment variable that overrides the cache root. */
export const TOOLS_CACHE_ENV = "HARD_TENANCY_TOOLS_CACHE";
/** Bump when the build recipe (flags, layout) changes, so old caches are not taken for new ones. */
export const RECIPE_VERSION = "2";

export interface ToolsLayout {
  root: string;
  key: string;
  /** root/key */
  dir: string;
  bin: string;
  crds: string;
  /** Files taken from pinned modules for the binaries to read at run time (pins.yaml `extract`). */
  files: string;
  /** JSON written last: its presence means the build completed. */
  manifest: string;
}

export interface ToolsManifest {
  key: string;
  goVersion: string;
  builtAt: string;
  binaries: Record<string, { module: string; version: string; reported: string; buildSeconds: number }>;
  crds: Record<string, { module: string; version: string; files: string[] }>;
}

/** `$HARD_TENANCY_TOOLS_CACHE`, else `$XDG_CACHE_HOME/hard-tenancy/tools`, else `~/.cache/hard-tenancy/tools`. */
export function toolsCacheRoot(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[TOOLS_CACHE_ENV] || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "hard-tenancy", "tools");
  const root = resolve(chosen);
  const inside = relative(resolve(repoRoot), root);
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
    throw new Error(`${TOOLS_CACHE_ENV}: ${root} is inside the repository; built binaries must live outside it (e.g. ~/.cache/hard-tenancy/tools)`);
  }
  return root;
}

/** Every file under `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]));
}

/** Hash of the inputs that decide one group's build output (its pins and its wrapper modules' files). */
export function toolsCacheKey(repoRoot: string, pins: ToolPins, goVersion: string, group: string = CORE_GROUP): string {
  const hash = createHash("sha256");
  hash.update(`recipe ${RECIPE_VERSION}\n${goVersion}\ngroup ${group}\n`);
  const modules = modulesOf(pins, group);
  hash.update(JSON.stringify({ modules, python: pythonOf(pins, group), crds: group === CORE_GROUP ? pins.crds : [] }));
  for (const module of modules) {
    for (const file of filesUnder(join(repoRoot, module.wrapper))) {
      hash.update(`${module.wrapper}/${file}\n`);
      hash.update(readFileSync(join(repoRoot, module.wrapper, file)));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

export function toolsLayout(root: string, key: string): ToolsLayout {
  const dir = join(root, key);
  return { root, key, dir, bin: join(dir, "bin"), crds: join(dir, "crds"), files: join(dir, "files"), manifest: join(dir, "manifest.json") };
}

export function readManifest(layout: ToolsLayout): ToolsManifest | undefined {
  if (!existsSync(layout.manifest)) return undefined;
  try {
    return JSON.parse(readFileSync(layout.manifest, "utf8")) as ToolsManifest;
  } catch {
    return undefined;
  }
}

/** `go env GOVERSION`, synchronously; a clear error when Go is missing. */
export function goVersionSync(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync("go", ["env", "GOVERSION"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    throw new Error("Go is not available (`go env GOVERSION` failed): the local lab builds its tools from Go modules; install Go 1.26 or newer and put `go` on PATH");
  }
}

/** The cache entry for this checkout and this machine's Go (it may not be built yet). */
export function toolsLayoutFor(repoRoot: string, env: NodeJS.ProcessEnv = process.env): ToolsLayout {
  const pins = loadPins(repoRoot);
  return toolsLayout(toolsCacheRoot(repoRoot, env), toolsCacheKey(repoRoot, pins, goVersionSync(env)));
}
