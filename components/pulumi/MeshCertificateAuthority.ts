// cert-manager, a self-signed root and an intermediate CA that istiod uses as its plug-in CA.
//
// Hand-off to istiod: istiod mounts the optional `cacerts` Secret of its namespace at /etc/cacerts.
// Since Istio 1.15 it also accepts that Secret in the `kubernetes.io/tls` layout cert-manager writes:
// when `tls.crt` is present it signs with tls.crt/tls.key, distributes ca.crt as the root and builds
// the chain from tls.crt + ca.crt (istio/istio#39732, `detectSigningCABundle` in
// pilot/pkg/bootstrap; istiod logs "Using kubernetes.io/tls secret type for signing ca files"). No
// `root-cert.pem` is needed in that layout: `ca.crt`, which cert-manager's CA issuer fills with the
// root, is the root. So the intermediate Certificate simply writes `secretName: cacerts` in the mesh
// namespace — no copy job, no istio-csr.
//
// Limits (say so to users):
// - istiod picks the plug-in CA only if `cacerts` exists when it starts, so IstioMesh's istiod
//   dependsOn `intermediate` (Ready). Renewals of the intermediate are reloaded by istiod on its own
//   (AUTO_RELOAD_PLUGIN_CERTS, on by default since Istio 1.18); a ROOT rotation is a multi-root
//   migration and is not automated here.
// - The root key lives in the cluster (a Secret in cert-manager's namespace, never in the mesh
//   namespace). Fine for a lab and many platforms; for an offline root, replace the self-signed
//   root with your own CA Issuer or use istio-csr.
import * as k8s from "@pulumi/kubernetes";
import { CertManager } from "@pulumi/kubernetes-cert-manager";
import * as pulumi from "@pulumi/pulumi";
import type { K8sObject } from "../k8s/object";
import type { PlatformSpec } from "../spec/types";
import { managedBy } from "../spec/labels";
import { KubernetesObject } from "./objects";
import { HELM_RELEASE_TIMEOUT_SECONDS } from "./release";

export const MESH_CA_TYPE = "hard-tenancy:pki:MeshCertificateAuthority";
export const CERT_MANAGER_NAMESPACE = "cert-manager";
/** istiod reads its plug-in CA from this Secret in its own namespace. */
export const ISTIO_PLUGIN_CA_SECRET = "cacerts";

const READY = { "pulumi.com/waitFor": "condition=Ready" };

export interface MeshCaNames {
  selfSignedIssuer: string;
  rootCertificate: string;
  rootSecret: string;
  rootIssuer: string;
  intermediateCertificate: string;
}

export const MESH_CA_NAMES: MeshCaNames = {
  selfSignedIssuer: "hard-tenancy-selfsigned",
  rootCertificate: "hard-tenancy-mesh-root",
  rootSecret: "hard-tenancy-mesh-root",
  rootIssuer: "hard-tenancy-mesh-root",
  intermediateCertificate: "istio-plugin-ca",
};

/** The four cert-manager objects, in dependency order (pure). */
export function meshCaObjects(spec: Pick<PlatformSpec, "cluster" | "meshNamespace">): {
  selfSignedIssuer: K8sObject;
  root: K8sObject;
  rootIssuer: K8sObject;
  intermediate: K8sObject;
} {
  const n = MESH_CA_NAMES;
  const org = [spec.cluster.name];
  return {
    selfSignedIssuer: {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: n.selfSignedIssuer, labels: managedBy(), annotations: READY },
      spec: { selfSigned: {} },
    },
    root: {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      // A ClusterIssuer reads its CA Secret from cert-manager's cluster resource namespace.
      metadata: { name: n.rootCertificate, namespace: CERT_MANAGER_NAMESPACE, labels: managedBy(), annotations: READY },
      spec: {
        isCA: true,
        commonName: `${spec.cluster.name} mesh root CA`,
        subject: { organizations: org },
        secretName: n.rootSecret,
        duration: "87600h", // 10 years
        privateKey: { algorithm: "RSA", size: 4096, rotationPolicy: "Never" },
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: n.selfSignedIssuer },
      },
    },
    rootIssuer: {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: n.rootIssuer, labels: managedBy(), annotations: READY },
      spec: { ca: { secretName: n.rootSecret } },
    },
    intermediate: {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: n.intermediateCertificate, namespace: spec.meshNamespace, labels: managedBy(), annotations: READY },
      spec: {
        isCA: true,
        commonName: `${spec.cluster.name} istiod intermediate CA`,
        subject: { organizations: org },
        secretName: ISTIO_PLUGIN_CA_SECRET,
        duration: "8760h", // 1 year
        renewBefore: "720h",
        privateKey: { algorithm: "RSA", size: 2048, rotationPolicy: "Always" },
        usages: ["cert sign", "crl sign", "digital signature", "key encipherment"],
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: n.rootIssuer },
      },
    },
  };
}

export interface MeshCertificateAuthorityArgs {
  spec: Pick<PlatformSpec, "cluster" | "meshNamespace" | "versions">;
  provider: k8s.Provider;
  /** The mesh namespace resource, if this program creates it: the intermediate goes there. */
  meshNamespace?: pulumi.Resource;
  /**
   * What the cert-manager release must wait for: the pod network (Calico ready). cert-manager's pods
   * are ordinary pods, so on a cluster without a CNI yet (kind with `disableDefaultCNI`) Helm would
   * otherwise wait for them until its timeout.
   */
  certManagerDependsOn?: pulumi.Resource[];
}

/** Helm values for the cert-manager chart, passed as `helmOptions.values`. */
export function certManagerChartValues(): Record<string, unknown> {
  // `crds.enabled` is the chart's CRD switch; `installCRDs` (the CertManager component's typed input)
  // is deprecated, prints a warning and is refused together with `crds.enabled`
  // (cert-manager chart templates/_helpers.tpl "cert-manager.crd-check"). `crds.keep` (default true)
  // keeps the CRDs — and so every Certificate — when the release is uninstalled.
  return { crds: { enabled: true, keep: true } };
}

export class MeshCertificateAuthority extends pulumi.ComponentResource {
  readonly certManager: CertManager;
  readonly rootIssuer: KubernetesObject;
  /** Ready once the `cacerts` Secret is issued: istiod must start after this. */
  readonly intermediate: KubernetesObject;

  constructor(name: string, args: MeshCertificateAuthorityArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(MESH_CA_TYPE, name, {}, opts);
    const { spec, provider } = args;

    // CRDs are part of the chart install; Helm waits for the webhook Deployment and the chart's
    // startupapicheck hook Job, so once this component is done, the webhook that validates every
    // cert-manager object is answering. The component (pulumi-go-helmbase) copies its typed inputs
    // over `helmOptions.values` and passes the rest of `helmOptions` to a helm.v3.Release.
    this.certManager = new CertManager(
      `${name}-cert-manager`,
      {
        helmOptions: {
          name: "cert-manager",
          chart: "cert-manager",
          version: spec.versions.certManager,
          repositoryOpts: { repo: spec.versions.repos.certManager },
          namespace: CERT_MANAGER_NAMESPACE,
          createNamespace: true,
          timeout: HELM_RELEASE_TIMEOUT_SECONDS,
          values: certManagerChartValues(),
        },
      },
      { parent: this, providers: { kubernetes: provider }, dependsOn: args.certManagerDependsOn ?? [] },
    );

    const objects = meshCaObjects(spec);
    const after = (deps: pulumi.Resource[]) => ({ parent: this, provider, dependsOn: [this.certManager, ...deps] });
    const selfSigned = new KubernetesObject(objects.selfSignedIssuer, after([]));
    const root = new KubernetesObject(objects.root, after([selfSigned]));
    this.rootIssuer = new KubernetesObject(objects.rootIssuer, after([root]));
    this.intermediate = new KubernetesObject(
      objects.intermediate,
      after([this.rootIssuer, ...(args.meshNamespace ? [args.meshNamespace] : [])]),
    );

    this.registerOutputs({ pluginCaSecret: `${spec.meshNamespace}/${ISTIO_PLUGIN_CA_SECRET}` });
  }
}
