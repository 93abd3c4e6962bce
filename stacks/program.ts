// The Pulumi program as a function: stack config → validated spec → Platform, returning the stack
// outputs. stacks/index.ts (Pulumi.yaml's `main`) runs it once; the local lab runs it as an inline
// program through the Automation API (lab/local/pulumi.ts), once per engine operation.
//
// Invalid config fails before any resource is registered, listing every problem (field + fix).
// With `demoWorkloads: true` (the lab stack) the lab's demo workloads go into every tenant and the
// shared namespace, each created after that namespace's policies and istiod.
//
// Lab-only switches, namespace `lab` (never set in a committed stack file; the local lab writes them
// into its working copy under .lab/):
//   lab:helmReleases: false    no Helm release (no chart repository is reachable there; the local
//                              backend installs the CRDs itself) — see PlatformArgs.helmReleases
//   lab:awaitReadiness: false  no readiness wait that needs running pods or a controller
//                              (components/pulumi/await.ts)
import * as pulumi from "@pulumi/pulumi";
import { Platform } from "../components/pulumi/Platform";
import { skipRuntimeWaits } from "../components/pulumi/await";
import { ConfigError, validatePlatformConfig } from "../components/spec";
import type { PlatformSpec } from "../components/spec";
import { stackDemoWorkloads } from "../lab/workloads/demo";
import { readStackPlatformConfig } from "./config";

/** The config namespace of the lab-only switches. */
export const LAB_CONFIG_NAMESPACE = "lab";

function validatedSpec(): PlatformSpec {
  try {
    return validatePlatformConfig(readStackPlatformConfig());
  } catch (error) {
    // RunError: Pulumi prints the message (every problem) without a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

export function platformProgram() {
  const spec = validatedSpec();
  const lab = new pulumi.Config(LAB_CONFIG_NAMESPACE);
  const platform = new Platform(
    "hard-tenancy",
    { spec, workloads: stackDemoWorkloads(spec), helmReleases: lab.getBoolean("helmReleases") ?? true },
    lab.getBoolean("awaitReadiness") === false ? { transforms: [skipRuntimeWaits] } : {},
  );
  return {
    cluster: spec.cluster.name,
    kubeContext: spec.cluster.kubeContext || "(current context)",
    tenants: spec.tenants.map((t) => ({ name: t.name, namespace: t.namespace, ingressFromGateway: t.ingress.fromGateway })),
    namespaces: {
      tenants: spec.tenants.map((t) => t.namespace),
      mesh: spec.meshNamespace,
      sharedServices: spec.sharedServices.enabled ? spec.sharedServices.namespace : null,
      ingressGateway: spec.install.ingressGateway ? spec.ingressGateway.namespace : null,
    },
    layersEnabled: Object.entries(spec.layers).filter(([, on]) => on).map(([layer]) => layer),
    layersDisabled: Object.entries(spec.layers).filter(([, on]) => !on).map(([layer]) => layer),
    installed: spec.install,
    versions: { calico: spec.versions.calico, certManager: spec.versions.certManager, istio: spec.versions.istio },
    grants: spec.grants.map((g) => g.id),
    demoWorkloads: spec.demoWorkloads,
    platformUrn: platform.urn,
  };
}
