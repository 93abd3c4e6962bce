import { strict as assert } from "node:assert";
import { calicoVethName, nextPodIp, podNetnsName, podPool } from "../../../../lab/local/dataplane/topology";

describe("local dataplane topology", () => {
  it("names a pod's host veth exactly as Calico does (value cross-checked with libcalico-go's VethNameForWorkload)", () => {
    assert.equal(calicoVethName("acme", "echo-5d8f7c9b4-x2k7p"), "cali5ffd222a556");
  });

  it("keeps every veth name within the kernel's 15-character limit", () => {
    assert.equal(calicoVethName("a-very-long-namespace-name", "a-very-long-pod-name-0123456789").length, 15);
  });

  it("gives each pod its own network namespace name", () => {
    assert.notEqual(podNetnsName("acme", "echo-1"), podNetnsName("globex", "echo-1"));
    assert.match(podNetnsName("acme", "echo-1"), /^ht-pod-acme\.echo-1$/);
  });

  it("hands out pod addresses from the pool, lowest free first, never the network address", () => {
    assert.equal(nextPodIp("10.244.0.0/16", new Set()), "10.244.0.2");
    assert.equal(nextPodIp("10.244.0.0/16", new Set(["10.244.0.2", "10.244.0.3"])), "10.244.0.4");
  });

  it("says so when the pool is exhausted", () => {
    assert.throws(() => nextPodIp("10.0.0.0/30", new Set(["10.0.0.2"])), /no free address/);
  });

  it("refuses a pod CIDR with host bits set, naming the fix", () => {
    assert.throws(() => podPool("10.244.1.0/16"), /use 10\.244\.0\.0\/16/);
  });

  it("refuses an IPv6 or malformed pod CIDR, naming the field", () => {
    assert.throws(() => podPool("fd00::/64"), /podCidr: fd00::\/64 must be an IPv4 CIDR/);
    assert.throws(() => podPool("10.244.0.0"), /podCidr/);
  });
});
