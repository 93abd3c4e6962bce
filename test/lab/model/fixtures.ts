// Small builders for the model's tests: namespaces, workloads and connections in a line each.
import type { K8sObject } from "../../../components/k8s/object";
import { buildClusterModel, findWorkload } from "../../../lab/model/cluster";
import type { L4Protocol } from "../../../lab/probes/types";
import type { ClusterModel, Connection, Endpoint } from "../../../lab/model/types";

export function namespace(name: string, labels: Record<string, string> = {}): K8sObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

export function pod(
  ns: string,
  name: string,
  labels: Record<string, string>,
  options: { ports?: { name?: string; containerPort: number; protocol?: L4Protocol }[]; ips?: string[]; serviceAccount?: string } = {},
): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, labels },
    spec: { serviceAccountName: options.serviceAccount ?? name, containers: [{ name: "main", image: "x", ports: options.ports ?? [] }] },
    ...(options.ips ? { status: { podIPs: options.ips.map((ip) => ({ ip })) } } : {}),
  };
}

export function policy(apiVersion: string, kind: string, name: string, spec: unknown, ns?: string): K8sObject {
  return { apiVersion, kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec };
}

export function networkPolicy(ns: string, name: string, spec: unknown): K8sObject {
  return policy("networking.k8s.io/v1", "NetworkPolicy", name, spec, ns);
}

export function model(objects: K8sObject[]): ClusterModel {
  return buildClusterModel(objects);
}

function endpoint(m: ClusterModel, ref: string): Endpoint {
  if (/^[0-9a-f.:]+$/i.test(ref) && !ref.includes("/")) return { type: "external", ip: ref };
  const workload = findWorkload(m, ref);
  if (!workload) throw new Error(`test fixture: no workload ${ref}`);
  return { type: "workload", workload };
}

/** A connection from "ns/name" (or an IP) to "ns/name" (or an IP). */
export function connection(m: ClusterModel, from: string, to: string, port: number, protocol: L4Protocol = "TCP"): Connection {
  return { from: endpoint(m, from), to: endpoint(m, to), port, protocol };
}
