// Test helpers: specs through the real validator, and object lookups that fail loudly.
import type { K8sObject } from "../../../components/k8s/object";
import { validatePlatformConfig } from "../../../components/spec/validate";
import type { PlatformConfig, PlatformSpec } from "../../../components/spec/types";
import { labConfig, syntheticConfig } from "../../fixtures/platform";

export function labSpec(overrides: Partial<PlatformConfig> = {}): PlatformSpec {
  return validatePlatformConfig({ ...labConfig(), ...overrides });
}

export function syntheticSpec(tenants: number, overrides: Partial<PlatformConfig> = {}): PlatformSpec {
  return validatePlatformConfig(syntheticConfig(tenants, overrides));
}

export function find(objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).join(", ");
    throw new Error(`no ${kind} ${namespace ?? ""}/${name}; have: ${have}`);
  }
  return found;
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The object's `spec` as a loosely typed tree for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function spec(o: K8sObject): any {
  return (o as { spec?: unknown }).spec;
}
