// Calico through the Tigera operator: CRD chart → operator chart → Installation + APIServer.
//
// Chart mechanics (DESIGN §3):
// - Calico ≥ 3.32 ships its CRDs in a separate `crd.projectcalico.org.v1` chart (validation refuses
//   pins below v3.32.1, see MINIMUM_VERSIONS, so there is no older layout to support); the upstream install
//   is `helm template … | kubectl apply --server-side`, because some CRDs (installations ≈ 1.4 MB)
//   exceed the 256 KiB `last-applied-configuration` annotation of client-side apply. We install it
//   with `helm.v4.Chart`: Pulumi renders the chart and applies each CRD itself with server-side apply
//   (the provider's default since @pulumi/kubernetes v4), which is exactly the documented path. The
//   chart has no hooks, so v4's dropping of Helm hooks costs nothing here.
// - The `tigera-operator` chart goes in as a `helm.v3.Release`: that is the upstream `helm install`
//   path, keeps any Helm hooks the operator chart carries, and Helm waits for the operator rollout.
//   We switch off the chart's own Installation/APIServer and declare them here, so the graph has an
//   explicit `ready` resource that cluster policies depend on. The chart's switches are
//   `installation.enabled` and `apiServer.enabled` (charts/tigera-operator/values.yaml and
//   templates/crs/custom-resources.yaml in projectcalico/calico: each CR is rendered only `if` its
//   `.enabled` is true).
// - The API server is still required in 3.32: the default "CRD mode" of a new cluster is the
//   aggregation API server over `crd.projectcalico.org/v1` storage; native `projectcalico.org/v3` CRDs
//   (the `projectcalico.org.v3` chart, no API server) are tech preview in 3.32 (docs.tigera.io
//   "Enable native v3 CRDs"), and the operator picks the mode from the CRDs present.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformSpec } from "../spec/types";
import { managedBy } from "../spec/labels";
import { KubernetesObject } from "./objects";
import { HELM_RELEASE_TIMEOUT_SECONDS } from "./release";

export const CALICO_TYPE = "hard-tenancy:network:Calico";
export const CALICO_OPERATOR_NAMESPACE = "tigera-operator";
export const CALICO_CRD_CHART = "crd.projectcalico.org.v1";

export interface CalicoArgs {
  spec: Pick<PlatformSpec, "cluster" | "versions">;
  provider: k8s.Provider;
}

/** The operator's Installation: one IPv4 pool equal to the pod CIDR (kind's podSubnet must match it). */
export function calicoInstallation(spec: Pick<PlatformSpec, "cluster">) {
  return {
    apiVersion: "operator.tigera.io/v1",
    kind: "Installation",
    metadata: { name: "default", labels: managedBy() },
    spec: {
      calicoNetwork: {
        // VXLAN between subnets, native routing inside one (all kind nodes share the docker
        // network, so a kind lab runs unencapsulated); no BGP needed with VXLAN.
        bgp: "Disabled",
        nodeAddressAutodetectionV4: { kubernetes: "NodeInternalIP" },
        ipPools: [
          {
            name: "default-ipv4-ippool",
            cidr: spec.cluster.podCidr,
            encapsulation: "VXLANCrossSubnet",
            natOutgoing: "Enabled",
            nodeSelector: "all()",
          },
        ],
      },
    },
  };
}

/** The Calico API server: serves projectcalico.org/v3 (GlobalNetworkPolicy, tiers). */
export function calicoApiServer() {
  return {
    apiVersion: "operator.tigera.io/v1",
    kind: "APIServer",
    metadata: {
      name: "default",
      labels: managedBy(),
      // The operator sets `status.state` to "Ready" (operatorv1.TigeraStatusReady) once the API server
      // is available (APIServer CRD: status.state "State provides user-readable status"). Pulumi waits
      // for it: `pulumi.com/waitFor` accepts `jsonpath={expr}=Value` or `condition=Type`, the
      // `kubectl get -o jsonpath` syntax (pulumi/pulumi-kubernetes#3134, released in v4.18.0).
      annotations: { "pulumi.com/waitFor": "jsonpath={.status.state}=Ready" },
    },
    spec: {},
  };
}

export class Calico extends pulumi.ComponentResource {
  /** The CRD chart. */
  readonly crds: k8s.helm.v4.Chart;
  readonly operator: k8s.helm.v3.Release;
  readonly installation: KubernetesObject;
  /**
   * Ready when the Calico API server serves projectcalico.org/v3: anything of that group
   * (GlobalNetworkPolicy) must dependsOn this, or the API server rejects it as an unknown kind.
   */
  readonly ready: KubernetesObject;

  constructor(name: string, args: CalicoArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(CALICO_TYPE, name, {}, opts);
    const { spec, provider } = args;
    const version = spec.versions.calico;

    this.crds = new k8s.helm.v4.Chart(
      `${name}-crds`,
      { chart: CALICO_CRD_CHART, version, repositoryOpts: { repo: spec.versions.repos.calico } },
      { parent: this, provider },
    );

    this.operator = new k8s.helm.v3.Release(
      `${name}-tigera-operator`,
      {
        name: "calico",
        chart: "tigera-operator",
        version,
        repositoryOpts: { repo: spec.versions.repos.calico },
        namespace: CALICO_OPERATOR_NAMESPACE,
        createNamespace: true,
        // CRDs come from the CRD chart.
        skipCrds: true,
        timeout: HELM_RELEASE_TIMEOUT_SECONDS,
        values: { installation: { enabled: false }, apiServer: { enabled: false } },
      },
      { parent: this, provider, dependsOn: [this.crds] },
    );

    const afterOperator = [this.operator, this.crds];
    this.installation = new KubernetesObject(calicoInstallation(spec), { parent: this, provider, dependsOn: afterOperator });
    this.ready = new KubernetesObject(calicoApiServer(), { parent: this, provider, dependsOn: [...afterOperator, this.installation] });

    this.registerOutputs({ version, podCidr: spec.cluster.podCidr });
  }
}
