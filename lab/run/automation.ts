// Executes the plan's Automation API steps on the lab stack with @pulumi/pulumi/automation
// (3.248: LocalWorkspace.createOrSelectStack({ stackName, workDir }, { envVars }), then Stack's
// up({ onOutput, refresh, configFile })). The stack's program is the project in workDir
// (Pulumi.yaml → stacks/index.ts); envVars carry the local backend URL and the empty passphrase to
// every CLI call the workspace makes. No config is ever set through the API: Stack.setAllConfig and
// friends rewrite stacks/Pulumi.<stack>.yaml (Pulumi.yaml's stackConfigDir), a committed file; the
// lab writes a working copy under .lab/ instead and `up` reads it (`--config-file`).
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
    const created = await LocalWorkspace.createOrSelectStack({ stackName, workDir }, { envVars: env });
    stack = created;
    selected = { stackName, workDir };
    return created;
  };
  const current = (): Stack => {
    if (!stack) throw new Error(`no stack selected yet (selected: ${JSON.stringify(selected)}); the plan must start with createOrSelectStack`);
    return stack;
  };
  return async (call, env) => {
    try {
      switch (call.op) {
        case "createOrSelectStack":
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
