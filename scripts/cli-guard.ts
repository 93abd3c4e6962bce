// The last line of defence of every entry point: whatever escapes a command's own error handling
// becomes one line on stderr and exit 2, never a stack trace; a reader that closes stdout early
// (`render | head`) gets the same treatment.
export function guardCli(command: string): void {
  const fail = (message: string): void => {
    process.stderr.write(`${command}: ${message}\n`);
    process.exit(2);
  };
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") fail("stdout was closed before the output was complete (EPIPE); write to a file (e.g. --out DIR or > file) or pipe into a reader that reads everything");
    else fail(`cannot write to stdout (${error.code ?? error.message})`);
  });
  const unexpected = (error: unknown): void => fail(`internal error: ${error instanceof Error ? error.message.split("\n")[0] : String(error)} (please report it with the command line)`);
  process.on("uncaughtException", unexpected);
  process.on("unhandledRejection", unexpected);
}
