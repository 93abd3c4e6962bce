// The live tier's shared setup: a local-backend lab (real etcd, kube-apiserver and
// kube-controller-manager with the lab stack applied) in a temporary .lab directory, skipped with
// the reason where Go is missing, and torn down even when a test fails.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localDown, localUp, type LocalUpResult } from "../../lab/local/backend";
import { localBackendSettings } from "../../lab/local/commands";
import { localPaths } from "../../lab/local/paths";
import { labSettings, type LabSettings } from "../../lab/plan/settings";
import { defaultIO, runnerEnv } from "../../lab/run/cli";
import type { LabIO } from "../../lab/run/execute";
import { goVersionSync } from "../../lab/tools/cache";

export const REPO = join(__dirname, "..", "..");

export interface LiveLab {
  labDir: string;
  settings: LabSettings;
  io: LabIO;
  up: LocalUpResult;
  /** Seconds `localUp` took, start to admission settled. */
  upSeconds: number;
}

/**
 * Registers the suite's `before` (start the lab; skip with the reason where Go is missing) and
 * `after` (stop it even when a test or the start failed) hooks; returns the lab for the tests.
 */
export function useLiveLab(prefix: string): () => LiveLab {
  const lab: Partial<LiveLab> = {};
  before(async function () {
    try {
      goVersionSync();
    } catch (error) {
      console.log(`  skipped: ${(error as Error).message}`);
      this.skip();
    }
    lab.labDir = mkdtempSync(join(tmpdir(), prefix));
    lab.settings = labSettings(REPO, { ...localBackendSettings(REPO), labDir: lab.labDir, stateDir: join(lab.labDir, "state"), reportsDir: join(lab.labDir, "reports"), kubeconfig: localPaths(lab.labDir).kubeconfig });
    lab.io = { ...defaultIO(runnerEnv(lab.settings)), log: (line) => console.log(`      │ ${line}`) };
    const started = Date.now();
    lab.up = await localUp(lab.io, lab.settings);
    lab.upSeconds = (Date.now() - started) / 1000;
  });
  after(async () => {
    if (lab.settings && lab.io && existsSync(localPaths(lab.settings.labDir).root)) await localDown(lab.io, lab.settings);
    if (lab.labDir) rmSync(lab.labDir, { recursive: true, force: true });
  });
  return () => lab as LiveLab;
}
