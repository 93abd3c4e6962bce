// The lab's demo workloads as the isolation model's probe endpoints (lab/model/stand-ins.ts):
// the model takes them as an argument and so depends on nothing in the lab.
import type { ProbeEndpoints } from "../model/stand-ins";
import { buildDemoWorkloads, grantTargetStandIns, stackDemoWorkloads } from "./demo";

export const labProbeEndpoints: ProbeEndpoints = {
  deployed: stackDemoWorkloads,
  standIns: (spec) => buildDemoWorkloads(spec, { standIns: true }),
  grantTargets: (spec) => grantTargetStandIns(spec),
};
