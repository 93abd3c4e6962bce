// ResourceQuota (compute, storage and object counts; NodePort/LoadBalancer services 0 by default so
// a tenant cannot open node ports or cloud load balancers) and LimitRange (defaults and maxima, so
// pods without requests still count against the quota).
import type { K8sObject } from "../../k8s/object";
import type { TenantSpec } from "../../spec/types";
import { API, makeObject } from "../common";

export function tenantResourceQuota(tenant: TenantSpec): K8sObject {
  const q = tenant.quota;
  return makeObject(API.core, "ResourceQuota", "tenant-quota", { namespace: tenant.namespace, tenant: tenant.name }, {
    spec: {
      hard: {
        "requests.cpu": q.requestsCpu,
        "requests.memory": q.requestsMemory,
        "limits.cpu": q.limitsCpu,
        "limits.memory": q.limitsMemory,
        "requests.storage": q.requestsStorage,
        pods: String(q.pods),
        services: String(q.services),
        "services.nodeports": String(q.servicesNodePorts),
        "services.loadbalancers": String(q.servicesLoadBalancers),
        persistentvolumeclaims: String(q.persistentVolumeClaims),
        configmaps: String(q.configMaps),
        secrets: String(q.secrets),
      },
    },
  });
}

export function tenantLimitRange(tenant: TenantSpec): K8sObject {
  const l = tenant.limits;
  return makeObject(API.core, "LimitRange", "tenant-limits", { namespace: tenant.namespace, tenant: tenant.name }, {
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: l.defaultCpu, memory: l.defaultMemory },
          defaultRequest: { cpu: l.defaultRequestCpu, memory: l.defaultRequestMemory },
          max: { cpu: l.maxCpu, memory: l.maxMemory },
        },
      ],
    },
  });
}
