// Istio `Sidecar`: scopes which services each proxy in the namespace receives config for. It cuts
// proxy memory and push size; it is NOT a firewall (DESIGN §3) — the policies above are.
import type { K8sObject } from "../../k8s/object";
import type { PlatformSpec, TenantSpec } from "../../spec/types";
import { API, makeObject, tenantSharedServices } from "../common";
import { grantTargetNamespaces } from "../grants";

export function scopedSidecar(namespace: string, egressNamespaces: string[], tenant?: string): K8sObject {
  const hosts = ["./*", ...egressNamespaces.filter((ns) => ns !== namespace).map((ns) => `${ns}/*`)];
  return makeObject(API.istioNetworking, "Sidecar", "default", { namespace, tenant }, {
    spec: { egress: [{ hosts: [...new Set(hosts)] }] },
  });
}

export function tenantSidecar(spec: PlatformSpec, tenant: TenantSpec): K8sObject {
  const namespaces = [spec.meshNamespace];
  if (tenantSharedServices(spec, tenant).length > 0) namespaces.push(spec.sharedServices.namespace);
  namespaces.push(...grantTargetNamespaces(spec, tenant));
  return scopedSidecar(tenant.namespace, namespaces, tenant.name);
}
