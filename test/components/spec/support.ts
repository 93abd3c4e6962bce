// Helpers for validation tests: a valid base config to break, and problems as "field: message".
import { checkPlatformConfig } from "../../../components/spec/validate";
import { syntheticConfig } from "../../fixtures/platform";

export type Raw = Record<string, unknown>;

/** A fresh, valid config (tenants t0001, t0002; no grants unless `withGrant`) as untyped data to break. */
export function baseConfig(withGrant = false): Raw {
  const config = syntheticConfig(2);
  if (!withGrant) config.grants = [];
  return structuredClone(config) as unknown as Raw;
}

/** `raw.tenants[index]` as a mutable map. */
export function tenant(raw: Raw, index: number): Raw {
  return (raw.tenants as Raw[])[index];
}

/** Every problem as "<field>: <message>", in report order. */
export function problemsOf(raw: unknown): string[] {
  return checkPlatformConfig(raw).problems.map((p) => `${p.field}: ${p.message}`);
}

/** The single problem's fix (fails loudly if there is not exactly one). */
export function onlyFix(raw: unknown): string {
  const { problems } = checkPlatformConfig(raw);
  if (problems.length !== 1) throw new Error(`expected exactly one problem, got ${problems.length}: ${JSON.stringify(problems)}`);
  return problems[0].fix;
}
