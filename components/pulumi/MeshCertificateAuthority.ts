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
// Every issuer is namespaced, in the mesh namespace — there is NO ClusterIssuer. A ClusterIssuer
// signs a Certificate created in ANY namespace, and cert-manager's chart aggregates `cert-manager-edit`
// (create certificates/certificaterequests) into the built-in `edit`/`admin` ClusterRoles, so anyone
// with `edit` in some namespace could mint an SVID for any SPIFFE identity that every sidecar trusts.
// An Issuer only serves Certificates in its own namespace ("An Issuer is a namespaced resource, and
// it is not possible to issue certificates from an Issuer in a different namespace", cert-manager.io
// concepts/issuer), and a CA Issuer reads its key pair from a Secret in its own namespace ("Your
// certificate's secret should reside in the same namespace as the Issuer, or otherwise in the Cluster
// Resource Namespace in the case of a ClusterIssuer", cert-manager.io configuration/ca). Chain:
//   self-signed Issuer (bootstrap) → root CA Certificate (Secret in the mesh namespace)
//   → CA Issuer on that Secret → intermediate Certificate writing `cacerts`.
// Who can then get a certificate signed by the mesh root: principals that can create Certificates or
// CertificateRequests in the mesh namespace — cluster admins, and anyone bound to the built-in
// `edit`/`admin` ClusterRoles in that namespace (via the aggregated cert-manager-edit). Tenants cannot:
// the tenant-admin Role (builders/tenant/rbac.ts) grants nothing in cert-manager.io and is bound in
// the tenant's namespace only. Do not bind edit/admin in the mesh namespace to anyone but platform
// admins (they could also read `cacerts` there, i.e. the intermediate key, anyway).
//
// Rotation (say so to users):
// - istiod picks the plug-in CA only if `cacerts` exists when it starts, so IstioMesh's istiod
//   dependsOn `intermediate` (Ready). Renewals of the intermediate (same root) are reloaded by istiod
//   on its own: it watches the plug-in files (AUTO_RELOAD_PLUGIN_CERTS became the default in Istio 1.18,
//   istio/istio#43946, and the flag was later removed, #44594, so reloading is always on).
// - The ROOT never re-issues itself: `renewal.policy: Disabled` (cert-manager ≥ v1.21.0, cert-manager#8258;
//   MINIMUM_VERSIONS pins ≥ v1.21.1, whose controller no longer panics on it, #9031). Without it
//   cert-manager would re-issue the 10-year root at 2/3 of its life, `cacerts.ca.crt` would change, and
//   istiod — multi-root off by default (ISTIO_MULTIROOT_MESH) — logs "Multi root is disabled, updating
//   new ROOT-CA not supported" and keeps signing with the old intermediate until it expires.
//   Other re-issuance triggers still apply (a spec change, a deleted Secret, `cmctl renew`): that is how
//   a root rotation is started on purpose. Procedure (docs/decisions.md #7): re-issue the root
//   (`cmctl renew -n <mesh> hard-tenancy-mesh-root` keeps the root key, rotationPolicy Never; delete
//   the root Secret `hard-tenancy-mesh-root` for a new key), then the intermediate
//   (`cmctl renew -n <mesh> istio-plugin-ca`), restart istiod FIRST (it loads the new root and
//   intermediate only at start), then restart every meshed workload; until a workload restarts it
//   trusts only the old root, so plan a maintenance window (or do a multi-root migration by hand).
// - The root key lives in the cluster, in a Secret in the mesh namespace next to `cacerts` (readable by
//   what can read `cacerts`, e.g. istiod, which already holds the intermediate key). Fine for a lab and
//   many platforms; for an offline root, replace the self-signed root with your own CA Issuer (in the
//   mesh namespace) or use istio-csr.
// - Upgrading from the earlier ClusterIssuer layout issues a NEW root (a root rotation): existing
//   sidecars keep the old root until restarted. cert-manager leaves the old root Secret
//   `cert-manager/hard-tenancy-mesh-root` behind; delete it.
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

/** A namespaced issuer reference: a Certificate can only use an Issuer of its own namespace. */
function issuerRef(name: string) {
  return { group: "cert-manager.io", kind: "Issuer", name };
}

/** The four cert-manager objects, in dependency order, all in the mesh namespace (pure). */
export function meshCaObjects(spec: Pick<PlatformSpec, "cluster" | "meshNamespace">): {
  selfSignedIssuer: K8sObject;
  root: K8sObject;
  rootIssuer: K8sObject;
  intermediate: K8sObject;
} {
  const n = MESH_CA_NAMES;
  const org = [spec.cluster.name];
  const inMesh = (name: string) => ({ name, namespace: spec.meshNamespace, labels: managedBy(), annotations: READY });
  return {
    selfSignedIssuer: {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: inMesh(n.selfSignedIssuer),
      spec: { selfSigned: {} },
    },
    root: {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: inMesh(n.rootCertificate),
      spec: {
        isCA: true,
        commonName: `${spec.cluster.name} mesh root CA`,
        subject: { organizations: org },
        secretName: n.rootSecret,
        duration: "87600h", // 10 years
        // Never re-issued automatically (see the header): a root rotation is a planned procedure.
        renewal: { policy: "Disabled" },
        privateKey: { algorithm: "RSA", size: 4096, rotationPolicy: "Never" },
        issuerRef: issuerRef(n.selfSignedIssuer),
      },
    },
    rootIssuer: {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      // A CA Issuer reads `secretName` from its own namespace: the root Secret above.
      metadata: inMesh(n.rootIssuer),
      spec: { ca: { secretName: n.rootSecret } },
    },
    intermediate: {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: inMesh(n.intermediateCertificate),
      spec: {
        isCA: true,
        commonName: `${spec.cluster.name} istiod intermediate CA`,
        subject: { organizations: org },
        secretName: ISTIO_PLUGIN_CA_SECRET,
        duration: "8760h", // 1 year
        renewBefore: "720h",
        privateKey: { algorithm: "RSA", size: 2048, rotationPolicy: "Always" },
        usages: ["cert sign", "crl sign", "digital signature", "key encipherment"],
        issuerRef: issuerRef(n.rootIssuer),
      },
    },
  };
}

export interface MeshCertificateAuthorityArgs {
  spec: Pick<PlatformSpec, "cluster" | "meshNamespace" | "versions">;
  provider: k8s.Provider;
  /** The mesh namespace resource, if this program creates it: every issuer and certificate goes there. */
  meshNamespace?: pulumi.Resource;
  /**
   * What the cert-manager release must wait for: the pod network (Calico ready). cert-manager's pods
   * are ordinary pods, so on a cluster without a CNI yet (kind with `disableDefaultCNI`) Helm would
   * otherwise wait for them until its timeout.
   */
  certManagerDependsOn?: pulumi.Resource[];
  /**
   * false: cert-manager is already there (its CRDs at least), so no Helm release is created and the
   * issuers and certificates are registered on their own (the local lab, whose backend installs the
   * CRDs; no controller issues anything there). Default true.
   */
  installCertManager?: boolean;
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
  /** The cert-manager Helm release; undefined when `installCertManager` is false. */
  readonly certManager: CertManager | undefined;
  /** Bootstrap only: signs the root, in the mesh namespace. */
  readonly selfSignedIssuer: KubernetesObject;
  /** The root CA Certificate; its Secret (root key) lives in the mesh namespace. */
  readonly root: KubernetesObject;
  /** CA Issuer on the root Secret; serves Certificates in the mesh namespace only. */
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
    this.certManager = args.installCertManager === false ? undefined : new CertManager(
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
    const inMesh = args.meshNamespace ? [args.meshNamespace] : [];
    const release = this.certManager ? [this.certManager] : [];
    const after = (deps: pulumi.Resource[]) => ({ parent: this, provider, dependsOn: [...release, ...inMesh, ...deps] });
    this.selfSignedIssuer = new KubernetesObject(objects.selfSignedIssuer, after([]));
    this.root = new KubernetesObject(objects.root, after([this.selfSignedIssuer]));
    this.rootIssuer = new KubernetesObject(objects.rootIssuer, after([this.root]));
    this.intermediate = new KubernetesObject(objects.intermediate, after([this.rootIssuer]));

    this.registerOutputs({ pluginCaSecret: `${spec.meshNamespace}/${ISTIO_PLUGIN_CA_SECRET}` });
  }
}
