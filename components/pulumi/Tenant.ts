// One tenant: namespace → default-deny → everything else → (optional) workloads.
//
// The order is the isolation guarantee at creation time: nothing in the namespace can run or be
// reachable before the objects that only remove access (default-deny NetworkPolicy, STRICT
// PeerAuthentication, the cross-tenant DENY) exist.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildTenantObjects, type TenantObjects } from "../builders/tenant";
import type { K8sObject } from "../k8s/object";
import type { PlatformSpec, TenantSpec } from "../spec/types";
import { KubernetesObject, kindDependencies, type Readiness } from "./objects";

export const TENANT_TYPE = "hard-tenancy:tenancy:Tenant";

export interface TenantArgs {
  spec: PlatformSpec;
  tenant: TenantSpec;
  provider: k8s.Provider;
  /** Builder output for this tenant; default `buildTenantObjects(spec, tenant)`. */
  objects?: TenantObjects;
  /** What objects of each kind wait for (Istio CRDs/istiod, Calico API server, injection webhook). */
  readiness?: Readiness;
  /** Extra objects in the tenant's namespace (e.g. the lab's demo workloads), created after every policy. */
  workloads?: K8sObject[];
  /** More resources the workloads wait for (e.g. the cluster-wide cross-tenant deny). */
  workloadsDependOn?: pulumi.Resource[];
  /**
   * Namespaces other than the tenant's that some of its objects live in, by name → the resource
   * creating it (e.g. the tenant's ALLOW at a shared service lives in the shared namespace).
   */
  otherNamespaces?: Record<string, pulumi.Resource>;
}

/** Throws unless every object lives in `namespace` (a workload elsewhere would skip this tenant's ordering). */
export function assertInNamespace(objects: readonly K8sObject[], namespace: string, argName: string): void {
  const strays = objects.filter((o) => o.metadata.namespace !== namespace);
  if (strays.length > 0) {
    const names = strays.map((o) => `${o.kind}/${o.metadata.namespace ?? "(cluster)"}/${o.metadata.name}`).join(", ");
    throw new Error(`${argName}: ${names} not in namespace "${namespace}" — pass each object to the component that owns its namespace`);
  }
}

export class Tenant extends pulumi.ComponentResource {
  readonly tenantName: string;
  readonly namespace: KubernetesObject;
  readonly defaultDeny: KubernetesObject[];
  readonly policies: KubernetesObject[];
  readonly workloads: KubernetesObject[];

  constructor(name: string, args: TenantArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const objects = args.objects ?? buildTenantObjects(args.spec, args.tenant);
    const namespaceName = objects.namespace.metadata.name;
    // Checked before super(): a bad argument registers nothing. (Builder objects may live elsewhere,
    // e.g. the tenant's ALLOW in the shared namespace; workloads may not.)
    assertInNamespace(args.workloads ?? [], namespaceName, "workloads");
    super(TENANT_TYPE, name, {}, opts);

    const { provider } = args;
    const readiness = args.readiness ?? {};
    this.tenantName = objects.tenant;

    this.namespace = new KubernetesObject(objects.namespace, { parent: this, provider });
    const otherNamespaces = args.otherNamespaces ?? {};
    const namespaceDependency = (object: K8sObject): pulumi.Resource[] => {
      const ns = object.metadata.namespace;
      return ns !== undefined && ns !== namespaceName && otherNamespaces[ns] ? [otherNamespaces[ns]] : [];
    };
    const create = (object: K8sObject, after: pulumi.Resource[]) =>
      new KubernetesObject(object, {
        parent: this,
        provider,
        dependsOn: [...after, ...namespaceDependency(object), ...kindDependencies(object, readiness)],
      });

    this.defaultDeny = objects.defaultDeny.map((o) => create(o, [this.namespace]));
    const afterDeny = [this.namespace, ...this.defaultDeny];
    this.policies = objects.rest.map((o) => create(o, afterDeny));

    // Workloads: after every policy of the tenant and after istiod's injection webhook (fails closed).
    const afterPolicies = [...afterDeny, ...this.policies, ...(readiness.injection ?? []), ...(args.workloadsDependOn ?? [])];
    this.workloads = (args.workloads ?? []).map((o) => create(o, afterPolicies));

    this.registerOutputs({ tenant: objects.tenant, namespace: namespaceName, objectCount: 1 + this.defaultDeny.length + this.policies.length });
  }
}
