// Where built tools live: a cache directory OUTSIDE the repository, keyed by everything that
// decides what gets built (the pin file, every wrapper module's go.mod/go.sum, the Go version and
// the recipe below). A new pin means a new directory; an unchanged one is reused as it is.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { loadPins, PINS_FILE, type ToolPins } from "./pins";

/** Environment variable that overrides the cache root. */
export const TOOLS_CACHE_ENV = "HARD_TENANCY_TOOLS_CACHE";
/** Bump when the build recipe (flags, layout) changes, so old caches are not taken for new ones. */
export const RECIPE_VERSION = "1";

export interface ToolsLayout {
  root: string;
  key: string;
  /** root/key */
  dir: string;
  bin: string;
  crds: string;
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

/** Hash of the inputs that decide the build output. */
export function toolsCacheKey(repoRoot: string, pins: ToolPins, goVersion: string): string {
  const hash = createHash("sha256");
  hash.update(`recipe ${RECIPE_VERSION}\n${goVersion}\n`);
  hash.update(readFileSync(join(repoRoot, PINS_FILE)));
  for (const module of pins.modules) {
    for (const file of ["go.mod", "go.sum"]) {
      const path = join(repoRoot, module.wrapper, file);
      hash.update(`${module.wrapper}/${file}\n`);
      if (existsSync(path)) hash.update(readFileSync(path));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

export function toolsLayout(root: string, key: string): ToolsLayout {
  const dir = join(root, key);
  return { root, key, dir, bin: join(dir, "bin"), crds: join(dir, "crds"), manifest: join(dir, "manifest.json") };
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
