// Where the lab keeps things and how hard it may push: one value object passed to every planner.
import { join, resolve } from "node:path";
import { LAB_CLUSTER_NAME } from "../kind/cluster";
import { DEFAULT_MAX_TIME_SECONDS } from "../check/curl";
import { DEFAULT_BATCH_SIZE } from "../check/script";

/** kind names its kubeconfig context `kind-<cluster name>`. */
export const LAB_CONTEXT = `kind-${LAB_CLUSTER_NAME}`;
export const LAB_STACK = "lab";

/** Where the lab runs: a kind cluster (Docker), or upstream binaries as local processes. */
export type LabBackend = "kind" | "local";
export const LAB_BACKENDS: readonly LabBackend[] = ["kind", "local"];

export interface LabSettings {
  repoRoot: string;
  backend: LabBackend;
  /**
   * A private kubeconfig every kubectl call and the Pulumi provider get through KUBECONFIG (the
   * local backend's .lab/local/kubeconfig); absent: the user's own kubeconfig (kind).
   */
  kubeconfig?: string;
  /** Kube context every kubectl call and the Pulumi provider target. */
  context: string;
  /** True when the user passed --context (then the current-context guard is skipped). */
  contextExplicit: boolean;
  stack: string;
  /** `.lab/` under the repository. */
  labDir: string;
  /** Local Pulumi state backend directory (`file://` URL). */
  stateDir: string;
  reportsDir: string;
  /** The kind config rendered from the spec at `lab up`. */
  kindConfigPath: string;
  maxTimeSeconds: number;
  batchSize: number;
  /** Source pods probed at the same time (each one `kubectl exec`). */
  parallelExecs: number;
  rolloutTimeoutSeconds: number;
  /** Seconds to let policy changes propagate to every proxy before probing (ablate, scenario). */
  settleSeconds: number;
}

export function labSettings(repoRoot: string, overrides: Partial<LabSettings> = {}): LabSettings {
  const root = resolve(repoRoot);
  const labDir = join(root, ".lab");
  const settings: LabSettings = {
    repoRoot: root,
    backend: "kind",
    context: LAB_CONTEXT,
    contextExplicit: false,
    stack: LAB_STACK,
    labDir,
    stateDir: join(labDir, "state"),
    reportsDir: join(labDir, "reports"),
    kindConfigPath: join(labDir, "kind-config.yaml"),
    maxTimeSeconds: DEFAULT_MAX_TIME_SECONDS,
    batchSize: DEFAULT_BATCH_SIZE,
    parallelExecs: 6,
    rolloutTimeoutSeconds: 300,
    settleSeconds: 15,
    ...overrides,
  };
  for (const key of ["maxTimeSeconds", "batchSize", "parallelExecs", "rolloutTimeoutSeconds"] as const) {
    if (!Number.isInteger(settings[key]) || settings[key] < 1) {
      throw new Error(`${key}: ${settings[key]} must be a positive whole number`);
    }
  }
  return settings;
}

/**
 * Environment of every Pulumi step: local state under .lab/state, empty passphrase, no prompts.
 * The working copy `up` reads is regenerated without an `encryptionsalt`; with
 * PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER the CLI then takes the stack's secrets manager (its salt)
 * from the state checkpoint and saves it into that copy (the `--config-file`), instead of minting a
 * new salt on every run (pulumi/pulumi pkg/cmd/pulumi/stack/secrets.go, SecretsManagerLoader).
 */
export function pulumiEnv(settings: LabSettings): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: `file://${settings.stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
}
