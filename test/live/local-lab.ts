// A local-backend lab for a whole suite (real etcd, kube-apiserver and kube-controller-manager
// with the lab stack applied), built on the shared set-up in live-lab.ts: started in `before`
// (skipped with the reason where Go is missing), torn down in `after` even when a test or the
// start failed.
import { existsSync, rmSync } from "node:fs";
import { localDown, localUp, type LocalUpOptions, type LocalUpResult } from "../../lab/local/backend";
import { localPaths } from "../../lab/local/paths";
import type { LabSettings } from "../../lab/plan/settings";
import type { LabIO } from "../../lab/run/execute";
import { liveLab, skipWithoutGo } from "./live-lab";

export interface LiveLab {
  labDir: string;
  settings: LabSettings;
  io: LabIO;
  up: LocalUpResult;
  /** Seconds `localUp` took, start to admission settled. */
  upSeconds: number;
}

/** Registers the suite's `before` and `after` hooks; returns the lab for the tests. */
export function useLiveLab(prefix: string, options: LocalUpOptions = {}): () => LiveLab {
  const lab: Partial<LiveLab> = {};
  before(async function () {
    skipWithoutGo(this);
    Object.assign(lab, liveLab(prefix, []));
    const started = Date.now();
    lab.up = await localUp(lab.io!, lab.settings!, options);
    lab.upSeconds = (Date.now() - started) / 1000;
  });
  after(async () => {
    if (lab.settings && lab.io && existsSync(localPaths(lab.settings.labDir).root)) await localDown(lab.io, lab.settings);
    if (lab.labDir) rmSync(lab.labDir, { recursive: true, force: true });
  });
  return () => lab as LiveLab;
}
