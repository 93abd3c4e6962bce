// The Pulumi program: stack config → validated spec → Platform. `Pulumi.yaml` points `main` here.
//
// Invalid config fails before any resource is registered, listing every problem (field + fix).
// With `demoWorkloads: true` (the lab stack) the lab's demo workloads go into every tenant and the
// shared namespace, each created after that namespace's policies and istiod.
import * as pulumi from "@pulumi/pulumi";
import { Platform } from "../components/pulumi/Platform";
import { ConfigError, validatePlatformConfig } from "../components/spec";
import type { PlatformSpec } from "../components/spec";
import { stackDemoWorkloads } from "../lab/workloads/demo";
import { readStackPlatformConfig } from "./config";

function validatedSpec(): PlatformSpec {
  try {
    return validatePlatformConfig(readStackPlatformConfig());
  } catch (error) {
    // RunError: Pulumi prints the message (every problem) without a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const spec = validatedSpec();
const platform = newPlatform();

/** The Platform; a workload the tenant quotas cannot admit is a config error, reported like one. */
function newPlatform(): Platform {
  try {
    return new Platform("hard-tenancy", { spec, workloads: stackDemoWorkloads(spec) });
  } catch (error) {
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

export const cluster = spec.cluster.name;
export const kubeContext = spec.cluster.kubeContext || "(current context)";
export const tenants = spec.tenants.map((t) => ({ name: t.name, namespace: t.namespace, ingressFromGateway: t.ingress.fromGateway }));
export const namespaces = {
  tenants: spec.tenants.map((t) => t.namespace),
  mesh: spec.meshNamespace,
  sharedServices: spec.sharedServices.enabled ? spec.sharedServices.namespace : null,
  ingressGateway: spec.install.ingressGateway ? spec.ingressGateway.namespace : null,
};
export const layersEnabled = Object.entries(spec.layers).filter(([, on]) => on).map(([layer]) => layer);
export const layersDisabled = Object.entries(spec.layers).filter(([, on]) => !on).map(([layer]) => layer);
export const installed = spec.install;
export const versions = { calico: spec.versions.calico, certManager: spec.versions.certManager, istio: spec.versions.istio };
export const grants = spec.grants.map((g) => g.id);
export const demoWorkloads = spec.demoWorkloads;
export const platformUrn = platform.urn;
