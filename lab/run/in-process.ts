// Executes the plan's in-process steps: directories and files under .lab/, and the working copies
// of the stack config. Reads the source stack file, never writes it.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadStackSpec } from "../../components/spec/stack-config";
import { editStackConfigYaml } from "../plan/config-copy";
import type { InProcessAction } from "../plan/types";

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
function writeAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/**
 * Writes `action.to`: `action.from` with the edits applied (comments kept), then loads it as a
 * platform spec so an invalid copy stops the command here, naming the field, before any deploy.
 */
export function writeStackConfigCopy(action: Extract<InProcessAction, { op: "writeStackConfigCopy" }>): void {
  if (action.from === action.to) throw new Error(`stack config copy: source and destination are the same file (${action.from}); the source is never written`);
  let text: string;
  try {
    text = readFileSync(action.from, "utf8");
  } catch (error) {
    throw new Error(`${action.from}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  writeAtomically(action.to, editStackConfigYaml(text, action.edits, action.header, action.from));
  loadStackSpec({ file: action.to });
}

export function runInProcess(action: InProcessAction): void {
  switch (action.op) {
    case "makeDirectory":
      mkdirSync(action.path, { recursive: true });
      return;
    case "writeFile":
      writeAtomically(action.path, action.content);
      return;
    case "writeStackConfigCopy":
      writeStackConfigCopy(action);
      return;
  }
}
