// Hand-built ClusterModel pieces for the Istio layer tests (no manifest parsing involved).
import type { K8sObject } from "../../../../components/k8s/object";
import type { ClusterModel, ServiceInfo, Workload } from "../../../../lab/model/types";

export function workload(namespace: string, name: string, extra: Partial<Workload> = {}): Workload {
  return {
    namespace,
    name,
    kind: "Deployment",
    podLabels: { app: name },
    serviceAccount: name,
    ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    podIPs: [],
    sidecar: true,
    ...extra,
  };
}

export function service(namespace: string, name: string, extra: Partial<ServiceInfo> = {}): ServiceInfo {
  return { namespace, name, selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }], ...extra };
}

export function policy(kind: string, namespace: string, name: string, spec: unknown, apiVersion = "security.istio.io/v1"): K8sObject {
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}

export function model(parts: { policies?: K8sObject[]; workloads?: Workload[]; services?: ServiceInfo[] }): ClusterModel {
  return {
    namespaces: new Map(),
    workloads: parts.workloads ?? [],
    services: parts.services ?? [],
    policies: parts.policies ?? [],
    rootNamespace: "istio-system",
    trustDomain: "cluster.local",
    warnings: [],
  };
}

/** The mTLS identity a sidecar client presents. */
export function identity(w: Workload): { workload: Workload; principal: string; namespace: string } {
  return { workload: w, principal: `cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`, namespace: w.namespace };
}
