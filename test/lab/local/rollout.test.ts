import assert from "node:assert/strict";
import { admissionPolicyWarnings, settled, summariseAdmission } from "../../../lab/local/rollout";

describe("after the local deploy", () => {
  it("counts each Deployment's admitted pods, and reads a refusal from its ReplicaFailure condition", () => {
    const list = {
      items: [
        { kind: "Deployment", metadata: { namespace: "t", name: "ok" }, spec: { replicas: 1 }, status: { replicas: 1 } },
        {
          kind: "Deployment",
          metadata: { namespace: "t", name: "refused" },
          spec: { replicas: 1 },
          status: { conditions: [{ type: "ReplicaFailure", status: "True", message: 'pods "refused-x" is forbidden: exceeded quota: tenant-quota' }] },
        },
        { kind: "ResourceQuota", metadata: { namespace: "t", name: "q" }, status: { hard: { pods: "5" } } },
        { kind: "ResourceQuota", metadata: { namespace: "u", name: "q" } },
      ],
    };
    const { summaries, unsyncedQuotas } = summariseAdmission(JSON.stringify(list), ["Deployment/t/ok", "Deployment/t/refused", "Deployment/t/missing"]);
    assert.deepEqual(summaries[0], { deployment: "Deployment/t/ok", wanted: 1, created: 1 });
    assert.match(summaries[1].refusal ?? "", /exceeded quota/);
    assert.deepEqual(summaries.map(settled), [true, true, false]);
    assert.deepEqual(unsyncedQuotas, ["ResourceQuota/u/q"]);
  });

  it("reports CEL type-check warnings the API server wrote to a ValidatingAdmissionPolicy's status, and policies not checked yet", () => {
    const list = {
      items: [
        {
          metadata: { name: "p", generation: 1 },
          status: { observedGeneration: 1, typeChecking: { expressionWarnings: [{ fieldRef: "spec.validations[0].expression", warning: "/v1, Kind=Pod: ERROR: undefined field 'externalIPs'" }] } },
        },
        { metadata: { name: "q", generation: 2 }, status: { observedGeneration: 1 } },
      ],
    };
    const result = admissionPolicyWarnings(JSON.stringify(list));
    assert.deepEqual(result.warnings, ["p spec.validations[0].expression: /v1, Kind=Pod: ERROR: undefined field 'externalIPs'"]);
    assert.deepEqual(result.unchecked, ["q"]);
  });
});
