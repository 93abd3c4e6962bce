import assert from "node:assert/strict";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { canIArgv, controlPlaneChecks, parseCanI, parsePodSecurityDryRun, privilegedPodDryRunArgv, tokenMountViolations } from "../../../lab/check/control-plane";
import type { PodSummary } from "../../../lab/check/pods";
import { syntheticConfig } from "../../fixtures/platform";

describe("lab check control-plane checks", () => {
  const spec = validatePlatformConfig(syntheticConfig(3));
  const checks = controlPlaneChecks(spec);

  it("impersonates the tenant admin through its group and the pod through its ServiceAccount user and groups", () => {
    const admin = checks.find((c) => c.identity.label === "t0001 admin" && c.verb === "get" && c.resource === "pods" && c.expect === "no")!;
    assert.deepEqual(canIArgv(admin, "kind-hard-tenancy-lab"), [
      "kubectl", "--context", "kind-hard-tenancy-lab", "auth", "can-i", "get", "pods", "-n", "tenant-t0002", "--as", "lab-admin@t0001", "--as-group", "t0001-admins",
    ]);
    const pod = checks.find((c) => c.identity.user.startsWith("system:serviceaccount:") && c.resource === "namespaces")!;
    assert.deepEqual(canIArgv(pod, "ctx").slice(5), ["create", "namespaces", "--as", "system:serviceaccount:tenant-t0001:client", "--as-group", "system:serviceaccounts", "--as-group", "system:serviceaccounts:tenant-t0001"]);
  });

  it("covers every tenant as attacker and victim, the platform's policies and quotas, and cluster-scoped objects", () => {
    for (const tenant of spec.tenants) {
      assert.ok(checks.some((c) => c.namespace === tenant.namespace && c.resource === "secrets" && c.expect === "no"), `${tenant.name} is never a victim`);
      assert.ok(checks.some((c) => c.identity.label === `${tenant.name} admin` && c.resource === "networkpolicies.networking.k8s.io"));
    }
    for (const resource of ["authorizationpolicies.security.istio.io", "peerauthentications.security.istio.io", "resourcequotas", "clusterrolebindings.rbac.authorization.k8s.io"]) {
      assert.ok(checks.some((c) => c.resource === resource && c.expect === "no"), resource);
    }
    assert.equal(checks.filter((c) => c.positiveControl).length, 2 * spec.tenants.length);
  });

  it("reads kubectl auth can-i's answers: yes, no, no with a reason, and errors with empty stdout", () => {
    assert.deepEqual(parseCanI({ code: 0, stdout: "yes\n", stderr: "" }), { answer: "yes", detail: "yes" });
    assert.deepEqual(parseCanI({ code: 1, stdout: "no\n", stderr: "" }), { answer: "no", detail: "no" });
    assert.equal(parseCanI({ code: 1, stdout: "no - RBAC: clusterrole not found\n", stderr: "" }).answer, "no");
    assert.equal(parseCanI({ code: 1, stdout: "no\n", stderr: "Warning: resource 'namespaces' is not namespace scoped\n" }).answer, "no");
    const error = parseCanI({ code: 1, stdout: "", stderr: 'Error from server (Forbidden): users "lab-admin@t0001" is forbidden: User "kubernetes-admin" cannot impersonate resource "users" in API group "" at the cluster scope\n' });
    assert.equal(error.answer, "error");
    assert.match(error.detail, /cannot impersonate/);
  });

  it("recognises Pod Security's rejection of the privileged pod, and an acceptance as a failure", () => {
    assert.deepEqual(privilegedPodDryRunArgv("ctx", "tenant-t0001"), ["kubectl", "--context", "ctx", "apply", "--dry-run=server", "-n", "tenant-t0001", "-f", "-"]);
    const rejected = parsePodSecurityDryRun({
      code: 1,
      stdout: "",
      stderr: 'Error from server (Forbidden): error when creating "STDIN": pods "ht-lab-privileged-probe" is forbidden: violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true), privileged (container "probe" must not set securityContext.privileged=true), runAsUser=0 (container "probe" must not set runAsUser=0)\n',
    });
    assert.deepEqual(rejected, { rejected: true, detail: 'rejected by Pod Security "restricted"' });
    assert.equal(parsePodSecurityDryRun({ code: 0, stdout: "pod/ht-lab-privileged-probe created (server dry run)\n", stderr: "" }).rejected, false);
    assert.equal(parsePodSecurityDryRun({ code: 1, stdout: "", stderr: 'Error from server (NotFound): namespaces "tenant-x" not found' }).rejected, null);
  });

  it("lists tenant pods with API tokens and ignores pods outside tenant namespaces", () => {
    const pod = (namespace: string, apiTokenMounts: string[]): PodSummary => ({ namespace, name: "p", labels: {}, serviceAccount: "default", phase: "Running", ready: true, containers: [], apiTokenMounts });
    assert.deepEqual(tokenMountViolations([pod("tenant-t0001", ["volume kube-api-access-1"]), pod("kube-system", ["volume kube-api-access-2"]), pod("tenant-t0002", [])], ["tenant-t0001", "tenant-t0002"]), [
      { pod: "tenant-t0001/p", found: ["volume kube-api-access-1"] },
    ]);
  });
});
