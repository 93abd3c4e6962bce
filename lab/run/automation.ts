// Executes the plan's Automation API steps on the lab stack with @pulumi/pulumi/automation
// (3.248: LocalWorkspace.selectStack({ stackName, workDir }, { envVars }), then Stack's
// up({ onOutput, refresh, configFile })). The stack's program is the project in workDir
// (Pulumi.yaml → stacks/index.ts); envVars carry the local backend URL and the empty passphrase to
// every CLI call the workspace makes. Nothing here writes stacks/Pulumi.<stack>.yaml (Pulumi.yaml's
// stackConfigDir), a committed file: no config is set through the API (Stack.setAllConfig and
// friends rewrite that file; the lab writes a working copy under .lab/ and `up` reads it with
// `--config-file`), and the stack is only selected, never created, here. createOrSelectStack would
// run `pulumi stack init` in workDir when the stack is missing, and stack init saves the passphrase
// provider's encryptionsalt into that file; the plan creates the stack beforehand from .lab/stack-init.
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import type { AutomationCall } from "../plan/types";

export interface AutomationOutcome {
  ok: boolean;
  message?: string;
}

export type AutomationExecutor = (call: AutomationCall, env: Record<string, string>) => Promise<AutomationOutcome>;

export function pulumiAutomation(onOutput: (text: string) => void = (text) => process.stdout.write(text)): AutomationExecutor {
  let stack: Stack | undefined;
  let selected: { stackName: string; workDir: string } | undefined;
  const select = async (stackName: string, workDir: string, env: Record<string, string>): Promise<Stack> => {
    const existing = await LocalWorkspace.selectStack({ stackName, workDir }, { envVars: env });
    stack = existing;
    selected = { stackName, workDir };
    return existing;
  };
  const current = (): Stack => {
    if (!stack) throw new Error(`no stack selected yet (selected: ${JSON.stringify(selected)}); the plan must select the stack before up`);
    return stack;
  };
  return async (call, env) => {
    try {
      switch (call.op) {
        case "selectStack":
          await select(call.stackName, call.workDir, env);
          return { ok: true };
        case "up":
          await current().up({ onOutput, refresh: call.refresh, configFile: call.configFile, color: "auto" });
          return { ok: true };
      }
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  };
}
