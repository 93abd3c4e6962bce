#!/usr/bin/env zx
// Thin entry point: `zx scripts/lab.mjs up|check|ablate <layer>|scenario <name>|down [--dry-run] [--context NAME]`.
// All logic lives in lab/run/cli.ts (unit-tested); this only loads it through tsx and exits with its code.
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const cli = await tsImport("../lab/run/cli.ts", import.meta.url);
const { main } = cli.main ? cli : cli.default;
// zx leaves the script's own arguments after the script path.
const scriptIndex = process.argv.findIndex((arg) => arg.endsWith("lab.mjs"));
process.exitCode = await main(process.argv.slice(scriptIndex + 1), repoRoot);
