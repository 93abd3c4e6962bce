// `go build -overlay` for pins with a sourceOverlay (lab/tools/pins.yaml): the named packages of the
// pinned module are compiled from one file of the wrapper instead of upstream's files. Go refuses
// overlays of files under GOMODCACHE, so the build links a private copy of the module (replace
// directive in the build copy of the wrapper); the module cache and the repository stay untouched.
// The copy lives at a stable path beside the cache entries, so Go's build cache still recognises
// its packages on the next build (a fresh path each time would recompile the whole module).
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SourceOverlay } from "./pins";

export interface OverlayPlan {
  /** go.mod replace target for the pinned module: the private copy. */
  moduleCopy: string;
  /** The -overlay JSON file. */
  overlayFile: string;
  /** file path → replacement ("" deletes), as written into the overlay JSON. */
  replace: Record<string, string>;
}

/** The overlay's Replace map: every non-test .go file of each package deleted, the wrapper's file added. */
export function overlayReplacements(moduleCopy: string, wrapperDir: string, overlays: SourceOverlay[], list: (dir: string) => string[]): Record<string, string> {
  const replace: Record<string, string> = {};
  for (const overlay of overlays) {
    const dir = join(moduleCopy, overlay.package);
    const upstream = list(dir).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"));
    if (upstream.length === 0) throw new Error(`sourceOverlay ${overlay.package}: the pinned module has no Go files there (lab/tools/pins.yaml)`);
    for (const file of upstream) replace[join(dir, file)] = "";
    replace[join(dir, "zz_hard_tenancy_overlay.go")] = resolve(wrapperDir, overlay.file);
  }
  return replace;
}

/**
 * Copies the module out of the module cache into `sourceDir` (once: a module version's content never
 * changes) and writes the overlay JSON beside it.
 */
export function prepareOverlay(moduleDir: string, wrapperDir: string, overlays: SourceOverlay[], sourceDir: string): OverlayPlan {
  for (const overlay of overlays) {
    if (!existsSync(join(wrapperDir, overlay.file))) throw new Error(`sourceOverlay ${overlay.package}: ${overlay.file} is missing from the wrapper (lab/tools/pins.yaml)`);
  }
  const moduleCopy = join(sourceDir, "module");
  if (!existsSync(moduleCopy)) {
    const partial = `${moduleCopy}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(sourceDir, { recursive: true });
    cpSync(moduleDir, partial, { recursive: true });
    renameSync(partial, moduleCopy);
  }
  const replace = overlayReplacements(moduleCopy, wrapperDir, overlays, (dir) => (existsSync(dir) ? readdirSync(dir) : []));
  const overlayFile = join(sourceDir, "overlay.json");
  writeFileSync(overlayFile, `${JSON.stringify({ Replace: replace }, null, 1)}\n`);
  return { moduleCopy, overlayFile, replace };
}
