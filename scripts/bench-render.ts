// Render benchmark: 100, 500 and 1,000 tenants (syntheticConfig) → time, objects per tenant,
// YAML bytes. Objects per tenant must stay constant and bytes grow linearly (no object may list
// every tenant); 1,000 tenants must render in under 5 s. Called by scripts/bench.ts.
import { performance } from "node:perf_hooks";
import { buildPlatformObjects } from "../components/builders";
import { renderableObjects } from "../components/render/cli";
import { stackDemoWorkloads } from "../lab/workloads/demo";
import { renderYaml } from "../components/render/yaml";
import { validatePlatformConfig } from "../components/spec/validate";
import { syntheticConfig } from "../test/fixtures/platform";

export const RENDER_SIZES = [100, 500, 1000] as const;
export const RENDER_BUDGET_MS = 5000;
/** Marginal bytes per tenant may differ by at most this fraction between size steps. */
export const LINEARITY_TOLERANCE = 0.05;

export interface RenderMeasurement {
  tenants: number;
  validateMs: number;
  renderMs: number;
  objects: number;
  bytes: number;
  /** Distinct object counts of the tenants without grants (one value = constant). */
  perTenantCounts: number[];
}

export function measureRender(tenants: number): RenderMeasurement {
  const t0 = performance.now();
  const spec = validatePlatformConfig(syntheticConfig(tenants));
  const t1 = performance.now();
  const yaml = renderYaml(renderableObjects(spec, stackDemoWorkloads));
  const t2 = performance.now();
  const partners = new Set(spec.grants.flatMap((g) => [g.from, g.to]));
  const perTenantCounts = [
    ...new Set(buildPlatformObjects(spec).tenants.filter((t) => !partners.has(t.tenant)).map((t) => 1 + t.defaultDeny.length + t.rest.length)),
  ];
  return {
    tenants,
    validateMs: t1 - t0,
    renderMs: t2 - t1,
    objects: renderableObjects(spec, stackDemoWorkloads).length,
    bytes: Buffer.byteLength(yaml, "utf8"),
    perTenantCounts,
  };
}

function verdict(ok: boolean): string {
  return ok ? "PASS" : "FAIL";
}

/** Runs the benchmark, prints a table and one PASS/FAIL line per figure; returns true if all pass. */
export function benchRender(log: (line: string) => void = console.log): boolean {
  measureRender(20); // warm-up: module loading and JIT, not measured
  const runs = RENDER_SIZES.map(measureRender);
  log("render benchmark (syntheticConfig, demo workloads included)");
  log("tenants  validate ms  render ms  objects  objects/tenant  bytes       bytes/tenant");
  for (const r of runs) {
    log(
      `${String(r.tenants).padStart(7)}  ${r.validateMs.toFixed(0).padStart(11)}  ${r.renderMs.toFixed(0).padStart(9)}  ${String(r.objects).padStart(7)}  ${r.perTenantCounts.join("/").padStart(14)}  ${String(r.bytes).padStart(10)}  ${(r.bytes / r.tenants).toFixed(0).padStart(12)}`,
    );
  }
  const results: boolean[] = [];
  const largest = runs[runs.length - 1];
  const total = largest.validateMs + largest.renderMs;
  results.push(total < RENDER_BUDGET_MS);
  log(`${verdict(results.at(-1) as boolean)} time: ${largest.tenants} tenants validated + rendered in ${total.toFixed(0)} ms (budget ${RENDER_BUDGET_MS} ms)`);

  const counts = new Set(runs.flatMap((r) => r.perTenantCounts));
  results.push(counts.size === 1);
  log(`${verdict(results.at(-1) as boolean)} objects per tenant constant: ${[...counts].join(", ")} across ${RENDER_SIZES.join("/")} tenants`);

  const marginalObjects: number[] = [];
  const marginalBytes: number[] = [];
  for (let i = 1; i < runs.length; i += 1) {
    const added = runs[i].tenants - runs[i - 1].tenants;
    marginalObjects.push((runs[i].objects - runs[i - 1].objects) / added);
    marginalBytes.push((runs[i].bytes - runs[i - 1].bytes) / added);
  }
  results.push(new Set(marginalObjects).size === 1);
  log(`${verdict(results.at(-1) as boolean)} objects linear: each added tenant adds ${marginalObjects.map((m) => m.toFixed(2)).join(" then ")} objects`);

  const byteRatio = marginalBytes[marginalBytes.length - 1] / marginalBytes[0];
  const sizeRatios = runs.slice(1).map((r) => (r.bytes / runs[0].bytes).toFixed(2));
  const tenantRatios = runs.slice(1).map((r) => (r.tenants / runs[0].tenants).toFixed(2));
  results.push(Math.abs(byteRatio - 1) <= LINEARITY_TOLERANCE);
  log(
    `${verdict(results.at(-1) as boolean)} bytes linear: marginal bytes/tenant ${marginalBytes.map((m) => m.toFixed(0)).join(" then ")} (ratio ${byteRatio.toFixed(3)}, tolerance ±${LINEARITY_TOLERANCE}); total bytes ×${sizeRatios.join(", ×")} for tenants ×${tenantRatios.join(", ×")}`,
  );
  return results.every(Boolean);
}

if (require.main === module) {
  process.exitCode = benchRender() ? 0 : 1;
}
