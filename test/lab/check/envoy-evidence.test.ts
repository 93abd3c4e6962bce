import assert from "node:assert/strict";
import { rbacDecision, rbacDisagreement } from "../../../lab/check/envoy-evidence";

describe("what an Envoy's RBAC filter says decided a request, against the model", () => {
  it("reads the DENY rule that matched, or that no ALLOW rule did, from %RESPONSE_CODE_DETAILS%", () => {
    assert.deepEqual(rbacDecision("rbac_access_denied_matched_policy[ns[tenant-acme]-policy[deny-cross-tenant]-rule[2]]"), { matched: { namespace: "tenant-acme", name: "deny-cross-tenant", rule: 2 } });
    assert.deepEqual(rbacDecision("rbac_access_denied_matched_policy[none]"), {});
    assert.equal(rbacDecision("via_upstream"), undefined);
  });

  it("agrees when Envoy and the model name the same DENY rule, or both say no ALLOW rule matched", () => {
    assert.equal(rbacDisagreement("rbac_access_denied_matched_policy[ns[tenant-acme]-policy[deny-cross-tenant]-rule[0]]", { kind: "AuthorizationPolicy", namespace: "tenant-acme", name: "deny-cross-tenant", rule: 0 }), undefined);
    assert.equal(rbacDisagreement("rbac_access_denied_matched_policy[none]", { kind: "AuthorizationPolicy", namespace: "istio-system", name: "allow-nothing" }), undefined);
  });

  it("says how they differ when the model credits another policy than the one Envoy enforced", () => {
    const why = rbacDisagreement("rbac_access_denied_matched_policy[none]", { kind: "AuthorizationPolicy", namespace: "shared-services", name: "deny-tenant-identity-injection", rule: 0 });
    assert.match(why ?? "", /Envoy's RBAC filter says no ALLOW rule matched .*; the model says DENY rule shared-services\/deny-tenant-identity-injection rule 0/);
  });

  it("has nothing to compare when the details are no RBAC denial or the model names no AuthorizationPolicy", () => {
    assert.equal(rbacDisagreement("via_upstream", { kind: "AuthorizationPolicy", name: "x" }), undefined);
    assert.equal(rbacDisagreement("rbac_access_denied_matched_policy[none]", { kind: "NetworkPolicy", namespace: "a", name: "default-deny" }), undefined);
  });
});
