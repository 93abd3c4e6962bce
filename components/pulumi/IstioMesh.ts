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
// Each chart gets only the values it reads (istio/istio manifests/charts/*: values.yaml and
// templates, 1.30):
// - base: `global.istioNamespace` (where the validation webhook's istiod Service is); it has no image.
// - cni: `global.hub` (its install-cni image); it never reads `global.istioNamespace`.
// - istiod: both, plus `meshConfig` (trust domain, root namespace, path normalization, the sidecars'
//   XFCC handling), `global.proxy.resources` (every injected sidecar) and `pilot.cni.enabled`
//   (istio.io "Install the Istio CNI node agent": sidecar mode with the agent needs it on istiod).
// - gateway: neither: its Deployment's image is `auto`, filled in by istiod's injector (which uses
//   istiod's hub); it reads `labels`, `serviceAccount.{create,name}` and `service.type` (chart default
//   LoadBalancer; we always set it from `ingressGateway.serviceType`, default LoadBalancer too — the lab
//   stack sets ClusterIP because kind has no load balancer).
// `global.hub` is passed only when the user overrides it, else each chart's pinned default applies.
// istio-cni needs no platform value on kind (`global.platform` selects a profile for gke, k3d, k3s,
// microk8s, minikube and openshift only) and keeps `cni.provider: default` (chained after Calico's
// conflist). The plug-in CA needs no value: istiod always mounts the optional `cacerts` Secret.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { baseValues, cniValues, gatewayValues, istiodValues, type MeshSpec } from "../builders/istio-values";
import { managedBy, ROLE_LABEL } from "../spec/labels";
import { KubernetesObject } from "./objects";
import { HELM_RELEASE_TIMEOUT_SECONDS } from "./release";

export const ISTIO_MESH_TYPE = "hard-tenancy:mesh:IstioMesh";

export { meshNamespaceObject } from "../builders/mesh-namespace";
export { baseValues, cniValues, gatewayValues, istiodValues, SIDECAR_FORWARDED_CLIENT_CERT } from "../builders/istio-values";

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
        values: baseValues(spec),
      },
      { parent: this, provider, dependsOn: inMesh },
    );

    this.cni = new k8s.helm.v3.Release(
      `${name}-cni`,
      { ...chart("cni"), name: "istio-cni", namespace: meshNamespace, values: cniValues(spec) },
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
