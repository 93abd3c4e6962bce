import assert from "node:assert/strict";
import { checkPlatformConfig } from "../../../components/spec/validate";
import { baseConfig, onlyFix, problemsOf, type Raw } from "./support";

function withCluster(patch: Raw): Raw {
  const raw = baseConfig();
  raw.cluster = { ...(raw.cluster as Raw), ...patch };
  return raw;
}

describe("cluster configuration", () => {
  it("rejects a pod CIDR without a prefix length and suggests the single-address form", () => {
    const raw = withCluster({ podCidr: "10.244.0.0" });
    assert.deepEqual(problemsOf(raw), ['cluster.podCidr: is not a CIDR: "10.244.0.0"']);
    assert.equal(onlyFix(raw), 'add a prefix length: "10.244.0.0/32" for this address alone');
  });

  it("rejects a CIDR with host bits set and suggests the network address", () => {
    const raw = withCluster({ podCidr: "10.244.1.0/16" });
    assert.deepEqual(problemsOf(raw), ['cluster.podCidr: "10.244.1.0/16" has host bits set (its network address is 10.244.0.0/16)']);
    assert.equal(onlyFix(raw), 'write "10.244.0.0/16"');
  });

  it("rejects an IPv6 service CIDR with host bits set", () => {
    assert.deepEqual(problemsOf(withCluster({ podCidr: "fd00:10:244::/56", serviceCidr: "fd00:10:96::1/112" })), [
      'cluster.serviceCidr: "fd00:10:96::1/112" has host bits set (its network address is fd00:10:96::/112)',
    ]);
  });

  it("accepts IPv6 pod and service CIDRs that do not overlap", () => {
    assert.deepEqual(problemsOf(withCluster({ podCidr: "fd00:10:244::/56", serviceCidr: "fd00:10:96::/112" })), []);
  });

  it("stores IPv6 CIDRs in canonical form", () => {
    const spec = checkPlatformConfig(withCluster({ podCidr: "FD00:10:244:0:0:0:0:0/56", serviceCidr: "fd00:0010:0096::/112" })).spec;
    assert.equal(spec?.cluster.podCidr, "fd00:10:244::/56");
    assert.equal(spec?.cluster.serviceCidr, "fd00:10:96::/112");
  });

  it("rejects a pod CIDR that overlaps the service CIDR", () => {
    assert.deepEqual(problemsOf(withCluster({ podCidr: "10.96.0.0/12" })), ["cluster.podCidr: 10.96.0.0/12 overlaps cluster.serviceCidr 10.96.0.0/16"]);
  });

  it("requires the post-DNAT API server endpoints and explains what to use on kind", () => {
    const raw = baseConfig();
    delete (raw.cluster as Raw).apiServerEndpoints;
    assert.deepEqual(problemsOf(raw), ["cluster.apiServerEndpoints: is required: it is the Kubernetes API endpoint as Calico sees it after DNAT, and no default is safe"]);
    assert.match(onlyFix(raw), /control-plane node IP\/32 .* \/24 of the kind docker network the nodes are in \(e\.g\. 172\.18\.0\.0\/24\) with port 6443/);
  });

  it("rejects an empty list of API server endpoints", () => {
    assert.deepEqual(problemsOf(withCluster({ apiServerEndpoints: [] })), ["cluster.apiServerEndpoints: must list at least one endpoint"]);
  });

  it("rejects an API server endpoint port outside 1–65535", () => {
    assert.deepEqual(problemsOf(withCluster({ apiServerEndpoints: [{ cidr: "172.18.0.2/32", port: 70000 }] })), [
      "cluster.apiServerEndpoints[0].port: must be a port number 1–65535, got number 70000",
    ]);
  });

  it("rejects an API server endpoint given as a quoted port and a bare address, naming both fields", () => {
    assert.deepEqual(problemsOf(withCluster({ apiServerEndpoints: [{ cidr: "172.18.0.2", port: "6443" }] })), [
      'cluster.apiServerEndpoints[0].cidr: is not a CIDR: "172.18.0.2"',
      'cluster.apiServerEndpoints[0].port: must be a port number 1–65535, got string "6443"',
    ]);
  });

  it("rejects an unknown key in an API server endpoint", () => {
    assert.deepEqual(problemsOf(withCluster({ apiServerEndpoints: [{ cidr: "172.18.0.2/32", port: 6443, prot: "TCP" }] })), [
      'cluster.apiServerEndpoints[0].prot: unknown key "prot"',
    ]);
  });

  it("rejects a trust domain that is not a SPIFFE trust domain name", () => {
    assert.deepEqual(problemsOf(withCluster({ trustDomain: "Cluster.Local/ns" })), ['cluster.trustDomain: "Cluster.Local/ns" is not a valid trust domain']);
  });

  it("rejects an empty DNS pod selector, which would select every pod", () => {
    assert.deepEqual(problemsOf(withCluster({ dns: { podLabels: {} } })), ["cluster.dns.podLabels: must not be empty (an empty selector selects every pod)"]);
  });

  it("rejects a cluster given as null", () => {
    const raw = baseConfig();
    raw.cluster = null;
    assert.deepEqual(problemsOf(raw), [
      "cluster: must be a map, got null",
      "cluster.apiServerEndpoints: is required: it is the Kubernetes API endpoint as Calico sees it after DNAT, and no default is safe",
    ]);
  });

  it("keeps the configured API endpoints in the spec", () => {
    const spec = checkPlatformConfig(withCluster({ apiServerEndpoints: [{ cidr: "10.0.0.10/32", port: 443 }, { cidr: "fd00::10/128", port: 6443 }] })).spec;
    assert.deepEqual(spec?.cluster.apiServerEndpoints, [
      { cidr: "10.0.0.10/32", port: 443 },
      { cidr: "fd00::10/128", port: 6443 },
    ]);
  });
});
