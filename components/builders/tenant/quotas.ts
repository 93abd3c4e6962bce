// ResourceQuota (compute, storage and object counts; NodePort/LoadBalancer services 0 by default so
// a tenant cannot open node ports or cloud load balancers) and LimitRange (defaults and maxima, so
// pods without requests still count against the quota).
//
// Deliberately no ephemeral-storage request/limit: LimitRanger applies its defaults before Istio's
// mutating injection webhook adds istio-proxy, and a LimitRange max or a ResourceQuota on
// ephemeral-storage would then require that injected container to declare ephemeral-storage, which
// it does not by default: every injected pod would be rejected. Node-disk exhaustion by a tenant
// stays a documented residual risk (README, quotas) until the proxy's resources are set mesh-wide.
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
        // Object-count quota syntax `count/<resource>.<group>` (core group: `count/<resource>`).
        "count/deployments.apps": String(q.deployments),
        "count/replicasets.apps": String(q.replicaSets),
        "count/statefulsets.apps": String(q.statefulSets),
        "count/jobs.batch": String(q.jobs),
        "count/cronjobs.batch": String(q.cronJobs),
        "count/serviceaccounts": String(q.serviceAccounts),
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
