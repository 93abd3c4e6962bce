// Probe stand-ins: the model's verdict of a platform must not depend on whether its stack deploys
// the lab's demo workloads. The catalogue probes from the demo clients to the demo echo servers
// and to the workloads grants name, so the model always adds them when the objects lack them:
// every demo workload (echo, client, debug, bypass, the shared-service servers) and a stand-in
// server for each granted workload the demo does not provide.
import type { K8sObject } from "../../components/k8s/object";
import { objectKey } from "../../components/k8s/object";
import type { PlatformSpec } from "../../components/spec/types";
import { buildDemoWorkloads, grantTargetStandIns } from "../workloads/demo";

/** The line the human report prints when the stack deploys no demo workloads. */
export const STAND_IN_NOTICE = "probe sources and targets are stand-ins: this stack deploys no demo workloads";

/**
 * `objects` plus the stand-ins they lack (never deployed, so no LimitRange check). A stand-in is skipped when an object of the same kind,
 * namespace and name exists; a granted workload's stand-in is skipped as a whole when the objects
 * already have a Service of its name in its namespace (the real target, e.g. in a cluster dump).
 */
export function withProbeStandIns(spec: PlatformSpec, objects: K8sObject[]): K8sObject[] {
  const present = new Set(objects.map(objectKey));
  const services = new Set(objects.filter((o) => o.kind === "Service").map((o) => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`));
  const grantTargets = grantTargetStandIns(spec);
  const realGrantTargets = new Set(
    grantTargets.filter((o) => o.kind === "Service" && services.has(`${o.metadata.namespace}/${o.metadata.name}`)).map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
  );
  const missing = [...buildDemoWorkloads(spec, { standIns: true }), ...grantTargets.filter((o) => !realGrantTargets.has(`${o.metadata.namespace}/${o.metadata.name}`))].filter(
    (o) => !present.has(objectKey(o)),
  );
  return [...objects, ...missing];
}
