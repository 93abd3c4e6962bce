// Isolation-model benchmark: the full tenant × tenant verdict (every cell, defense in depth by
// evaluating each layer alone and each layer removed) for 500 and 1,000 tenants (syntheticConfig,
// demo workloads), timed from the spec (objects rendered, tenants grouped, model built, probes
// evaluated). 1,000 tenants must take under 10 s and under 1 GiB; the 500 → 1,000 time ratio
// shows the growth (≈ 2 for linear). Also times the connection matrix of the 1,000-tenant
// platform and its 500 → 1,000 ratio (informational). Called by scripts/bench.ts; runnable alone with `tsx scripts/bench-model.ts`.
import { performance } from "node:perf_hooks";
import { validatePlatformConfig } from "../components/spec/validate";
import { buildClusterModel } from "../lab/model/cluster";
import { connectionMatrix } from "../lab/model/matrix";
import { platformObjects, verifyPlatform } from "../lab/model/platform";
import { syntheticConfig } from "../test/fixtures/platform";
import { labProbeEndpoints } from "../lab/workloads/probe-endpoints";

export const MODEL_SIZES = [500, 1000] as const;
export const MODEL_BUDGET_MS = 10_000;
export const MODEL_BUDGET_BYTES = 1024 ** 3;
/** Linear growth doubles the time; quadratic would quadruple it. */
export const MAX_GROWTH_RATIO = 2.6;

export interface ModelMeasurement {
  tenants: number;
  verdictMs: number;
  classes: number;
  /** Tenant-pair probes the verdict stands for (expanded). */
  probes: number;
  intentsMet: boolean;
  defenseInDepthMet: boolean;
  rssBytes: number;
  heapUsedBytes: number;
}

export function measureVerdict(tenants: number): ModelMeasurement {
  const spec = validatePlatformConfig(syntheticConfig(tenants));
  const t0 = performance.now();
  const verdict = verifyPlatform(spec, { endpoints: labProbeEndpoints });
  const verdictMs = performance.now() - t0;
  const memory = process.memoryUsage();
  return {
    tenants,
    verdictMs,
    classes: verdict.classes.length,
    probes: verdict.summary.probes,
    intentsMet: verdict.summary.intentsMet,
    defenseInDepthMet: verdict.summary.defenseInDepthMet,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
  };
}

function measureMatrix(tenants: number): { ms: number; connections: number } {
  const spec = validatePlatformConfig(syntheticConfig(tenants));
  const model = buildClusterModel(platformObjects(spec, labProbeEndpoints), { rootNamespace: spec.meshNamespace, trustDomain: spec.cluster.trustDomain });
  const t0 = performance.now();
  const matrix = connectionMatrix(model);
  return { ms: performance.now() - t0, connections: matrix.connections.length };
}

const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const verdictWord = (ok: boolean): string => (ok ? "PASS" : "FAIL");

export interface BenchModelOptions {
  /** Time the 1,000-tenant connection matrix too (default true; env BENCH_MODEL_MATRIX=0 skips it). */
  matrix?: boolean;
}

/** Runs the benchmark, prints one PASS/FAIL line per figure; returns true if all pass. */
export function benchModel(log: (line: string) => void = console.log, options: BenchModelOptions = {}): boolean {
  measureVerdict(30); // warm-up: module loading and JIT, not measured
  const runs = MODEL_SIZES.map(measureVerdict);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  log("model benchmark: platform verdict with defense in depth (syntheticConfig, demo workloads)");
  log("tenants  verdict ms  classes  tenant-pair probes  rss       heap used");
  for (const r of runs) {
    log(`${String(r.tenants).padStart(7)}  ${r.verdictMs.toFixed(0).padStart(10)}  ${String(r.classes).padStart(7)}  ${String(r.probes).padStart(18)}  ${mib(r.rssBytes).padEnd(8)}  ${mib(r.heapUsedBytes)}`);
  }
  const [half, full] = runs;
  const ratio = full.verdictMs / half.verdictMs;
  const checks: [string, boolean][] = [
    [`1,000-tenant verdict in ${full.verdictMs.toFixed(0)} ms (budget ${MODEL_BUDGET_MS} ms)`, full.verdictMs < MODEL_BUDGET_MS],
    [`peak memory ${mib(peakRss)} RSS (budget ${mib(MODEL_BUDGET_BYTES)})`, peakRss < MODEL_BUDGET_BYTES],
    [`500 → 1,000 tenants time ratio ${ratio.toFixed(2)} (≈ 2 is linear; limit ${MAX_GROWTH_RATIO})`, ratio <= MAX_GROWTH_RATIO],
    [`1,000-tenant platform: every intent met, every attack behind its required layers`, full.intentsMet && full.defenseInDepthMet],
  ];
  for (const [label, ok] of checks) log(`${verdictWord(ok)}  ${label}`);
  const withMatrix = options.matrix ?? process.env.BENCH_MODEL_MATRIX !== "0";
  if (withMatrix) {
    measureMatrix(30); // warm-up, not measured
    const [halfMatrix, m] = MODEL_SIZES.map(measureMatrix);
    log(`info  1,000-tenant connection matrix: ${m.ms.toFixed(0)} ms, ${m.connections} connected workload pairs`);
    log(`info  500 → 1,000 tenants connection matrix time ratio ${(m.ms / halfMatrix.ms).toFixed(2)} (${halfMatrix.ms.toFixed(0)} → ${m.ms.toFixed(0)} ms; ≈ 2 is linear)`);
  }
  return checks.every(([, ok]) => ok);
}

if (require.main === module) {
  process.exitCode = benchModel() ? 0 : 1;
}
