// One tenant: namespace → default-deny → the other policies, quotas, limits → (once every isolation
// layer exists) tenant-admin RBAC → (optional) workloads.
//
// The order is the isolation guarantee at creation time: nothing in the namespace can run or be
// reachable before the objects that only remove access (default-deny NetworkPolicy, STRICT
// PeerAuthentication, the cross-tenant DENY) exist. And nobody can act in the namespace before every
// layer is in place: the tenant-admin Role/RoleBinding wait for the same set the workloads wait for —
// the tenant's own policies, quota and limits, the layers outside it (`layersDependOn`: cluster-wide
// cross-tenant deny, mesh-wide policies, admission guardrails) and istiod's injection webhook (until
// istiod has registered it, a pod a tenant admin creates would start without a sidecar).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildTenantObjects, type TenantObjects } from "../builders/tenant";
import type { K8sObject } from "../k8s/object";
import type { PlatformSpec, TenantSpec } from "../spec/types";
import { isAccessGrantKind, KubernetesObject, kindDependencies, type Readiness } from "./objects";

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
  /**
   * Isolation layers outside this component (the cluster-wide cross-tenant deny, mesh-wide policies,
   * admission guardrails): the tenant's RBAC and its workloads are created only after them.
   */
  layersDependOn?: pulumi.Resource[];
  /** More resources only the workloads wait for. */
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
  /** Everything of the builders' output that restricts (policies, quota, limits), after the default-deny set. */
  readonly policies: KubernetesObject[];
  /** Tenant-admin RBAC: created only after every isolation layer exists. */
  readonly accessGrants: KubernetesObject[];
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
    this.policies = objects.rest.filter((o) => !isAccessGrantKind(o)).map((o) => create(o, afterDeny));

    // Every layer of this namespace, inside and outside the component, and istiod's injection webhook.
    const everyLayer = [...afterDeny, ...this.policies, ...(readiness.injection ?? []), ...(args.layersDependOn ?? [])];
    this.accessGrants = objects.rest.filter(isAccessGrantKind).map((o) => create(o, everyLayer));

    const afterEverything = [...everyLayer, ...this.accessGrants, ...(args.workloadsDependOn ?? [])];
    this.workloads = (args.workloads ?? []).map((o) => create(o, afterEverything));

    const objectCount = 1 + this.defaultDeny.length + this.policies.length + this.accessGrants.length;
    this.registerOutputs({ tenant: objects.tenant, namespace: namespaceName, objectCount });
  }
}
