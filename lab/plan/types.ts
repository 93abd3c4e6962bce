// A plan: every kind/kubectl/pulumi/docker invocation a lab command makes, in order, as argv (never
// a shell string), each with what it waits for. `--dry-run` prints it; the runner executes the
// very same steps. Steps done through the Pulumi Automation API carry the call and show its CLI
// equivalent as argv; steps done in-process (files written under .lab/) carry the action and no argv.

/**
 * A Pulumi Automation API call on the lab stack (`LocalWorkspace.selectStack` + `Stack.up`).
 * The lab never writes stack config through the API (that would rewrite the committed
 * stacks/Pulumi.<stack>.yaml) and never creates the stack through it (creating writes an
 * encryptionsalt into that file): `up` reads a working copy under .lab/ given as `configFile`.
 */
export type AutomationCall =
  | { op: "selectStack"; stackName: string; workDir: string }
  | { op: "up"; refresh: boolean; configFile: string };

/**
 * One value set in a copy of a stack config file: `key` is the `<namespace>:<name>` key under
 * `config:`, `path` the fields below it (empty: the key's whole value).
 */
export interface StackConfigEdit {
  key: string;
  path: string[];
  value: unknown;
}

/** Work done by the lab process itself, not by a tool. */
export type InProcessAction =
  | { op: "makeDirectory"; path: string }
  | { op: "writeFile"; path: string; content: string; what: string }
  /** Copy a stack config file with some values set (comments kept), then validate the copy. */
  | { op: "writeStackConfigCopy"; from: string; to: string; edits: StackConfigEdit[]; header: string };

export interface PlanStep {
  /** Exact argv. For an Automation API step: the equivalent `pulumi` CLI invocation. Empty for an in-process step. */
  argv: string[];
  /** What the step blocks on before the next one starts. */
  waitsFor: string;
  /** Condition under which the step runs (absent: always). */
  when?: string;
  /** Piped to stdin (YAML for `kubectl apply -f -`). */
  stdin?: string;
  /** Extra environment for this step (the Pulumi steps get the local backend and empty passphrase). */
  env?: Record<string, string>;
  /** Set when the step runs through the Automation API instead of a process. */
  automation?: AutomationCall;
  /** Set when the lab process does the step itself (argv is then empty). */
  inProcess?: InProcessAction;
  /** The process is killed after this long. */
  timeoutSeconds?: number;
  /** A non-zero exit does not stop the command (e.g. deleting what may not exist). */
  mayFail?: boolean;
}

export type LabCommand = "up" | "check" | "ablate" | "scenario" | "down";

export interface Plan {
  command: LabCommand;
  steps: PlanStep[];
  /** Further things done in-process that are not steps (summaries printed, files removed), for the dry-run listing. */
  notes: string[];
  /** Upper bound on the probe phase's wall time, when the plan runs probes. */
  boundSeconds?: number;
}
