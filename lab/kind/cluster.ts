// The lab's kind cluster, derived from the spec: one control plane and two workers (so cross-node
// traffic is exercised), no default CNI (Calico is installed instead), and the pod subnet equal to
// the Calico IP pool — the operator rejects pools outside the cluster's pod CIDR (DESIGN §3).
import { stringify } from "yaml";
import type { PlatformSpec } from "../../components/spec/types";
import { KIND_NODE_IMAGE } from "../workloads/images";

export { KIND_NODE_IMAGE };

export const LAB_CLUSTER_NAME = "hard-tenancy-lab";

/** Path of the rendered config, relative to the repository root (kept in sync by a test). */
export const KIND_CONFIG_PATH = "lab/kind/kind-config.yaml";

export interface KindNode {
  role: "control-plane" | "worker";
  image: string;
}

/** The subset of kind's `kind.x-k8s.io/v1alpha4` Cluster that the lab uses. */
export interface KindClusterConfig {
  kind: "Cluster";
  apiVersion: "kind.x-k8s.io/v1alpha4";
  name: string;
  networking: {
    disableDefaultCNI: true;
    podSubnet: string;
    serviceSubnet: string;
  };
  nodes: KindNode[];
}

export interface KindClusterOptions {
  /** Node image override; must be pinned by digest to a Kubernetes version the pinned Istio supports. */
  nodeImage?: string;
}

/** kind's Cluster config for the lab (a plain object, ready for YAML). */
export function kindClusterConfig(spec: PlatformSpec, options: KindClusterOptions = {}): KindClusterConfig {
  const podSubnet = parseIpv4Cidr(spec.cluster.podCidr, "cluster.podCidr");
  const serviceSubnet = parseIpv4Cidr(spec.cluster.serviceCidr, "cluster.serviceCidr");
  if (overlaps(podSubnet, serviceSubnet)) {
    throw new Error(
      `cluster.podCidr ${spec.cluster.podCidr} overlaps cluster.serviceCidr ${spec.cluster.serviceCidr}; choose disjoint ranges (kind defaults: 10.244.0.0/16 and 10.96.0.0/16)`,
    );
  }
  const image = options.nodeImage ?? KIND_NODE_IMAGE;
  if (!/^[^\s@]+@sha256:[0-9a-f]{64}$/.test(image)) {
    throw new Error(`nodeImage: "${image}" is not pinned by digest; use "kindest/node:v1.36.x@sha256:<64 hex>"`);
  }
  return {
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    name: LAB_CLUSTER_NAME,
    networking: {
      // No kindnet: Calico is the CNI (and the NetworkPolicy enforcer) of the lab.
      disableDefaultCNI: true,
      podSubnet: spec.cluster.podCidr,
      serviceSubnet: spec.cluster.serviceCidr,
    },
    nodes: [
      { role: "control-plane", image },
      { role: "worker", image },
      { role: "worker", image },
    ],
  };
}

/** The same config as YAML, with a header saying where it comes from. */
export function kindClusterConfigYaml(spec: PlatformSpec, options: KindClusterOptions = {}): string {
  const header = [
    "# kind cluster for the hard-tenancy lab. GENERATED from the lab spec by lab/kind/cluster.ts:",
    "# do not edit by hand (test/lab/kind/cluster.test.ts fails when this file is out of date).",
    `# Create it with: kind create cluster --config ${KIND_CONFIG_PATH}`,
  ].join("\n");
  return `${header}\n${stringify(kindClusterConfig(spec, options))}`;
}

interface Ipv4Range {
  first: number;
  last: number;
}

function parseIpv4Cidr(cidr: string, field: string): Ipv4Range {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw new Error(`${field}: "${cidr}" is not an IPv4 CIDR; use e.g. "10.244.0.0/16"`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = address - (address % size);
  if (first !== address) {
    throw new Error(`${field}: "${cidr}" has host bits set; use the network address ${formatIpv4(first)}/${prefix}`);
  }
  return { first, last: first + size - 1 };
}

function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}
