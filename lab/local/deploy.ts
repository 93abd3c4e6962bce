// Deploying the rendered platform to the local control plane without Pulumi: every object the
// builders emit (plus the stack's demo workloads) is server-side applied with field manager
// `hard-tenancy`, in the order the Pulumi program creates them (components/pulumi/Platform.ts):
//   mesh namespace → mesh-wide policies → cluster-scoped policies → admission policies → their
//   bindings → shared services (namespace, policies, workloads) → each tenant (namespace,
//   default-deny, everything else, RBAC last) → tenant workloads.
// Objects whose API needs a component the local backend does not run are skipped with the reason.
import { stringify } from "yaml";
import { buildPlatformObjects } from "../../components/builders";
import { mergeMeshNamespace, platformCreatesMeshNamespace } from "../../components/builders/mesh-namespace";
import type { K8sObject } from "../../components/k8s/object";
import type { PlatformSpec } from "../../components/spec/types";
import { stackDemoWorkloads } from "../workloads/demo";

export interface ApplyPhase {
  name: string;
  objects: K8sObject[];
  /** How the phase is written: server-side apply (default), or calicoctl for projectcalico.org/v3. */
  via?: "calicoctl";
}

export interface DeployOptions {
  /**
   * With the local dataplane, Calico's v3 objects are written by calicoctl into the
   * crd.projectcalico.org/v1 CRDs Felix reads (what the Calico API server would do); without it
   * they are skipped with the reason.
   */
  calico?: "calicoctl" | "skip";
}

export interface SkippedObject {
  object: string;
  reason: string;
}

export interface DeployPlan {
  phases: ApplyPhase[];
  skipped: SkippedObject[];
}

/** APIs the local backend cannot serve yet, and why. */
export const UNSERVED_API_GROUPS: Record<string, string> = {
  "projectcalico.org": "served by the Calico API server (an aggregated API), which the local backend does not run yet",
};

export function objectRef(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

function groupOf(o: K8sObject): string {
  return o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
}

const isRbac = (o: K8sObject): boolean => groupOf(o) === "rbac.authorization.k8s.io";
const isAdmission = (o: K8sObject): boolean => groupOf(o) === "admissionregistration.k8s.io";

/** The phases, in the Pulumi program's order; unservable objects are listed apart. */
export function planDeploy(spec: PlatformSpec, workloads: readonly K8sObject[] = stackDemoWorkloads(spec), options: DeployOptions = {}): DeployPlan {
  const objects = buildPlatformObjects(spec);
  const skipped: SkippedObject[] = [];
  const viaCalicoctl = (o: K8sObject): boolean => options.calico === "calicoctl" && groupOf(o) === "projectcalico.org";
  const servable = (list: readonly K8sObject[]): K8sObject[] =>
    list.filter((o) => {
      const reason = viaCalicoctl(o) ? undefined : UNSERVED_API_GROUPS[groupOf(o)];
      if (reason) skipped.push({ object: objectRef(o), reason: `${o.apiVersion} is ${reason}` });
      return !reason;
    });
  const byNamespace = (namespace: string): K8sObject[] => workloads.filter((w) => w.metadata.namespace === namespace);
  const phases: ApplyPhase[] = [];
  const add = (name: string, list: readonly K8sObject[]): void => {
    const kept = servable(list);
    // Kubernetes objects first, then the phase's Calico objects (in their order: a Tier before its policies).
    const kube = kept.filter((o) => !viaCalicoctl(o));
    const calico = kept.filter(viaCalicoctl);
    if (kube.length > 0) phases.push({ name, objects: kube });
    if (calico.length > 0) phases.push({ name: `${name} (Calico, via calicoctl)`, objects: calico, via: "calicoctl" });
  };
  const fromBuilders = objects.meshWide.find((o) => o.kind === "Namespace" && o.metadata.name === spec.meshNamespace);
  // The Pulumi program creates the mesh namespace itself when it installs Istio or the mesh CA.
  add("mesh namespace", platformCreatesMeshNamespace(spec) ? [mergeMeshNamespace(spec, fromBuilders)] : fromBuilders ? [fromBuilders] : []);
  add("mesh-wide policies", objects.meshWide.filter((o) => o.kind !== "Namespace"));
  add("cluster-scoped cross-tenant policies", objects.clusterPolicies.filter((o) => !isAdmission(o)));
  add("admission policies", objects.clusterPolicies.filter((o) => isAdmission(o) && !o.kind.endsWith("Binding")));
  add("admission policy bindings", objects.clusterPolicies.filter((o) => isAdmission(o) && o.kind.endsWith("Binding")));
  if (objects.sharedServices.length > 0) {
    add("shared-services namespace", objects.sharedServices.filter((o) => o.kind === "Namespace"));
    add("shared-services policies", objects.sharedServices.filter((o) => o.kind !== "Namespace"));
    add("shared-services workloads", byNamespace(spec.sharedServices.namespace));
  }
  for (const tenant of objects.tenants) {
    const namespace = spec.tenants.find((t) => t.name === tenant.tenant)?.namespace ?? tenant.namespace.metadata.name;
    add(`tenant ${tenant.tenant}: namespace`, [tenant.namespace]);
    add(`tenant ${tenant.tenant}: default-deny`, tenant.defaultDeny);
    add(`tenant ${tenant.tenant}: policies, quotas, service accounts`, tenant.rest.filter((o) => !isRbac(o)));
    // RBAC only once every isolation layer of the tenant exists (as the Tenant component does).
    add(`tenant ${tenant.tenant}: RBAC`, tenant.rest.filter(isRbac));
    add(`tenant ${tenant.tenant}: workloads`, byNamespace(namespace));
  }
  const placed = new Set(phases.flatMap((p) => p.objects));
  const strays = workloads.filter((w) => !placed.has(w));
  if (strays.length > 0) throw new Error(`workloads: ${strays.map(objectRef).join(", ")} are not in a tenant or shared-services namespace`);
  return { phases, skipped };
}

/** Multi-document YAML for `kubectl apply -f -`. */
export function phaseYaml(phase: ApplyPhase): string {
  return phase.objects.map((o) => stringify(o)).join("---\n");
}

/** `kubectl apply --server-side` of one phase, field manager `hard-tenancy`. */
export function applyArgv(context: string): string[] {
  return ["kubectl", "--context", context, "apply", "--server-side", "--field-manager=hard-tenancy", "-f", "-"];
}

/** `kubectl diff --server-side`: exit 0 when applying would change nothing, 1 when it would. */
export function diffArgv(context: string): string[] {
  return ["kubectl", "--context", context, "diff", "--server-side", "--field-manager=hard-tenancy", "-f", "-"];
}
