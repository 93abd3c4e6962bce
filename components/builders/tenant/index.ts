// Everything one tenant owns, grouped so a deployer can create the default-deny first.
import type { K8sObject } from "../../k8s/object";
import type { PlatformSpec, TenantSpec } from "../../spec/types";
import { tenantSharedServices } from "../common";
import { grantEgressPolicy, grantIngressPolicy, grantsFrom, grantsTo } from "../grants";
import { sharedServiceAllowPolicy } from "../shared-services";
import { crossTenantDenyPolicy, strictPeerAuthentication, tenantAuthorizationPolicies } from "./istio-policies";
import { defaultServiceAccount, tenantNamespace } from "./namespace";
import { defaultDenyPolicy, tenantAllowPolicies } from "./network-policies";
import { tenantLimitRange, tenantResourceQuota } from "./quotas";
import { tenantRbacObjects } from "./rbac";
import { tenantSidecar } from "./sidecar";

export interface TenantObjects {
  tenant: string;
  namespace: K8sObject;
  /** Objects that only ever remove access; create them before anything else in the namespace. */
  defaultDeny: K8sObject[];
  rest: K8sObject[];
}

export function buildTenantObjects(spec: PlatformSpec, tenant: TenantSpec): TenantObjects {
  const { layers } = spec;
  const defaultDeny: K8sObject[] = [];
  if (layers.networkPolicy) defaultDeny.push(defaultDenyPolicy(tenant.namespace, tenant.name));
  if (layers.peerAuthentication) defaultDeny.push(strictPeerAuthentication(tenant.namespace, tenant.name));
  if (layers.authorization) defaultDeny.push(crossTenantDenyPolicy(spec, tenant));

  const rest: K8sObject[] = [defaultServiceAccount(tenant.namespace, tenant.name)];
  if (layers.networkPolicy) {
    rest.push(...tenantAllowPolicies(spec, tenant));
    rest.push(...grantsFrom(spec, tenant).map((g) => grantEgressPolicy(spec, g)));
    rest.push(...grantsTo(spec, tenant).map((g) => grantIngressPolicy(spec, g)));
  }
  if (layers.authorization) {
    rest.push(...tenantAuthorizationPolicies(spec, tenant));
    rest.push(...tenantSharedServices(spec, tenant).map((s) => sharedServiceAllowPolicy(spec, tenant, s)));
  }
  if (layers.sidecarScoping) rest.push(tenantSidecar(spec, tenant));
  if (layers.quotas) rest.push(tenantResourceQuota(tenant), tenantLimitRange(tenant));
  if (layers.tenantRbac) rest.push(...tenantRbacObjects(tenant));

  return { tenant: tenant.name, namespace: tenantNamespace(spec, tenant), defaultDeny, rest };
}
