import { strict as assert } from "node:assert";
import { join } from "node:path";
import { loadStackSpec } from "../../../../components/spec/stack-config";
import { corefile, corednsObjects, dnsClusterIp, istiodStandInObjects, ISTIOD_STAND_IN_PORTS } from "../../../../lab/local/dataplane/addons";
import { calicoBootstrapObjects, clusterInformation, felixEnv } from "../../../../lab/local/dataplane/felix";
import { kubeProxyConfiguration } from "../../../../lab/local/dataplane/kube-proxy";
import { UPLINK } from "../../../../lab/local/dataplane/topology";

const REPO = join(__dirname, "..", "..", "..", "..");
const spec = loadStackSpec({ file: join(REPO, "stacks", "Pulumi.lab.yaml") });

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> };

describe("the local node's agents and add-ons", () => {
  it("marks the Calico datastore ready, which Felix waits for before doing anything", () => {
    const info = clusterInformation() as { apiVersion: string; spec: { datastoreReady: boolean; calicoVersion: string } };
    assert.equal(info.apiVersion, "crd.projectcalico.org/v1");
    assert.equal(info.spec.datastoreReady, true);
    assert.equal(info.spec.calicoVersion, "v3.30.1");
  });

  it("creates Calico's three tiers in upstream order and an IP pool equal to the pod CIDR, without overlay or NAT", () => {
    const objects = calicoBootstrapObjects("10.244.0.0/16") as Obj[];
    const tiers = objects.filter((o) => o.kind === "Tier").map((o) => [o.metadata.name, (o.spec as { order: number }).order]);
    assert.deepEqual(tiers, [["adminnetworkpolicy", 1000], ["default", 1_000_000], ["baselineadminnetworkpolicy", 10_000_000]]);
    const pool = objects.find((o) => o.kind === "IPPool")!.spec as Record<string, unknown>;
    assert.deepEqual([pool.cidr, pool.ipipMode, pool.vxlanMode, pool.natOutgoing], ["10.244.0.0/16", "Never", "Never", false]);
  });

  it("runs Felix on the Kubernetes datastore as the local node, iptables through nft, health on the uplink", () => {
    const env = felixEnv("hard-tenancy-local", "/k");
    assert.equal(env.FELIX_DATASTORETYPE, "kubernetes");
    assert.equal(env.FELIX_FELIXHOSTNAME, "hard-tenancy-local");
    assert.equal(env.FELIX_IPTABLESBACKEND, "NFT");
    assert.equal(env.FELIX_HEALTHHOST, UPLINK.nodeAddress);
  });

  it("runs kube-proxy in iptables mode for the pod CIDR, leaving host-wide conntrack sysctls alone", () => {
    const config = kubeProxyConfiguration({ kubeconfig: "/k", nodeName: "n", podCidr: "10.244.0.0/16" });
    assert.equal(config.mode, "iptables");
    assert.equal(config.clusterCIDR, "10.244.0.0/16");
    assert.deepEqual(config.conntrack, { maxPerCore: 0, min: 0 });
  });

  it("puts kube-dns at the service CIDR's 10th address, as kubeadm does", () => {
    assert.equal(dnsClusterIp("10.96.0.0/16"), "10.96.0.10");
    const service = (corednsObjects(spec, "/bin/coredns") as Obj[]).find((o) => o.kind === "Service")!;
    assert.equal((service.spec as { clusterIP: string }).clusterIP, "10.96.0.10");
  });

  it("gives CoreDNS's pods the DNS labels the platform's DNS allowance selects", () => {
    const deployment = (corednsObjects(spec, "/bin/coredns") as Obj[]).find((o) => o.kind === "Deployment")! as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
    assert.deepEqual(deployment.spec.template.metadata.labels, spec.cluster.dns.podLabels);
  });

  it("serves only the cluster domain from the API server (no upstream resolver in the lab)", () => {
    assert.match(corefile(), /kubernetes cluster\.local in-addr\.arpa ip6\.arpa/);
    assert.doesNotMatch(corefile(), /forward/);
  });

  it("stands in for istiod with istiod's labels on 15012 and 15017, marked as a stand-in", () => {
    const objects = istiodStandInObjects(spec) as Obj[];
    const deployment = objects.find((o) => o.kind === "Deployment")! as unknown as { metadata: { namespace: string }; spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports: { containerPort: number }[] }[] } } } };
    assert.equal(deployment.metadata.namespace, spec.meshNamespace);
    assert.equal(deployment.spec.template.metadata.labels.app, "istiod");
    assert.equal(deployment.spec.template.metadata.labels["hard-tenancy.io/stand-in"], "istiod");
    assert.deepEqual(deployment.spec.template.spec.containers.flatMap((c) => c.ports.map((p) => p.containerPort)), [...ISTIOD_STAND_IN_PORTS]);
  });
});
