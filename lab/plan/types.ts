// A plan: every kind/kubectl/pulumi/docker invocation a lab command makes, in order, as argv (never
// a shell string), each with what it waits for. `--dry-run` prints it; the runner executes the
// very same steps. Steps done through the Pulumi Automation API carry the call and show its CLI
// equivalent as argv.

/** A Pulumi Automation API call on the lab stack (`LocalWorkspace.createOrSelectStack` + `Stack` methods). */
export type AutomationCall =
  | { op: "createOrSelectStack"; stackName: string; workDir: string }
  | { op: "setAllConfig"; config: Record<string, string>; path: true }
  | { op: "getConfig"; key: string; path: true }
  | { op: "removeConfig"; key: string; path: true }
  | { op: "up"; refresh: boolean };

export interface PlanStep {
  /** Exact argv. For an Automation API step: the equivalent `pulumi` CLI invocation. */
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
  /** The process is killed after this long. */
  timeoutSeconds?: number;
  /** A non-zero exit does not stop the command (e.g. deleting what may not exist). */
  mayFail?: boolean;
}

export type LabCommand = "up" | "check" | "ablate" | "scenario" | "down";

export interface Plan {
  command: LabCommand;
  steps: PlanStep[];
  /** Things done in-process (files written/removed), in order, for the dry-run listing. */
  notes: string[];
  /** Upper bound on the probe phase's wall time, when the plan runs probes. */
  boundSeconds?: number;
}
