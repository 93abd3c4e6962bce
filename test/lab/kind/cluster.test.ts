import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import type { PlatformSpec } from "../../../components/spec/types";
import {
  KIND_CONFIG_PATH,
  KIND_NODE_IMAGE,
  LAB_CLUSTER_NAME,
  kindClusterConfig,
  kindClusterConfigYaml,
} from "../../../lab/kind/cluster";
import { isPinnedByDigest } from "../../../lab/workloads/images";
import { labSpec } from "../workloads/lab-spec";

const REPO_ROOT = path.resolve(__dirname, "../../..");
const spec = labSpec();

function withCluster(overrides: Partial<PlatformSpec["cluster"]>): PlatformSpec {
  return { ...spec, cluster: { ...spec.cluster, ...overrides } };
}

describe("kind cluster config", () => {
  it("has one control plane and two workers, all on the pinned node image", () => {
    const config = kindClusterConfig(spec);
    assert.equal(config.kind, "Cluster");
    assert.equal(config.apiVersion, "kind.x-k8s.io/v1alpha4");
    assert.equal(config.name, LAB_CLUSTER_NAME);
    assert.deepEqual(config.nodes.map((n) => n.role), ["control-plane", "worker", "worker"]);
    for (const node of config.nodes) assert.equal(node.image, KIND_NODE_IMAGE);
  });

  it("disables the default CNI and uses the spec's pod CIDR (the Calico pool) and service CIDR", () => {
    const config = kindClusterConfig(spec);
    assert.equal(config.networking.disableDefaultCNI, true);
    assert.equal(config.networking.podSubnet, spec.cluster.podCidr);
    assert.equal(config.networking.serviceSubnet, spec.cluster.serviceCidr);
    const custom = kindClusterConfig(withCluster({ podCidr: "192.168.0.0/16", serviceCidr: "10.100.0.0/16" }));
    assert.equal(custom.networking.podSubnet, "192.168.0.0/16");
    assert.equal(custom.networking.serviceSubnet, "10.100.0.0/16");
  });

  it("pins the node image by digest to a Kubernetes version the pinned Istio supports (1.32–1.36)", () => {
    assert.ok(isPinnedByDigest(KIND_NODE_IMAGE), KIND_NODE_IMAGE);
    const match = /^kindest\/node:v1\.(\d+)\.\d+@sha256:[0-9a-f]{64}$/.exec(KIND_NODE_IMAGE);
    assert.ok(match, KIND_NODE_IMAGE);
    const minor = Number(match[1]);
    assert.ok(minor >= 32 && minor <= 36, `Kubernetes 1.${minor}`);
  });

  it("takes a node image override, but only one pinned by digest", () => {
    const image = "registry.example/kindest/node:v1.35.8@sha256:" + "b".repeat(64);
    assert.ok(kindClusterConfig(spec, { nodeImage: image }).nodes.every((n) => n.image === image));
    assert.throws(() => kindClusterConfig(spec, { nodeImage: "kindest/node:v1.36.4" }), /nodeImage.*not pinned by digest/);
  });

  it("rejects a pod CIDR that overlaps the service CIDR, naming both fields", () => {
    assert.throws(
      () => kindClusterConfig(withCluster({ podCidr: "10.96.0.0/12", serviceCidr: "10.96.0.0/16" })),
      /cluster\.podCidr 10\.96\.0\.0\/12 overlaps cluster\.serviceCidr 10\.96\.0\.0\/16/,
    );
  });

  it("rejects a malformed CIDR, naming the field and the fix", () => {
    assert.throws(() => kindClusterConfig(withCluster({ podCidr: "10.244.0.0" })), /cluster\.podCidr: "10\.244\.0\.0" is not an IPv4 CIDR/);
    assert.throws(() => kindClusterConfig(withCluster({ serviceCidr: "10.96.0.1/16" })), /cluster\.serviceCidr.*host bits set.*10\.96\.0\.0\/16/);
  });

  it("renders YAML that parses back to the same config", () => {
    assert.deepEqual(parse(kindClusterConfigYaml(spec)), kindClusterConfig(spec));
  });

  it("lab/kind/kind-config.yaml is exactly the config rendered from the lab spec", () => {
    const onDisk = readFileSync(path.join(REPO_ROOT, KIND_CONFIG_PATH), "utf8");
    assert.equal(
      onDisk,
      kindClusterConfigYaml(spec),
      `${KIND_CONFIG_PATH} is stale; regenerate it with: npx tsx -e 'const {kindClusterConfigYaml}=require("./lab/kind/cluster");const {validatePlatformConfig}=require("./components/spec/validate");const {labConfig}=require("./test/fixtures/platform");process.stdout.write(kindClusterConfigYaml(validatePlatformConfig(labConfig())))' > ${KIND_CONFIG_PATH}`,
    );
  });
});
