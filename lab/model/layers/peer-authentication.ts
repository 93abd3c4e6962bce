// Layer 4: Istio PeerAuthentication, the mTLS mode a sidecar server accepts on a port.
//
// Upstream (https://istio.io/latest/docs/reference/config/security/peer_authentication/ and
// https://istio.io/latest/docs/concepts/security/#peer-authentication):
// - precedence: workload-selector policy > namespace-wide policy > root-namespace (mesh) policy;
// - mode UNSET (or no `mtls`) inherits from the parent level; with nothing set the mesh default
//   is PERMISSIVE;
// - `portLevelMtls` only works on a policy with a selector, keyed by the workload (target) port;
// - policies with a selector in the root namespace are ignored;
// - several namespace-wide (or mesh-wide) policies: Istio takes the oldest. Manifests carry no
//   creation time, so we take the first by name and warn.
// A workload without a sidecar is not affected at all (the caller decides that, see probe.ts).
import type { ClusterModel, Workload } from "../types";
import type { PolicyRef } from "../../probes/types";
import type { K8sObject } from "../../../components/k8s/object";
import { labelsMatch, policyLabel, readStringMap } from "./authz/selector";

export type MtlsMode = "STRICT" | "PERMISSIVE" | "DISABLE";
type ModeSetting = MtlsMode | "UNSET";

export interface PeerAuthenticationLayer {
  mode(workload: Workload, port: number): MtlsMode;
  decidedBy(workload: Workload, port: number): PolicyRef | undefined;
}

interface ParsedPeerAuthentication {
  ref: PolicyRef;
  selector?: Record<string, string>;
  mode: ModeSetting;
  portModes: Map<number, ModeSetting>;
}

const MODES: readonly ModeSetting[] = ["STRICT", "PERMISSIVE", "DISABLE", "UNSET"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readMode(raw: unknown, field: string, problems: string[]): ModeSetting {
  if (!isRecord(raw) || raw.mode === undefined) return "UNSET";
  if (typeof raw.mode === "string" && (MODES as readonly string[]).includes(raw.mode)) return raw.mode as ModeSetting;
  problems.push(`${field}.mode must be one of ${MODES.join(", ")} (got ${JSON.stringify(raw.mode)}); treated as UNSET`);
  return "UNSET";
}

function parse(o: K8sObject, problems: string[]): ParsedPeerAuthentication {
  const spec = isRecord(o.spec) ? o.spec : {};
  const selector = readStringMap(isRecord(spec.selector) ? spec.selector.matchLabels : undefined, "spec.selector.matchLabels");
  if (selector.error) problems.push(selector.error);
  const portModes = new Map<number, ModeSetting>();
  if (isRecord(spec.portLevelMtls)) {
    for (const [key, value] of Object.entries(spec.portLevelMtls)) {
      const port = Number(key);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        problems.push(`spec.portLevelMtls key ${JSON.stringify(key)} must be a port number 1-65535`);
        continue;
      }
      portModes.set(port, readMode(value, `spec.portLevelMtls.${key}`, problems));
    }
  } else if (spec.portLevelMtls !== undefined) problems.push("spec.portLevelMtls must be a map of port → {mode}");
  return {
    ref: { kind: "PeerAuthentication", namespace: o.metadata.namespace ?? "default", name: o.metadata.name },
    selector: isRecord(spec.selector) ? selector.map ?? {} : undefined,
    mode: readMode(spec.mtls, "spec.mtls", problems),
    portModes,
  };
}

function addWarning(model: ClusterModel, warning: string): void {
  if (!model.warnings.includes(warning)) model.warnings.push(warning);
}

export function peerAuthenticationLayer(model: ClusterModel): PeerAuthenticationLayer {
  const byNamespace = new Map<string, ParsedPeerAuthentication[]>();
  const sorted = model.policies
    .filter((o) => o.kind === "PeerAuthentication" && o.apiVersion.startsWith("security.istio.io/"))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const o of sorted) {
    const problems: string[] = [];
    const policy = parse(o, problems);
    for (const problem of problems) addWarning(model, `${policyLabel(o)}: ${problem}`);
    const ns = policy.ref.namespace ?? "default";
    if (ns === model.rootNamespace && policy.selector) {
      addWarning(model, `${policyLabel(o)}: a PeerAuthentication with a selector in the root namespace is ignored by Istio; move it to the workload's namespace`);
      continue;
    }
    if (!policy.selector && policy.portModes.size > 0) {
      addWarning(model, `${policyLabel(o)}: portLevelMtls needs a selector (Istio ignores it on namespace-wide policies)`);
      policy.portModes.clear();
    }
    const list = byNamespace.get(ns) ?? [];
    list.push(policy);
    byNamespace.set(ns, list);
  }

  /** The namespace-wide policy of a namespace (first by name when several). */
  const namespaceWide = (ns: string): ParsedPeerAuthentication | undefined => {
    const candidates = (byNamespace.get(ns) ?? []).filter((p) => !p.selector);
    if (candidates.length > 1) {
      addWarning(model, `namespace ${ns} has ${candidates.length} PeerAuthentications without a selector; Istio uses the oldest, the model uses ${candidates[0].ref.name} (first by name): keep one`);
    }
    return candidates[0];
  };

  const workloadPolicy = (w: Workload): ParsedPeerAuthentication | undefined => {
    if (w.namespace === model.rootNamespace) return undefined;
    const candidates = (byNamespace.get(w.namespace) ?? []).filter((p) => p.selector && labelsMatch(p.selector, w.podLabels));
    if (candidates.length > 1) {
      addWarning(model, `workload ${w.namespace}/${w.name} is selected by ${candidates.length} PeerAuthentications; Istio uses the oldest, the model uses ${candidates[0].ref.name} (first by name)`);
    }
    return candidates[0];
  };

  const cache = new Map<string, { mode: MtlsMode; decidedBy?: PolicyRef }>();
  const resolve = (w: Workload, port: number): { mode: MtlsMode; decidedBy?: PolicyRef } => {
    const key = `${w.namespace}/${w.name}:${port}`;
    const hit = cache.get(key);
    if (hit) return hit;
    // Walk from the most specific setting to the mesh; the first that is not UNSET wins.
    const levels: { setting: ModeSetting; ref: PolicyRef }[] = [];
    const own = workloadPolicy(w);
    if (own) {
      const portSetting = own.portModes.get(port);
      if (portSetting) levels.push({ setting: portSetting, ref: own.ref });
      levels.push({ setting: own.mode, ref: own.ref });
    }
    const ns = namespaceWide(w.namespace);
    if (ns) levels.push({ setting: ns.mode, ref: ns.ref });
    const mesh = w.namespace === model.rootNamespace ? undefined : namespaceWide(model.rootNamespace);
    if (mesh) levels.push({ setting: mesh.mode, ref: mesh.ref });
    const decided = levels.find((l) => l.setting !== "UNSET");
    const result = decided ? { mode: decided.setting as MtlsMode, decidedBy: decided.ref } : { mode: "PERMISSIVE" as const };
    cache.set(key, result);
    return result;
  };

  return {
    mode: (w, port) => resolve(w, port).mode,
    decidedBy: (w, port) => resolve(w, port).decidedBy,
  };
}
