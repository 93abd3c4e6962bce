// Pure builders: PlatformSpec → plain Kubernetes objects. No Pulumi here; the Pulumi components,
// the YAML renderer, the isolation model and the tests all consume these objects.
//
// Invariants (tested): every object carries `app.kubernetes.io/managed-by: hard-tenancy`; tenant
// objects also carry `hard-tenancy.io/tenant`; names are stable; a switched-off layer emits no
// object of that layer; no object lists every tenant (sizes stay linear in tenants).
import type { K8sObject } from "../k8s/object";
import type { PlatformSpec } from "../spec/types";
import { buildAdmissionGuardrailObjects } from "./cluster-policy/admission-guardrails";
import { buildCalicoObjects } from "./cluster-policy/calico";
import { buildClusterNetworkPolicyObjects } from "./cluster-policy/cluster-network-policy";
import { buildMeshWideObjects } from "./mesh";
import { buildSharedServicesObjects } from "./shared-services";
import { buildTenantObjects, type TenantObjects } from "./tenant";

export { buildTenantObjects, type TenantObjects };

export interface PlatformObjects {
  /** Root-namespace PeerAuthentication STRICT, allow-nothing, Telemetry access logging. */
  meshWide: K8sObject[];
  /**
   * Calico Tier + one GlobalNetworkPolicy per tenant; ClusterNetworkPolicy (Admin tier) per tenant
   * when enabled; the tenant admission guardrails (one ValidatingAdmissionPolicy + binding for all).
   */
  clusterPolicies: K8sObject[];
  /** Shared namespace and its policies (+ optional Lua EnvoyFilter); not the workloads. */
  sharedServices: K8sObject[];
  tenants: TenantObjects[];
}

export function buildPlatformObjects(spec: PlatformSpec): PlatformObjects {
  return {
    meshWide: buildMeshWideObjects(spec),
    clusterPolicies: [...buildCalicoObjects(spec), ...buildClusterNetworkPolicyObjects(spec), ...buildAdmissionGuardrailObjects(spec)],
    sharedServices: buildSharedServicesObjects(spec),
    tenants: spec.tenants.map((t) => buildTenantObjects(spec, t)),
  };
}

/** Every object in a stable order: cluster policies, mesh-wide, shared services, then each tenant (namespace, default-deny, rest). */
export function allObjects(objects: PlatformObjects): K8sObject[] {
  const all: K8sObject[] = [...objects.clusterPolicies, ...objects.meshWide, ...objects.sharedServices];
  for (const tenant of objects.tenants) all.push(tenant.namespace, ...tenant.defaultDeny, ...tenant.rest);
  return all;
}

export { TENANT_IDENTITY_HEADER, TENANT_IDENTITY_LUA } from "./shared-services";
export { CALICO_TIER, calicoPolicyName } from "./cluster-policy/calico";
export { ADMISSION_GUARDRAILS_NAME, isGuardrailPolicy } from "./cluster-policy/admission-guardrails";
export { sharedAccessLabel, SHARED_ACCESS_LABEL_VALUE } from "./common";
