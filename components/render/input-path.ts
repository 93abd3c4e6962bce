// Paths a command must not read or write as user input: the kernel's pseudo filesystems. Reading
// /proc or /sys as manifests walks thousands of generated files (some never end); their contents
// are not configuration. One line naming the problem and the fix instead.
import { resolve } from "node:path";

const PSEUDO_FILESYSTEMS = ["/proc", "/sys", "/dev"];

/** Throws an Error naming `flag`, the path and the fix when `path` lies in /proc, /sys or /dev. */
export function refusePseudoFilesystem(flag: string, path: string, fix: string): void {
  const absolute = resolve(path);
  const root = PSEUDO_FILESYSTEMS.find((p) => absolute === p || absolute.startsWith(`${p}/`));
  if (root) throw new Error(`${flag} ${path}: ${root} is a kernel pseudo filesystem, not ${fix}`);
}
