// Isolation-model benchmark on realistic input. Each measurement runs in a child process of its
// own, so its peak RSS is its own:
// - the full verdict (every cell, defense in depth from each layer alone and each layer removed)
//   of seeded heterogeneous platforms (test/fixtures/heterogeneous-platform.ts) of 500, 1,000 and
//   10,000 tenants, timed from the spec (objects rendered, model built, pairs classed, probes
//   evaluated), the 10,000-tenant one with its progress lines;
// - the same for 1,000 identical tenants (syntheticConfig), which must not regress;
// - `verify --config` on a generated 1,000-tenant stack file, end to end through the CLI;
// - `verify --manifests DIR --matrix` on a seeded dump of an arbitrary cluster of 20,000 documents
//   and 5,000 pods, with its streamed connection list.
// One PASS/FAIL line per figure. Called by scripts/bench.ts; runnable alone with
// `tsx scripts/bench-model.ts` (BENCH_MODEL_10K=0 skips the 10,000-tenant run).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { stringify } from "yaml";
import { validatePlatformConfig } from "../components/spec/validate";
import type { PlatformConfig } from "../components/spec/types";
import { verifyPlatform } from "../lab/model/platform";
import { runVerify } from "../lab/model/verify-cli";
import { formatProgress } from "../lab/model/verdict-stream";
import { clusterDump, writeClusterDump } from "../test/fixtures/cluster-dump";
import { heterogeneousConfig } from "../test/fixtures/heterogeneous-platform";
import { syntheticConfig } from "../test/fixtures/platform";
import { labProbeEndpoints } from "../lab/workloads/probe-endpoints";

const GIB = 1024 ** 3;
export const FIGURES = {
  heterogeneous1000: { ms: 10_000, bytes: GIB },
  growth: 2.5,
  heterogeneous10000: { ms: 120_000, bytes: 4 * GIB },
  identical1000: { ms: 5_000 },
  cli1000: { ms: 10_000 },
  matrix: { documents: 20_000, pods: 5_000, ms: 10_000, bytes: GIB },
} as const;
/** Namespaces of the cluster dump: 40 documents and 10 pods each (test/fixtures/cluster-dump.ts). */
const MATRIX_NAMESPACES = 500;

type Kind = "heterogeneous" | "identical" | "cli" | "matrix";

interface Measurement {
  kind: Kind;
  size: number;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  tenantClasses?: number;
  cells?: number;
  probesEvaluated?: number;
  tenantPairProbes?: number;
  intentsMet?: boolean;
  defenseInDepthMet?: boolean;
  progressLines?: number;
  exitCode?: number;
  documents?: number;
  pods?: number;
  outputBytes?: number;
}

function configFor(kind: "heterogeneous" | "identical", tenants: number): PlatformConfig {
  return kind === "heterogeneous" ? heterogeneousConfig(tenants, { seed: 1 }) : syntheticConfig(tenants);
}

/** Module loading and JIT on a small input, before any clock starts. */
function warmUp(kind: Kind): void {
  if (kind === "heterogeneous" || kind === "identical") verifyPlatform(validatePlatformConfig(configFor(kind, 30)), { endpoints: labProbeEndpoints, keepOutcomes: false });
  if (kind === "matrix") {
    const dir = mkdtempSync(join(tmpdir(), "bench-warm-"));
    writeClusterDump(dir, clusterDump(5));
    runVerify(["--manifests", dir, "--matrix", "--format", "json"], { io: { stdout: () => undefined, stderr: () => undefined } });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One measurement, in this (child) process. */
function measure(kind: Kind, size: number): Measurement {
  warmUp(kind);
  const cpu0 = process.cpuUsage();
  const cpuMs = (): number => {
    const u = process.cpuUsage(cpu0);
    return (u.user + u.system) / 1000;
  };
  if (kind === "matrix") {
    const dir = mkdtempSync(join(tmpdir(), "bench-matrix-"));
    try {
      const documents = clusterDump(size);
      writeClusterDump(dir, documents);
      const pods = documents.filter((d) => d.kind === "Pod").length;
      let outputBytes = 0;
      const t0 = performance.now();
      const c0 = cpuMs();
      const result = runVerify(["--manifests", dir, "--matrix", "--format", "json"], { io: { stdout: (c) => (outputBytes += Buffer.byteLength(c)), stderr: () => undefined } });
      return { kind, size, wallMs: performance.now() - t0, cpuMs: cpuMs() - c0, peakRssBytes: process.resourceUsage().maxRSS * 1024, documents: documents.length, pods, outputBytes, exitCode: result.exitCode };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (kind === "cli") {
    const dir = mkdtempSync(join(tmpdir(), "bench-cli-"));
    try {
      const file = join(dir, "Pulumi.generated.yaml");
      writeFileSync(file, stringify({ config: Object.fromEntries(Object.entries(heterogeneousConfig(size, { seed: 1 })).map(([k, v]) => [`hard-tenancy:${k}`, v])) }));
      const t0 = performance.now();
      const child = spawnSync(process.execPath, [...process.execArgv, join(__dirname, "verify.ts"), "--config", file], { encoding: "utf8", maxBuffer: 1 << 28 });
      const wallMs = performance.now() - t0;
      return { kind, size, wallMs, cpuMs: NaN, peakRssBytes: NaN, exitCode: child.status ?? -1, outputBytes: Buffer.byteLength(child.stdout ?? "") };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const spec = validatePlatformConfig(configFor(kind, size));
  let progressLines = 0;
  const t0 = performance.now();
  const c0 = cpuMs();
  const verdict = verifyPlatform(spec, {
    endpoints: labProbeEndpoints,
    keepOutcomes: false,
    onProgress: (p) => {
      progressLines += 1;
      process.stderr.write(`  [${kind} ${size}] ${formatProgress(p)}`);
    },
  });
  return {
    kind,
    size,
    wallMs: performance.now() - t0,
    cpuMs: cpuMs() - c0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    tenantClasses: verdict.classes.length,
    cells: verdict.cells.length,
    probesEvaluated: verdict.probesEvaluated,
    tenantPairProbes: verdict.summary.probes,
    intentsMet: verdict.summary.intentsMet,
    defenseInDepthMet: verdict.summary.defenseInDepthMet,
    progressLines,
  };
}

/** Runs one measurement in a child process (its peak RSS is its own); progress passes through. */
function measureInChild(kind: Kind, size: number): Measurement {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, "--measure", kind, String(size)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`bench-model: measuring ${kind} ${size} failed (exit ${child.status ?? child.signal}):\n${child.stdout}`);
  return JSON.parse(child.stdout.trim().split("\n").pop() ?? "") as Measurement;
}

const mib = (bytes: number): string => (Number.isNaN(bytes) ? "-" : `${(bytes / 1024 ** 2).toFixed(0)} MiB`);
const sec = (ms: number): string => (Number.isNaN(ms) ? "-" : `${(ms / 1000).toFixed(1)} s`);
const count = (n: number | undefined): string => (n === undefined ? "-" : n.toLocaleString("en-US"));
const verdictWord = (ok: boolean): string => (ok ? "PASS" : "FAIL");

export interface BenchModelOptions {
  /** Run the 10,000-tenant figure (default true; env BENCH_MODEL_10K=0 skips it, which is reported). */
  tenThousand?: boolean;
}

/** Runs the benchmark, prints a table and one PASS/FAIL line per figure; returns true if all pass. */
export function benchModel(log: (line: string) => void = console.log, options: BenchModelOptions = {}): boolean {
  const tenThousand = options.tenThousand ?? process.env.BENCH_MODEL_10K !== "0";
  const load = loadavg().map((l) => l.toFixed(1)).join(" ");
  log(`model benchmark: full verdict with defense in depth, heterogeneous seeded platforms`);
  log(`load average ${load} on ${availableParallelism()} cores: wall times include waiting for a CPU when the load is above the cores; cpu is the process's own time`);
  const sizes = tenThousand ? [500, 1000, 10_000] : [500, 1000];
  const hetero = sizes.map((n) => measureInChild("heterogeneous", n));
  const identical = measureInChild("identical", 1000);
  const cli = measureInChild("cli", 1000);
  const matrix = measureInChild("matrix", MATRIX_NAMESPACES);

  log("platform       tenants  wall      cpu       peak RSS   tenant classes  cells (pair classes)  probes evaluated  tenant-pair probes  growth");
  const rows = [...hetero, identical];
  rows.forEach((r, i) => {
    const previous = i > 0 && rows[i - 1].kind === r.kind ? rows[i - 1] : undefined;
    const growth = previous ? `t×${(r.wallMs / previous.wallMs).toFixed(2)} for n×${(r.size / previous.size).toFixed(0)}` : "";
    log(
      `${r.kind.padEnd(13)}  ${count(r.size).padStart(7)}  ${sec(r.wallMs).padEnd(8)}  ${sec(r.cpuMs).padEnd(8)}  ${mib(r.peakRssBytes).padEnd(9)}  ${count(r.tenantClasses).padStart(14)}  ${count(r.cells).padStart(20)}  ${count(r.probesEvaluated).padStart(16)}  ${count(r.tenantPairProbes).padStart(18)}  ${growth}`,
    );
  });
  log(`verify --config (1,000 heterogeneous tenants, CLI end to end): ${sec(cli.wallMs)}, exit ${cli.exitCode}`);
  log(`verify --manifests --matrix: ${count(matrix.documents)} documents, ${count(matrix.pods)} pods: ${sec(matrix.wallMs)} wall, ${sec(matrix.cpuMs)} cpu, ${mib(matrix.peakRssBytes)} peak RSS, ${mib(matrix.outputBytes ?? 0)} of JSON streamed`);

  const [half, full] = hetero;
  const ratio = full.wallMs / half.wallMs;
  const checks: [string, boolean][] = [
    [`1,000 heterogeneous tenants: verdict in ${sec(full.wallMs)} (budget ${sec(FIGURES.heterogeneous1000.ms)})`, full.wallMs < FIGURES.heterogeneous1000.ms],
    [`1,000 heterogeneous tenants: peak RSS ${mib(full.peakRssBytes)} (budget ${mib(FIGURES.heterogeneous1000.bytes)})`, full.peakRssBytes < FIGURES.heterogeneous1000.bytes],
    [`500 → 1,000 heterogeneous tenants: time ratio ${ratio.toFixed(2)} (≈ 2 is linear; limit ${FIGURES.growth})`, ratio <= FIGURES.growth],
    [`1,000 heterogeneous tenants: every intent met, every attack behind its required layers`, full.intentsMet === true && full.defenseInDepthMet === true],
    [`1,000 identical tenants: verdict in ${sec(identical.wallMs)} (budget ${sec(FIGURES.identical1000.ms)})`, identical.wallMs < FIGURES.identical1000.ms],
    [`verify --config, 1,000 heterogeneous tenants, end to end: ${sec(cli.wallMs)} (budget ${sec(FIGURES.cli1000.ms)}), exit ${cli.exitCode}`, cli.wallMs < FIGURES.cli1000.ms && cli.exitCode === 0],
    [
      `verify --manifests --matrix, ${count(matrix.documents)} documents / ${count(matrix.pods)} pods: ${sec(matrix.wallMs)} (budget ${sec(FIGURES.matrix.ms)}), peak RSS ${mib(matrix.peakRssBytes)} (budget ${mib(FIGURES.matrix.bytes)})`,
      (matrix.documents ?? 0) >= FIGURES.matrix.documents && (matrix.pods ?? 0) >= FIGURES.matrix.pods && matrix.wallMs < FIGURES.matrix.ms && matrix.peakRssBytes < FIGURES.matrix.bytes && matrix.exitCode === 0,
    ],
  ];
  if (tenThousand) {
    const big = hetero[2];
    checks.push([
      `10,000 heterogeneous tenants: verdict in ${sec(big.wallMs)} (budget ${sec(FIGURES.heterogeneous10000.ms)}), peak RSS ${mib(big.peakRssBytes)} (budget ${mib(FIGURES.heterogeneous10000.bytes)}), ${big.progressLines} progress lines`,
      big.wallMs < FIGURES.heterogeneous10000.ms && big.peakRssBytes < FIGURES.heterogeneous10000.bytes && (big.progressLines ?? 0) > 0,
    ]);
  } else {
    checks.push(["10,000 heterogeneous tenants: not measured (BENCH_MODEL_10K=0)", false]);
  }
  for (const [label, ok] of checks) log(`${verdictWord(ok)}  ${label}`);
  return checks.every(([, ok]) => ok);
}

if (require.main === module) {
  const [flag, kind, size] = process.argv.slice(2);
  if (flag === "--measure") process.stdout.write(`${JSON.stringify(measure(kind as Kind, Number(size)))}\n`);
  else process.exitCode = benchModel() ? 0 : 1;
}
