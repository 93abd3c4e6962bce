import assert from "node:assert/strict";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { admissionAttempts, attemptArgv, parseAttempt, tenantAdmissionAttempts } from "../../../lab/check/attempts";
import { attemptStatus } from "../../../lab/run/attempts";
import { syntheticConfig } from "../../fixtures/platform";

const POLICY = "hard-tenancy-tenant-guardrails-services";
const isPolicy = (name: string): boolean => name.startsWith("hard-tenancy-tenant-guardrails");
const refused = (stderr: string) => ({ code: 1, stdout: "", stderr });

describe("tenant-admin admission attempts", () => {
  const spec = validatePlatformConfig(syntheticConfig(2));
  const attempts = admissionAttempts(spec);

  it("attacks through every mechanism the platform relies on, and keeps positive controls beside them", () => {
    const by = new Set(attempts.map((a) => (a.expect.outcome === "admitted" ? "admitted" : a.expect.by)));
    assert.deepEqual([...by].sort(), ["admitted", "guardrail", "pod-security", "rbac", "resource-quota"]);
    assert.equal(attempts.filter((a) => a.expect.outcome === "admitted").length, 3 * spec.tenants.length);
  });

  it("acts as the tenant admin (impersonated user and groups) in the tenant's own namespace", () => {
    const argv = attemptArgv(attempts[0], "ctx");
    assert.deepEqual(argv.slice(0, 3), ["kubectl", "--context", "ctx"]);
    assert.deepEqual(argv.slice(-4), ["--as", "lab-admin@t0001", "--as-group", "t0001-admins"]);
    for (const attempt of attempts) assert.ok(attempt.namespace === spec.tenants.find((t) => t.name === attempt.tenant)?.namespace);
  });

  it("changes the platform's own objects only with --dry-run=server, and creates for real only what can be deleted after", () => {
    for (const attempt of attempts) {
      if (attempt.args[0] === "create" && attempt.cleanup) continue;
      assert.ok(attempt.args.includes("--dry-run=server"), attempt.id);
    }
  });

  it("expects RBAC to refuse everything when the tenant Role is off, and makes no positive controls then", () => {
    const noRbac = validatePlatformConfig(syntheticConfig(1, { layers: { tenantRbac: false } }));
    const list = tenantAdmissionAttempts(noRbac, noRbac.tenants[0]);
    assert.ok(list.length > 0);
    assert.ok(list.every((a) => a.expect.outcome === "refused" && a.expect.by === "rbac"));
  });

  it("makes no attempt for a tenant without admin groups", () => {
    const none = validatePlatformConfig(syntheticConfig(1, { tenants: [{ name: "solo" }] }));
    assert.deepEqual(tenantAdmissionAttempts(none, none.tenants[0]), []);
  });

  describe("reading the API server's answer", () => {
    it("names RBAC for an authorizer denial", () => {
      const answer = parseAttempt(refused('Error from server (Forbidden): resourcequotas "tenant-quota" is forbidden: User "lab-admin@acme" cannot patch resource "resourcequotas" in API group "" in the namespace "tenant-acme"'), isPolicy);
      assert.deepEqual([answer.outcome, answer.outcome === "refused" && answer.by], ["refused", "rbac"]);
    });
    it("names Pod Security for a restricted violation", () => {
      const answer = parseAttempt(refused('Error from server (Forbidden): error when creating "STDIN": pods "p" is forbidden: violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true)'), isPolicy);
      assert.equal(answer.outcome === "refused" && answer.by, "pod-security");
    });
    it("names the guardrail policy and keeps its message (the rule), but not another policy", () => {
      const text = (policy: string): string => `Error from server (Forbidden): error when creating "STDIN": services "s" is forbidden: ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: Services in tenant namespaces must be type ClusterIP`;
      assert.deepEqual(parseAttempt(refused(text(POLICY)), isPolicy), { outcome: "refused", by: "guardrail", detail: "Services in tenant namespaces must be type ClusterIP" });
      assert.equal(parseAttempt(refused(text("someone-elses")), isPolicy).outcome, "error");
    });
    it("names ResourceQuota and LimitRange", () => {
      assert.equal((parseAttempt(refused('pods "p" is forbidden: exceeded quota: tenant-quota, requested: requests.cpu=6, used: requests.cpu=50m, limited: requests.cpu=4'), isPolicy) as { by: string }).by, "resource-quota");
      assert.equal((parseAttempt(refused('pods "p" is forbidden: maximum cpu usage per Container is 2, but limit is 3'), isPolicy) as { by: string }).by, "limit-range");
    });
    it("calls exit 0 admitted and anything else an error", () => {
      assert.equal(parseAttempt({ code: 0, stdout: "pod/x created\n", stderr: "" }, isPolicy).outcome, "admitted");
      assert.equal(parseAttempt(refused("Unable to connect to the server: dial tcp 127.0.0.1:1: connect: connection refused"), isPolicy).outcome, "error");
    });
  });

  describe("judging an attempt", () => {
    const attack = attempts.find((a) => a.expect.outcome === "refused" && a.expect.by === "guardrail")!;
    const control = attempts.find((a) => a.expect.outcome === "admitted")!;
    it("passes a refusal by the expected mechanism, and calls an admitted attack a breach", () => {
      assert.equal(attemptStatus(attack, { outcome: "refused", by: "guardrail", detail: "" }), "pass");
      assert.equal(attemptStatus(attack, { outcome: "admitted", detail: "" }), "breach");
    });
    it("is unsure (not pass) when another mechanism refused: the layer meant to be proven did not act", () => {
      assert.equal(attemptStatus(attack, { outcome: "refused", by: "rbac", detail: "" }), "unknown");
    });
    it("fails a refused positive control, and skips an attempt on an API the cluster does not serve", () => {
      assert.equal(attemptStatus(control, { outcome: "refused", by: "rbac", detail: "" }), "control-failed");
      assert.equal(attemptStatus(attack, { outcome: "error", detail: 'no matches for kind "GlobalNetworkPolicy" in version "crd.projectcalico.org/v1"' }), "skipped");
    });
  });
});
