// Probe stand-ins: the model's verdict of a platform must not depend on whether its stack deploys
// the lab's demo workloads. The catalogue probes from the demo clients to the demo echo servers
// and to the workloads grants name, so the model adds them when the objects lack them: every demo
// workload (echo, client, debug, bypass, the shared-service servers) and a stand-in server for
// each granted workload the demo does not provide.
//
// The model does not build them itself (it depends on nothing in the lab): its callers pass the
// lab's demo workloads in as `ProbeEndpoints` (lab/workloads/probe-endpoints.ts). What was added
// is reported, so no verdict counts a stand-in as a checked workload.
import type { K8sObject } from "../../components/k8s/object";
import { objectKey } from "../../components/k8s/object";
import type { PlatformSpec } from "../../components/spec/types";
import type { Probe } from "../probes/types";

/** The workloads the probe catalogue runs between, built by the caller. */
export interface ProbeEndpoints {
  /** What the stack itself deploys (the demo workloads when `spec.demoWorkloads`, else none). */
  deployed(spec: PlatformSpec): K8sObject[];
  /** Every demo workload, built as a stand-in (never deployed, so no LimitRange check). */
  standIns(spec: PlatformSpec): K8sObject[];
  /** A server per granted workload the demo does not provide. */
  grantTargets(spec: PlatformSpec): K8sObject[];
}

/** Workloads and Services the model added because the objects lacked them. */
export interface StandIns {
  /** "namespace/name" of every stand-in workload. */
  workloads: string[];
  /** "namespace/name" of every stand-in Service. */
  services: string[];
}

export const NO_STAND_INS: StandIns = { workloads: [], services: [] };

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Pod"]);

/**
 * `objects` plus the stand-ins they lack, and which those are. A stand-in is skipped when an object
 * of the same kind, namespace and name exists; a granted workload's stand-in is skipped as a whole
 * when the objects already have a Service of its name in its namespace (the real target, e.g. in
 * a cluster dump).
 */
export function withProbeStandIns(spec: PlatformSpec, objects: K8sObject[], endpoints: ProbeEndpoints): { objects: K8sObject[]; standIns: StandIns } {
  const present = new Set(objects.map(objectKey));
  const id = (o: K8sObject): string => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`;
  const services = new Set(objects.filter((o) => o.kind === "Service").map(id));
  const grantTargets = endpoints.grantTargets(spec);
  const realGrantTargets = new Set(grantTargets.filter((o) => o.kind === "Service" && services.has(id(o))).map(id));
  const missing = [...endpoints.standIns(spec), ...grantTargets.filter((o) => !realGrantTargets.has(id(o)))].filter((o) => !present.has(objectKey(o)));
  return {
    objects: [...objects, ...missing],
    standIns: { workloads: missing.filter((o) => WORKLOAD_KINDS.has(o.kind)).map(id), services: missing.filter((o) => o.kind === "Service").map(id) },
  };
}

/** Does the probe start at, or go to, a stand-in? */
export function touchesStandIn(probe: Probe, standIns: StandIns): boolean {
  if (standIns.workloads.length === 0 && standIns.services.length === 0) return false;
  if (standIns.workloads.includes(probe.from)) return true;
  const to = probe.to;
  if ("service" in to) return standIns.services.includes(to.service);
  if ("workload" in to) return standIns.workloads.includes(to.workload);
  return false;
}
