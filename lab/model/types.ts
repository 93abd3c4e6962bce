// The isolation model's view of a cluster: namespaces, workloads, services and policies, parsed
// from any manifests (ours, a user's YAML, or a dump of a live cluster).
import type { K8sObject } from "../../components/k8s/object";
import type { L4Protocol, LayerId, LayerVerdict, PolicyRef } from "../probes/types";
import type { PathNormalization } from "./layers/authz/path-normalization";

export interface NamespaceInfo {
  name: string;
  /** Includes `kubernetes.io/metadata.name` always. */
  labels: Record<string, string>;
  /** False when only referenced (then it has only the name label). */
  defined: boolean;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: L4Protocol;
}

export interface Workload {
  namespace: string;
  name: string;
  /** Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob. */
  kind: string;
  podLabels: Record<string, string>;
  serviceAccount: string;
  ports: ContainerPort[];
  podIPs: string[];
  sidecar: boolean;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol: L4Protocol;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  /** Absent selector: endpoints managed elsewhere (resolves to no workload). */
  selector?: Record<string, string>;
  clusterIP?: string;
  ports: ServicePort[];
}

/** Everything the layers need. Policies stay as the raw objects; each layer parses its own kinds. */
export interface ClusterModel {
  namespaces: Map<string, NamespaceInfo>;
  workloads: Workload[];
  services: ServiceInfo[];
  /** Policy objects (NetworkPolicy, Calico, CNP/ANP/BANP, PeerAuthentication, AuthorizationPolicy, …). */
  policies: K8sObject[];
  /** Istio root namespace (default istio-system). */
  rootNamespace: string;
  /** Istio trust domain (default cluster.local). */
  trustDomain: string;
  /**
   * The mesh's `meshConfig.pathNormalization.normalization`, which decides the path AuthorizationPolicy
   * `paths` are matched against. Absent: Istio's default, BASE.
   */
  pathNormalization?: PathNormalization;
  /** The mesh's `connectTimeout` in seconds; absent: Istio's default, 10 s (observation.ts). */
  envoyConnectTimeoutSeconds?: number;
  /** How long a probe's client waits (curl --max-time); absent: the lab's default. Decides who gives up first on a dropped connection. */
  clientTimeoutSeconds?: number;
  /** Documents skipped or not understood, each with why. */
  warnings: string[];
}

export type Endpoint = { type: "workload"; workload: Workload; ip?: string } | { type: "external"; ip: string };

/** One L4 attempt after service resolution: the destination port is the numeric target port. */
export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  /** Named port on the destination container this port corresponds to, if any. */
  portName?: string;
  protocol: L4Protocol;
}

export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Host/authority as the client sends it. */
  host?: string;
}

/** One layer's answer for one attempt. */
export interface LayerDecision {
  verdict: LayerVerdict;
  decidedBy?: PolicyRef;
  /** Short human reason, e.g. "no NetworkPolicy rule allows ingress from tenant-globex". */
  reason?: string;
}

export interface NetworkLayerEvaluator {
  id: Extract<LayerId, "networkPolicy" | "calico" | "clusterNetworkPolicy">;
  evaluate(conn: Connection): LayerDecision;
}
