// The whole platform from one spec, in the order isolation needs:
//   Calico (CNI, API server) → cert-manager + plug-in CA → Istio (base, cni, istiod, gateway)
//   (cert-manager and istio-cni wait for Calico too: their pods need the pod network)
//   → mesh-wide policies → cluster policies, admission guardrails → shared services → tenants
//   (their policies → once every layer exists, their RBAC → their workloads).
// The ingress gateway's Service type comes from the spec (`ingressGateway.serviceType`).
//
// Every layer is switched by the spec: `install.*` decides what gets installed, `layers.*` decides
// which policy objects the builders emit — a switched-off layer has no objects, so no resources.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildPlatformObjects, type PlatformObjects } from "../builders";
import type { K8sObject } from "../k8s/object";
import { assertTenantCapacity } from "../spec/capacity";
import { validatePlatformConfig } from "../spec/validate";
import type { PlatformConfig, PlatformSpec } from "../spec/types";
import { Calico } from "./Calico";
import { mergeMeshNamespace, platformCreatesMeshNamespace } from "../builders/mesh-namespace";
import { IstioMesh } from "./IstioMesh";
import { MeshCertificateAuthority } from "./MeshCertificateAuthority";
import { calicoPolicyTier, isAdmissionKind, isCalicoTier, KubernetesObject, kindDependencies, type Readiness } from "./objects";
import { SharedServices } from "./SharedServices";
import { Tenant } from "./Tenant";

export const PLATFORM_TYPE = "hard-tenancy:platform:Platform";

interface PlatformCommonArgs {
  /** Kubernetes provider for every resource; default: one for `spec.cluster.kubeContext`. */
  provider?: k8s.Provider;
  /**
   * Workloads to run in tenant / shared-services namespaces (e.g. the lab's `buildDemoWorkloads`).
   * Each goes to the component owning its namespace and is created after that namespace's policies,
   * the cluster-wide deny and istiod. An object in any other namespace is an error.
   */
  workloads?: K8sObject[];
  /**
   * false: no Helm release at all (Calico's charts, cert-manager, Istio's charts), for a cluster that
   * has the CRDs but no chart repository (the local lab). Calico's Installation/APIServer and the Istio
   * gateway namespace go with their charts; every object the program declares itself — tenants,
   * cluster policies, mesh-wide and shared-service objects, the mesh CA's issuers and certificates,
   * workloads — is still registered, with the same dependencies minus the releases. Default true.
   */
  helmReleases?: boolean;
}

/** Either a raw config (validated here, before any resource exists) or an already validated spec. */
export type PlatformArgs = PlatformCommonArgs & ({ config: PlatformConfig; spec?: never } | { spec: PlatformSpec; config?: never });

/** The validated spec of the args; throws ConfigError (every problem) on bad config. */
export function resolvePlatformSpec(args: PlatformArgs): PlatformSpec {
  if (args.spec !== undefined && args.config !== undefined) {
    throw new Error("Platform: pass either `config` (raw PlatformConfig) or `spec` (validated PlatformSpec), not both");
  }
  if (args.spec !== undefined) return args.spec;
  if (args.config !== undefined) return validatePlatformConfig(args.config);
  throw new Error("Platform: pass `config` (a PlatformConfig) or `spec` (from validatePlatformConfig)");
}

/** Splits workloads by owning namespace; throws for a namespace no component owns. */
export function routeWorkloads(spec: PlatformSpec, workloads: readonly K8sObject[]): { tenants: Map<string, K8sObject[]>; shared: K8sObject[] } {
  const tenants = new Map<string, K8sObject[]>(spec.tenants.map((t) => [t.namespace, []]));
  const shared: K8sObject[] = [];
  const strays: string[] = [];
  for (const w of workloads) {
    const ns = w.metadata.namespace ?? "";
    const bucket = tenants.get(ns);
    if (bucket) bucket.push(w);
    else if (spec.sharedServices.enabled && ns === spec.sharedServices.namespace) shared.push(w);
    else strays.push(`${w.kind}/${ns || "(cluster)"}/${w.metadata.name}`);
  }
  if (strays.length > 0) {
    throw new Error(`workloads: ${strays.join(", ")} not in a tenant or shared-services namespace — Platform only places workloads where its policies apply`);
  }
  return { tenants, shared };
}

function providerFromOptions(opts: pulumi.ComponentResourceOptions): k8s.Provider | undefined {
  const candidates = [opts.provider, ...(Array.isArray(opts.providers) ? opts.providers : Object.values(opts.providers ?? {}))];
  return candidates.find((p): p is k8s.Provider => p instanceof k8s.Provider);
}

export class Platform extends pulumi.ComponentResource {
  readonly spec: PlatformSpec;
  readonly objects: PlatformObjects;
  readonly provider: k8s.Provider;
  readonly calico: Calico | undefined;
  readonly certificateAuthority: MeshCertificateAuthority | undefined;
  readonly mesh: IstioMesh | undefined;
  readonly meshNamespace: KubernetesObject | undefined;
  readonly meshWide: KubernetesObject[];
  /** Cluster-scoped cross-tenant deny: Calico Tier/GlobalNetworkPolicies, ClusterNetworkPolicies. */
  readonly clusterPolicies: KubernetesObject[];
  /** Tenant admission guardrails (ValidatingAdmissionPolicy + binding), in before any tenant RBAC or workload. */
  readonly admissionGuardrails: KubernetesObject[];
  readonly sharedServices: SharedServices | undefined;
  readonly tenants: Tenant[];

  constructor(name: string, args: PlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Everything that can fail on input runs before super(): bad config registers no resource.
    const spec = resolvePlatformSpec(args);
    const objects = buildPlatformObjects(spec);
    const routed = routeWorkloads(spec, args.workloads ?? []);
    assertTenantCapacity(spec, args.workloads ?? []);
    super(PLATFORM_TYPE, name, {}, opts);
    this.spec = spec;
    this.objects = objects;

    this.provider =
      args.provider ??
      providerFromOptions(opts) ??
      new k8s.Provider(`${name}-k8s`, { context: spec.cluster.kubeContext || undefined, enableServerSideApply: true }, { parent: this });
    const provider = this.provider;
    const child = { parent: this, provider };

    const helm = args.helmReleases !== false;
    this.calico = helm && spec.install.calico ? new Calico(`${name}-calico`, { spec, provider }, { parent: this }) : undefined;

    // The mesh namespace exists before the CA writes `cacerts` into it and before Istio installs there.
    const meshNamespaceFromBuilders = objects.meshWide.find((o) => o.kind === "Namespace" && o.metadata.name === spec.meshNamespace);
    const needsMeshNamespace = platformCreatesMeshNamespace(spec);
    this.meshNamespace = needsMeshNamespace ? new KubernetesObject(mergeMeshNamespace(spec, meshNamespaceFromBuilders), child) : undefined;

    // Pods of cert-manager, istio-cni's chained plug-in and istiod all need the pod network first.
    const afterNetwork = this.calico ? [this.calico.ready] : [];
    this.certificateAuthority = spec.install.certManager
      ? new MeshCertificateAuthority(
          `${name}-mesh-ca`,
          { spec, provider, meshNamespace: this.meshNamespace, certManagerDependsOn: afterNetwork, installCertManager: helm },
          { parent: this },
        )
      : undefined;

    this.mesh = helm && spec.install.istio
      ? new IstioMesh(
          `${name}-istio`,
          {
            spec,
            provider,
            meshNamespace: this.meshNamespace,
            cniDependsOn: afterNetwork,
            // Pods need a working CNI, and istiod must find `cacerts` at start to use the plug-in CA.
            istiodDependsOn: [...afterNetwork, ...(this.certificateAuthority ? [this.certificateAuthority.intermediate] : [])],
          },
          { parent: this },
        )
      : undefined;

    const readiness: Readiness = {
      istio: this.mesh ? [this.mesh.crds, this.mesh.ready, ...(this.mesh.gatewayNamespace ? [this.mesh.gatewayNamespace] : [])] : [],
      // The Calico API server must serve projectcalico.org/v3 before any GlobalNetworkPolicy is accepted.
      calico: this.calico ? [this.calico.ready] : [],
      injection: this.mesh ? [this.mesh.ready] : [],
    };

    const meshWideObjects = objects.meshWide.filter((o) => !(this.meshNamespace && o === meshNamespaceFromBuilders));
    const afterMeshNamespace = this.meshNamespace ? [this.meshNamespace] : [];
    this.meshWide = meshWideObjects.map(
      (o) => new KubernetesObject(o, { ...child, dependsOn: [...afterMeshNamespace, ...kindDependencies(o, readiness)] }),
    );

    // Cluster-scoped cross-tenant deny (Calico v3 or ClusterNetworkPolicy): both need Calico up. A
    // Calico policy also waits for its Tier: the Calico API server answers NotFound for a policy whose
    // tier does not exist yet, and the provider's retries are short.
    const clusterObjects = objects.clusterPolicies.filter((o) => !isAdmissionKind(o));
    const afterCalico = (o: K8sObject) => [...(readiness.calico ?? []), ...kindDependencies(o, readiness)];
    const tiers = new Map(clusterObjects.filter(isCalicoTier).map((o) => [o.metadata.name, new KubernetesObject(o, { ...child, dependsOn: afterCalico(o) })]));
    const tieredPolicies = clusterObjects
      .filter((o) => !isCalicoTier(o))
      .map((o) => {
        const tier = tiers.get(calicoPolicyTier(o) ?? "");
        return new KubernetesObject(o, { ...child, dependsOn: [...afterCalico(o), ...(tier ? [tier] : [])] });
      });
    this.clusterPolicies = [...tiers.values(), ...tieredPolicies];

    // Admission guardrails (ValidatingAdmissionPolicy + binding; the API server serves both, nothing to
    // wait for). Each binding after the policies, so it never names a policy that does not exist yet.
    const admission = objects.clusterPolicies.filter(isAdmissionKind);
    const admissionPolicies = admission.filter((o) => !o.kind.endsWith("Binding")).map((o) => new KubernetesObject(o, child));
    const admissionBindings = admission.filter((o) => o.kind.endsWith("Binding")).map((o) => new KubernetesObject(o, { ...child, dependsOn: admissionPolicies }));
    this.admissionGuardrails = [...admissionPolicies, ...admissionBindings];

    // Every isolation layer outside the tenants' namespaces: tenant RBAC and all workloads wait for it.
    const layersDependOn = [...this.clusterPolicies, ...this.admissionGuardrails, ...this.meshWide];
    const workloadsDependOn = layersDependOn;
    this.sharedServices =
      objects.sharedServices.length > 0 || routed.shared.length > 0
        ? new SharedServices(
            `${name}-shared-services`,
            { spec, provider, objects: objects.sharedServices, readiness, workloads: routed.shared, workloadsDependOn },
            { parent: this },
          )
        : undefined;

    this.tenants = objects.tenants.map((tenantObjects) => {
      const tenant = spec.tenants.find((t) => t.name === tenantObjects.tenant);
      if (!tenant) throw new Error(`builder returned objects for unknown tenant "${tenantObjects.tenant}"`);
      return new Tenant(
        `${name}-tenant-${tenant.name}`,
        {
          spec,
          tenant,
          provider,
          objects: tenantObjects,
          readiness,
          workloads: routed.tenants.get(tenant.namespace) ?? [],
          layersDependOn,
          otherNamespaces: this.sharedServices?.namespace ? { [spec.sharedServices.namespace]: this.sharedServices.namespace } : {},
        },
        { parent: this },
      );
    });

    this.registerOutputs({
      tenants: spec.tenants.map((t) => t.name),
      namespaces: spec.tenants.map((t) => t.namespace),
      installed: spec.install,
      layers: spec.layers,
    });
  }
}
