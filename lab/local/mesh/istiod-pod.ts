// The real istiod as a pod of the local dataplane, replacing the echo stand-in when the mesh tools
// are built (`npm run tools -- --group mesh`): the same Deployment/Service shape, labels and ports
// as Istio's chart gives it, so the platform's istiod allowance (15012 from tenants, 15017 from the
// API server only) is tested against the real server, and the `istio` ConfigMap holds the mesh
// config istiod reads (the platform's, plus what upstream Envoy needs: lab/local/mesh/config.ts).
// Lab simplifications, said where they apply: istiod's ServiceAccount is bound to cluster-admin
// (the chart's ClusterRole is a Helm template this lab does not render), and its API credentials
// are a token kubeconfig in a Secret (as for CoreDNS) instead of an in-cluster mount.
import { PLUGIN_CA_MOUNT, PLUGIN_CA_SECRET } from "./plugin-ca";
import { stringify } from "yaml";
import type { K8sObject } from "../../../components/k8s/object";
import type { PlatformSpec } from "../../../components/spec/types";
import { istiodService, MANAGED } from "../dataplane/addons";
import { ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY, ISTIOD_PORTS, labMeshConfig } from "./config";
import type { MeshBinaries } from "./host-mesh";

export const ISTIOD_KUBECONFIG_SECRET = "istiod-kubeconfig";
/** Istio's chart runs istiod as UID 1337 (values.yaml `pilot.securityContext`, 1.30). */
const ISTIOD_UID = 1337;
export const ISTIOD_LABELS = { app: "istiod", istio: "pilot", "sidecar.istio.io/inject": "false" };

export function istiodPodObjects(spec: PlatformSpec, mesh: Pick<MeshBinaries, "pilotDiscovery" | "envoy">): K8sObject[] {
  const namespace = spec.meshNamespace;
  const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace, labels: MANAGED }, data: { mesh: stringify(labMeshConfig(spec, { envoyPath: mesh.envoy })) } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "istiod", namespace, labels: MANAGED }, automountServiceAccountToken: false },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "hard-tenancy-lab-istiod", labels: MANAGED },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: "istiod", namespace }],
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "istiod", namespace, labels: { ...ISTIOD_LABELS, ...MANAGED } },
      spec: {
        replicas: 1,
        selector: { matchLabels: ISTIOD_LABELS },
        template: {
          metadata: { labels: ISTIOD_LABELS },
          spec: {
            serviceAccountName: "istiod",
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            volumes: [
              { name: "config-volume", configMap: { name: "istio" } },
              { name: "kubeconfig", secret: { secretName: ISTIOD_KUBECONFIG_SECRET } },
              // The chart's optional plug-in CA; the lab always creates it (plugin-ca.ts).
              { name: "cacerts", secret: { secretName: PLUGIN_CA_SECRET, optional: true } },
            ],
            containers: [
              {
                name: "discovery",
                image: `pilot-discovery 1.30.4 (host binary ${mesh.pilotDiscovery})`,
                command: [
                  mesh.pilotDiscovery, "discovery",
                  "--meshConfig", "/etc/istio/config/mesh",
                  "--kubeconfig", "/var/run/secrets/istiod-kubeconfig/kubeconfig",
                  "--monitoringAddr", `:${ISTIOD_PORTS.monitoring}`,
                  "--grpcAddr", `:${ISTIOD_PORTS.plaintextXds}`,
                  "--secureGRPCAddr", `:${ISTIOD_PORTS.secureXds}`,
                  "--httpAddr", `:${ISTIOD_PORTS.http}`,
                  "--domain", "cluster.local",
                ],
                env: [
                  { name: "POD_NAMESPACE", ...fieldRef("metadata.namespace") },
                  { name: "POD_NAME", ...fieldRef("metadata.name") },
                  { name: "REVISION", value: "default" },
                  { name: "CLUSTER_ID", value: "Kubernetes" },
                  { name: "JWT_POLICY", value: "third-party-jwt" },
                  { name: "PILOT_CERT_PROVIDER", value: "istiod" },
                  ...Object.entries(ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY).map(([name, value]) => ({ name, value })),
                ],
                ports: [ISTIOD_PORTS.secureXds, ISTIOD_PORTS.webhook, ISTIOD_PORTS.plaintextXds, ISTIOD_PORTS.monitoring, ISTIOD_PORTS.http].map((containerPort) => ({ containerPort, protocol: "TCP" })),
                volumeMounts: [
                  { name: "config-volume", mountPath: "/etc/istio/config" },
                  { name: "kubeconfig", mountPath: "/var/run/secrets/istiod-kubeconfig" },
                  { name: "cacerts", mountPath: PLUGIN_CA_MOUNT, readOnly: true },
                ],
                securityContext: { runAsNonRoot: true, runAsUser: ISTIOD_UID, runAsGroup: ISTIOD_UID, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
              },
            ],
          },
        },
      },
    },
    istiodService(spec),
  ];
}
