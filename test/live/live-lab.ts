// Shared set-up of the live specs: Go must be there (else the spec skips, saying why), then a
// temporary .lab/ with the local backend's settings and an IO that echoes every line indented.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localBackendSettings } from "../../lab/local/commands";
import { localPaths } from "../../lab/local/paths";
import { labSettings, type LabSettings } from "../../lab/plan/settings";
import { defaultIO, runnerEnv } from "../../lab/run/cli";
import type { LabIO } from "../../lab/run/execute";
import { goVersionSync } from "../../lab/tools/cache";

export const REPO = join(__dirname, "..", "..");

/** Skips the suite (with the reason) when Go is missing: the local backend builds its tools with it. */
export function skipWithoutGo(context: Mocha.Context): void {
  try {
    goVersionSync();
  } catch (error) {
    console.log(`  skipped: ${(error as Error).message}`);
    context.skip();
  }
}

/** A fresh temporary lab directory, the local backend's settings for it and a logging IO. */
export function liveLab(prefix: string, log: string[]): { labDir: string; settings: LabSettings; io: LabIO } {
  const labDir = mkdtempSync(join(tmpdir(), prefix));
  const settings = labSettings(REPO, { ...localBackendSettings(REPO), labDir, stateDir: join(labDir, "state"), reportsDir: join(labDir, "reports"), kubeconfig: localPaths(labDir).kubeconfig });
  const real = defaultIO(runnerEnv(settings));
  return { labDir, settings, io: { ...real, log: (line) => (log.push(line), line.trim() && console.log(`      │ ${line}`)) } };
}
