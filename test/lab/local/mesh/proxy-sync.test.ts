import assert from "node:assert/strict";
import { acceptedUpdates, meshedPods, parseDrainingChains, rejectingSidecars } from "../../../../lab/local/mesh/proxy-sync";
import type { PodRecord } from "../../../../lab/local/dataplane/kubelet";
import type { EnvoyXdsCounters } from "../../../../lab/local/mesh/counters";

const record = (name: string, daemons: string[]): PodRecord => ({ namespace: "tenant-a", name, uid: name, netns: `ht-pod-${name}`, veth: "cali0", ip: "10.244.0.9", daemons });
const counters = (ldsAccepted: number, cdsAccepted: number, ldsRejected = 0, cdsRejected = 0): EnvoyXdsCounters => ({ ldsAccepted, cdsAccepted, ldsRejected, cdsRejected });

describe("knowing when the local sidecars enforce a mesh change", () => {
  it("watches only the pods that run a sidecar", () => {
    const pods = [record("echo-1", ["pod_tenant-a_echo-1_echo", "pod_tenant-a_echo-1_istio-proxy"]), record("debug-1", ["pod_tenant-a_debug-1_curl"])];
    assert.deepEqual(meshedPods(pods).map((p) => p.name), ["echo-1"]);
  });

  it("fingerprints the accepted listener and cluster updates, so any sidecar taking a new version changes it", () => {
    const before = acceptedUpdates(new Map([["tenant-a/echo-1", counters(3, 2)], ["tenant-b/echo-1", counters(3, 2)]]));
    assert.equal(before, acceptedUpdates(new Map([["tenant-b/echo-1", counters(3, 2)], ["tenant-a/echo-1", counters(3, 2)]])), "independent of order");
    assert.notEqual(before, acceptedUpdates(new Map([["tenant-a/echo-1", counters(4, 2)], ["tenant-b/echo-1", counters(3, 2)]])));
  });

  it("names every sidecar that rejected an update, with its counts", () => {
    assert.deepEqual(rejectingSidecars(new Map([["tenant-a/echo-1", counters(3, 2)], ["tenant-b/echo-1", counters(3, 2, 1, 0)]])), ["tenant-b/echo-1 (1 LDS, 0 CDS rejected)"]);
  });

  it("counts the filter chains and listeners Envoy still drains (connections accepted under the old config)", () => {
    assert.equal(parseDrainingChains("listener_manager.total_filter_chains_draining: 3\nlistener_manager.total_listeners_draining: 1\n"), 4);
    assert.equal(parseDrainingChains("listener_manager.total_filter_chains_draining: 0\nlistener_manager.total_listeners_draining: 0\n"), 0);
  });
});
