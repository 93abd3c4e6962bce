import assert from "node:assert/strict";
import { parseEnvoyXdsCounters, parseIstiodXdsRejects, rbacPolicyNames } from "../../../../lab/local/mesh/counters";

describe("reading what Envoy and istiod say about exchanged configuration", () => {
  it("reads Envoy's LDS/CDS accepted and rejected counters from the admin stats page", () => {
    const stats = ["cluster_manager.cds.update_rejected: 1", "cluster_manager.cds.update_success: 0", "listener_manager.lds.update_rejected: 2", "listener_manager.lds.update_success: 3", "cluster.xds-grpc;.update_success: 0"].join("\n");
    assert.deepEqual(parseEnvoyXdsCounters(stats), { ldsRejected: 2, cdsRejected: 1, ldsAccepted: 3, cdsAccepted: 0 });
  });

  it("refuses a stats page without the counters instead of reading them as zero", () => {
    assert.throws(() => parseEnvoyXdsCounters("server.live: 1\n"), /no listener_manager\.lds\.update_rejected/);
  });

  it("sums istiod's NACK counter over its type labels, and reads its absence as none", () => {
    const metrics = ['# TYPE pilot_total_xds_rejects counter', 'pilot_total_xds_rejects{type="cds"} 2', 'pilot_total_xds_rejects{type="lds"} 2', 'pilot_xds_pushes{type="lds"} 1'].join("\n");
    assert.equal(parseIstiodXdsRejects(metrics), 4);
    assert.equal(parseIstiodXdsRejects('pilot_xds_pushes{type="lds"} 1\n'), 0);
  });

  it("lists the RBAC filters' actions and policy names found anywhere in a config dump", () => {
    const rbac = (action: string, names: string[]) => ({ name: "envoy.filters.http.rbac", typed_config: { rules: { action, policies: Object.fromEntries(names.map((n) => [n, {}])) } } });
    const dump = { configs: [{ dynamic_listeners: [{ active_state: { listener: { filter_chains: [{ filters: [{ typed_config: { http_filters: [rbac("DENY", ["ns[acme]-policy[deny-other-tenants]-rule[0]"]), rbac("ALLOW", ["ns[acme]-policy[allow-same-tenant]-rule[0]"])] } }] }] } } }] }] };
    assert.deepEqual(rbacPolicyNames(dump), [
      { action: "DENY", policies: ["ns[acme]-policy[deny-other-tenants]-rule[0]"] },
      { action: "ALLOW", policies: ["ns[acme]-policy[allow-same-tenant]-rule[0]"] },
    ]);
  });
});
