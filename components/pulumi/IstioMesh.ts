// Istio in sidecar mode with istio-cni: base (CRDs) → cni → istiod → optional ingress gateway.
//
// Every chart is a `helm.v3.Release` (the upstream `helm install` path, hooks kept, Helm waits for
// rollouts), so `ready` (the istiod release) means the injection webhook is being served: tenant
// workloads must wait for it because the webhook fails closed.
//
// istio-cni instead of istio-init: tenant namespaces enforce Pod Security `restricted`, and even
// `baseline` forbids the NET_ADMIN/NET_RAW capabilities istio-init needs (DESIGN §3). The CNI node
// agent is privileged, so the mesh namespace it runs in is labelled `privileged` (see
// `meshNamespaceObject`).
//
// Chart values checked against istio/istio manifests/charts/*/values.yaml: `global.istioNamespace`
// and `global.hub` (every chart; `hub` only when the user overrides it, else the chart's pinned
// default), istiod `meshConfig.trustDomain`/`rootNamespace` and `pilot.cni.enabled` (istio.io "Install
// the Istio CNI node agent": sidecar mode with the agent needs `pilot.cni.enabled=true` on istiod);
// istio-cni needs no platform value on kind (`global.platform` is only for k3d/k3s/microk8s/minikube/
// gke/eks/openshift) and keeps `cni.provider: default` (chained after Calico's conflist); gateway
// `labels`, `serviceAccount.{create,name}` and `service.type` (the chart's default is LoadBalancer; we
// always set it from `ingressGateway.serviceType`, whose default is LoadBalancer too — the lab stack
// sets ClusterIP because kind has no load balancer).
// The plug-in CA needs no value: istiod always mounts the optional `cacerts` Secret.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MESH_PATH_NORMALIZATION } from "../spec/defaults";
import { managedBy, ROLE_LABEL } from "../spec/labels";
import type { PlatformSpec } from "../spec/types";
import { KubernetesObject } from "./objects";
import { HELM_RELEASE_TIMEOUT_SECONDS } from "./release";

export const ISTIO_MESH_TYPE = "hard-tenancy:mesh:IstioMesh";

type MeshSpec = Pick<PlatformSpec, "cluster" | "versions" | "meshNamespace" | "install" | "ingressGateway">;

export { meshNamespaceObject } from "../builders/mesh-namespace";

/** Values shared by every Istio chart. */
function globalValues(spec: MeshSpec): Record<string, unknown> {
  return {
    istioNamespace: spec.meshNamespace,
    ...(spec.versions.istioHub ? { hub: spec.versions.istioHub } : {}),
  };
}

/** istiod values: trust domain, root namespace, istio-cni; access logs come from the Telemetry API. */
export function istiodValues(spec: MeshSpec): Record<string, unknown> {
  return {
    global: globalValues(spec),
    // No `accessLogFile`: access logging is a Telemetry resource (builders), not mesh config.
    meshConfig: {
      trustDomain: spec.cluster.trustDomain,
      rootNamespace: spec.meshNamespace,
      // AuthorizationPolicy `paths` match the path after this normalization (and the app gets the
      // same path). Istio's default BASE leaves `%2F`/`%5C` encoded, so `<prefix>/acme/..%2Fglobex/x`
      // matches acme's `<prefix>/acme/*` ALLOW yet reaches globex's data in an app that decodes.
      // DECODE_AND_MERGE_SLASHES (Envoy: path_with_escaped_slashes_action UNESCAPE_AND_FORWARD,
      // normalize_path, merge_slashes) is what istio.io "Security Best Practices" recommends for
      // path-based policies; https://istio.io/latest/docs/reference/config/security/normalization/.
      pathNormalization: { normalization: MESH_PATH_NORMALIZATION },
    },
    // Sidecars get their redirection from the CNI agent: no privileged istio-init container.
    pilot: { cni: { enabled: true } },
  };
}

/** Gateway chart values: service account, pod labels and Service type, all from `spec.ingressGateway`. */
export function gatewayValues(spec: MeshSpec): Record<string, unknown> {
  return {
    global: globalValues(spec),
    labels: spec.ingressGateway.podLabels,
    serviceAccount: { create: true, name: spec.ingressGateway.serviceAccount },
    service: { type: spec.ingressGateway.serviceType },
  };
}

export interface IstioMeshArgs {
  spec: MeshSpec;
  provider: k8s.Provider;
  /** The mesh namespace resource (created by Platform, or by you); charts install into it. */
  meshNamespace?: pulumi.Resource;
  /** What istiod must wait for: Calico ready (pod networking), the plug-in CA's `cacerts` Secret. */
  istiodDependsOn?: pulumi.Resource[];
  /**
   * What the istio-cni node agent must wait for: the primary CNI (Calico ready). In chained mode the
   * agent only becomes ready once it finds the primary CNI's config to chain onto.
   */
  cniDependsOn?: pulumi.Resource[];
}

export class IstioMesh extends pulumi.ComponentResource {
  /** The base chart: Istio CRDs. Istio kinds dependsOn this (and on `ready`, for validation). */
  readonly crds: k8s.helm.v3.Release;
  readonly cni: k8s.helm.v3.Release;
  /** istiod, rolled out: the injection and validation webhooks are served. */
  readonly ready: k8s.helm.v3.Release;
  readonly gatewayNamespace: KubernetesObject | undefined;
  readonly gateway: k8s.helm.v3.Release | undefined;

  constructor(name: string, args: IstioMeshArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(ISTIO_MESH_TYPE, name, {}, opts);
    const { spec, provider } = args;
    const chart = (chartName: string) => ({
      chart: chartName,
      version: spec.versions.istio,
      repositoryOpts: { repo: spec.versions.repos.istio },
      timeout: HELM_RELEASE_TIMEOUT_SECONDS,
    });
    const inMesh = args.meshNamespace ? [args.meshNamespace] : [];
    const meshNamespace = spec.meshNamespace;

    // Without a namespace resource from the caller, Helm creates the mesh namespace with the first
    // release (unlabelled: on a cluster that enforces Pod Security by default, label it privileged).
    this.crds = new k8s.helm.v3.Release(
      `${name}-base`,
      {
        ...chart("base"),
        name: "istio-base",
        namespace: meshNamespace,
        createNamespace: args.meshNamespace === undefined,
        values: { global: globalValues(spec) },
      },
      { parent: this, provider, dependsOn: inMesh },
    );

    this.cni = new k8s.helm.v3.Release(
      `${name}-cni`,
      { ...chart("cni"), name: "istio-cni", namespace: meshNamespace, values: { global: globalValues(spec) } },
      { parent: this, provider, dependsOn: [...inMesh, this.crds, ...(args.cniDependsOn ?? [])] },
    );

    this.ready = new k8s.helm.v3.Release(
      `${name}-istiod`,
      { ...chart("istiod"), name: "istiod", namespace: meshNamespace, values: istiodValues(spec) },
      { parent: this, provider, dependsOn: [...inMesh, this.crds, this.cni, ...(args.istiodDependsOn ?? [])] },
    );

    if (spec.install.ingressGateway) {
      const gw = spec.ingressGateway;
      this.gatewayNamespace = new KubernetesObject(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: gw.namespace, labels: managedBy({ [ROLE_LABEL]: "platform" }) } },
        { parent: this, provider },
      );
      // The gateway's pods are injected (template "gateway"), so it needs istiod's webhook first.
      this.gateway = new k8s.helm.v3.Release(
        `${name}-gateway`,
        {
          ...chart("gateway"),
          name: "istio-ingressgateway",
          namespace: gw.namespace,
          values: gatewayValues(spec),
        },
        { parent: this, provider, dependsOn: [this.gatewayNamespace, this.ready] },
      );
    }

    this.registerOutputs({ version: spec.versions.istio, trustDomain: spec.cluster.trustDomain, ingressGateway: spec.install.ingressGateway });
  }
}
