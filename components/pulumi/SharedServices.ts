// The shared-services namespace (the article's log collector): namespace → its policies → workloads.
//
// The component takes the builders' platform-side objects and, separately, the workloads to run
// there. The lab's demo workloads live in lab/ (not part of the published package), so the stack
// passes them in rather than this component importing lab code.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildSharedServicesObjects } from "../builders/shared-services";
import type { K8sObject } from "../k8s/object";
import type { PlatformSpec } from "../spec/types";
import { KubernetesObject, kindDependencies, type Readiness } from "./objects";
import { assertInNamespace } from "./Tenant";

export const SHARED_SERVICES_TYPE = "hard-tenancy:tenancy:SharedServices";

export interface SharedServicesArgs {
  spec: PlatformSpec;
  provider: k8s.Provider;
  /** Builder output; default `buildSharedServicesObjects(spec)` (empty when shared services are off). */
  objects?: K8sObject[];
  readiness?: Readiness;
  /** Workloads of the shared namespace (e.g. the lab's log collector), created after its policies. */
  workloads?: K8sObject[];
  workloadsDependOn?: pulumi.Resource[];
}

export class SharedServices extends pulumi.ComponentResource {
  readonly namespace: KubernetesObject | undefined;
  readonly policies: KubernetesObject[];
  readonly workloads: KubernetesObject[];

  constructor(name: string, args: SharedServicesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const objects = args.objects ?? buildSharedServicesObjects(args.spec);
    const namespaceName = args.spec.sharedServices.namespace;
    const namespaceObject = objects.find((o) => o.kind === "Namespace" && o.metadata.name === namespaceName);
    const inNamespace = objects.filter((o) => o !== namespaceObject);
    assertInNamespace(inNamespace, namespaceName, "objects");
    assertInNamespace(args.workloads ?? [], namespaceName, "workloads");
    super(SHARED_SERVICES_TYPE, name, {}, opts);

    const { provider } = args;
    const readiness = args.readiness ?? {};
    this.namespace = namespaceObject ? new KubernetesObject(namespaceObject, { parent: this, provider }) : undefined;
    const inNs = this.namespace ? [this.namespace] : [];
    const create = (object: K8sObject, after: pulumi.Resource[]) =>
      new KubernetesObject(object, { parent: this, provider, dependsOn: [...after, ...kindDependencies(object, readiness)] });

    this.policies = inNamespace.map((o) => create(o, inNs));
    const afterPolicies = [...inNs, ...this.policies, ...(readiness.injection ?? []), ...(args.workloadsDependOn ?? [])];
    this.workloads = (args.workloads ?? []).map((o) => create(o, afterPolicies));

    this.registerOutputs({ namespace: this.namespace ? namespaceName : undefined, objectCount: objects.length });
  }
}
