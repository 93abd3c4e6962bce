// The audit of what was read: visibility, then the same verdict / matrix / probe evaluation as for
// manifests (unseen layers evaluated as removed, never credited), then drift against the stack
// with its isolation impact. Pure: takes a ClusterRead, returns the result and the exit code.
//   exit 0: clean; 1: violated intents or defense in depth below requirement (both only when every
//   layer was seen: otherwise they are unverified) or drift that widens access; 2: input/access errors — a kind refused or failed, a layer the
//   platform enables not seen, or no verdict possible.
import { renderableObjects } from "../../components/render/cli";
import type { K8sObject } from "../../components/k8s/object";
import type { PlatformSpec } from "../../components/spec/types";
import type { LayerId, Probe, ProbeResult } from "../probes/types";
import { buildClusterModel } from "../model/cluster";
import { connectionMatrix } from "../model/matrix";
import { verifyPlatform, type PlatformVerdict } from "../model/platform";
import { evaluateProbes } from "../model/probe";
import type { MatrixJson } from "../model/report";
import { withProbeStandIns } from "../model/stand-ins";
import { withKindBuiltins } from "../model/verify-cli";
import { stackDemoWorkloads } from "../workloads/demo";
import { computeDrift, readableObjects, type DriftReport } from "./drift";
import { driftImpact, type DriftImpact } from "./impact";
import type { ClusterRead } from "./read";
import { visibilityOf, type Visibility } from "./visibility";
import { labProbeEndpoints } from "../workloads/probe-endpoints";

export const AUDIT_EXIT = { clean: 0, findings: 1, incomplete: 2 } as const;

export type AuditMode = { kind: "verdict" } | { kind: "matrix" } | { kind: "probes"; probes: Probe[] };

export interface AuditOptions {
  spec: PlatformSpec;
  /** "stack lab", a config file path. */
  title: string;
  mode: AuditMode;
  ablate: LayerId[];
  grouping?: boolean;
  /** Compare with the stack's rendered objects (--stack/--config given). */
  drift: boolean;
}

export interface AuditResult {
  read: ClusterRead;
  visibility: Visibility;
  title: string;
  /** Layers removed from the evaluation: unseen ones plus --ablate. */
  notCredited: LayerId[];
  verdict?: PlatformVerdict;
  matrix?: MatrixJson;
  probeResults?: ProbeResult[];
  drift?: DriftReport;
  impact?: DriftImpact;
  /** Verdict and drift evaluation time, ms. */
  evaluateMs: number;
  /** Of which the verdict (or matrix, probes), ms; the rest is drift and its impact. */
  verdictMs: number;
  status: "clean" | "findings" | "incomplete";
  /** Why the status is what it is, one line each. */
  reasons: string[];
  exitCode: number;
}

export function runAudit(read: ClusterRead, options: AuditOptions): AuditResult {
  const started = Date.now();
  const visibility = visibilityOf(read);
  const { spec } = options;
  const notCredited = [...new Set([...visibility.unseenLayers, ...options.ablate])];
  const base = { read, visibility, title: options.title, notCredited };
  if (visibility.fatal) {
    return { ...base, evaluateMs: 0, verdictMs: 0, status: "incomplete", reasons: [visibility.fatal], exitCode: AUDIT_EXIT.incomplete };
  }
  const reasons: string[] = [];
  let findings = false;
  let renderedObjects: K8sObject[] | undefined;
  const rendered = (): K8sObject[] => (renderedObjects ??= renderableObjects(spec, stackDemoWorkloads));
  const result: Partial<AuditResult> = {};
  if (options.mode.kind === "matrix") {
    result.matrix = connectionMatrix(buildClusterModel(read.objects), { ablate: notCredited }) as MatrixJson;
  } else if (options.mode.kind === "probes") {
    result.probeResults = evaluateProbes(buildClusterModel(read.objects), options.mode.probes, { ablate: notCredited });
  } else {
    // Probe sources and targets the cluster lacks are stand-ins (the lab's demo workloads); the verdict says so.
    const { objects, standIns } = withProbeStandIns(spec, withKindBuiltins(spec, read.objects), labProbeEndpoints);
    // Against a stack, tenants whose objects are the stack's are grouped by their spec (lab/model/conformance.ts).
    const intended = options.drift ? withProbeStandIns(spec, withKindBuiltins(spec, readableObjects(rendered(), read.kinds)), labProbeEndpoints).objects : undefined;
    const verdict = verifyPlatform(spec, { objects, standIns, ablate: notCredited, grouping: options.grouping, ...(intended ? { intended } : {}) });
    result.verdict = verdict;
    if (!verdict.summary.intentsMet) {
      // With layers unseen a violation may be one the unseen layer stops: unverified, not proven.
      if (visibility.unseenLayers.length === 0) {
        findings = true;
        reasons.push(`${verdict.summary.violations} violated deny intent(s) and ${verdict.summary.positiveControlsFailed} failed positive control(s)`);
      } else reasons.push(`unverified: ${verdict.summary.violations} deny intent(s) not stopped by any layer seen and ${verdict.summary.positiveControlsFailed} failed positive control(s), with ${visibility.unseenLayers.join(", ")} not seen`);
    }
    if (!verdict.summary.defenseInDepthMet) {
      if (notCredited.length === 0) {
        findings = true;
        reasons.push(`${verdict.summary.weakAttacks} attack(s) below their required defense in depth`);
      } else reasons.push(`defense in depth not verifiable: ${verdict.summary.weakAttacks} attack(s) below requirement with ${notCredited.join(", ")} not credited`);
    }
  }
  const verdictMs = Date.now() - started;
  if (options.drift) {
    const drift = computeDrift(spec, rendered(), read.objects, read.kinds);
    result.drift = drift;
    const live = withProbeStandIns(spec, withKindBuiltins(spec, read.objects), labProbeEndpoints).objects;
    const impact = driftImpact(spec, live, drift.items, notCredited);
    result.impact = impact;
    if (impact.widensAccess) {
      findings = true;
      reasons.push(`drift widens access: ${impact.opened.filter((o) => o.intent === "deny").reduce((n, o) => n + (o.pairs ?? 1), 0)} attack path(s) open at some layer`);
    } else if (drift.items.length > 0) reasons.push(`${drift.items.length} drifted object(s), none widening access on the layers seen`);
  }
  const enabledUnseen = visibility.unseenLayers.filter((l) => spec.layers[l]);
  const incomplete = visibility.accessErrors.length > 0 || enabledUnseen.length > 0 || visibility.inputGaps.length > 0;
  if (visibility.accessErrors.length > 0) reasons.push(`could not read: ${visibility.accessErrors.join("; ")}`);
  if (enabledUnseen.length > 0) reasons.push(`layers the platform enables but the audit could not see (not credited, never passed): ${enabledUnseen.join(", ")}`);
  reasons.push(...visibility.inputGaps);
  const status = findings ? "findings" : incomplete ? "incomplete" : "clean";
  return { ...base, ...result, evaluateMs: Date.now() - started, verdictMs, status, reasons, exitCode: AUDIT_EXIT[status] };
}
