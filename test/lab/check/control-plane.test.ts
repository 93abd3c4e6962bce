import assert from "node:assert/strict";
import { validatePlatformConfig } from "../../../components/spec/validate";
import {
  canIArgv,
  controlPlaneChecks,
  externalIpServiceManifest,
  parseCanI,
  parseGuardrailDryRun,
  parsePodSecurityDryRun,
  privilegedPodDryRunArgv,
  serverDryRunArgv,
  tokenMountViolations,
} from "../../../lab/check/control-plane";
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

  it("checks that no tenant identity can mint mesh certificates, attach ephemeral containers, mint tokens or write Calico cluster policy", () => {
    for (const tenant of spec.tenants) {
      for (const label of [`${tenant.name} admin`, `${tenant.name} pod (client)`]) {
        const mine = checks.filter((c) => c.identity.label === label && c.expect === "no");
        const has = (verb: string, resource: string, namespace?: string, subresource?: string): boolean =>
          mine.some((c) => c.verb === verb && c.resource === resource && c.namespace === namespace && c.subresource === subresource);
        assert.ok(has("create", "certificates.cert-manager.io", tenant.namespace), `${label}: certificates in own namespace`);
        assert.ok(has("create", "certificates.cert-manager.io", "istio-system"), `${label}: certificates in the mesh namespace`);
        assert.ok(has("update", "pods", tenant.namespace, "ephemeralcontainers"), `${label}: ephemeral containers`);
        assert.ok(has("create", "serviceaccounts", tenant.namespace, "token"), `${label}: TokenRequest`);
        assert.ok(has("create", "globalnetworkpolicies.projectcalico.org"), `${label}: Calico API server GNP`);
        assert.ok(has("create", "tiers.projectcalico.org"), `${label}: Calico tiers`);
        assert.ok(has("delete", "globalnetworkpolicies.crd.projectcalico.org"), `${label}: Calico CRD GNP`);
      }
    }
  });

  it("asks about subresources with --subresource, since kubectl reads resource/x as a resource name", () => {
    const ephemeral = checks.find((c) => c.identity.label === "t0001 admin" && c.subresource === "ephemeralcontainers")!;
    assert.equal(ephemeral.id, "t0001 admin: update pods/ephemeralcontainers -n tenant-t0001");
    assert.deepEqual(canIArgv(ephemeral, "ctx"), [
      "kubectl", "--context", "ctx", "auth", "can-i", "update", "pods", "--subresource", "ephemeralcontainers", "-n", "tenant-t0001", "--as", "lab-admin@t0001", "--as-group", "t0001-admins",
    ]);
    const token = checks.find((c) => c.identity.label === "t0002 pod (client)" && c.subresource === "token")!;
    assert.deepEqual(canIArgv(token, "ctx").slice(5, 11), ["create", "serviceaccounts", "--subresource", "token", "-n", "tenant-t0002"]);
    const meshCert = checks.find((c) => c.identity.label === "t0003 admin" && c.resource === "certificates.cert-manager.io" && c.namespace === "istio-system")!;
    assert.deepEqual(canIArgv(meshCert, "ctx").slice(5, 9), ["create", "certificates.cert-manager.io", "-n", "istio-system"]);
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

  describe("the externalIPs Service dry run", () => {
    const denial = "ValidatingAdmissionPolicy 'hard-tenancy-tenant-guardrails' with binding 'hard-tenancy-tenant-guardrails' denied request: Services in tenant namespaces must not set spec.externalIPs (CVE-2020-8554: kube-proxy would hijack cluster traffic to those IPs); remove spec.externalIPs";

    it("sends an otherwise valid ClusterIP Service with one never-routed external IP, server-side", () => {
      assert.deepEqual(serverDryRunArgv("ctx", "tenant-t0001"), ["kubectl", "--context", "ctx", "apply", "--dry-run=server", "-n", "tenant-t0001", "-f", "-"]);
      assert.deepEqual(externalIpServiceManifest("tenant-t0001"), {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "ht-lab-externalip-probe", namespace: "tenant-t0001", labels: { app: "ht-lab-externalip-probe" } },
        spec: { type: "ClusterIP", selector: { app: "ht-lab-externalip-probe" }, ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }], externalIPs: ["203.0.113.10"] },
      });
    });

    it("recognises the guardrails policy's denial as kubectl prints it with reason Forbidden", () => {
      const parsed = parseGuardrailDryRun({ code: 1, stdout: "", stderr: `Error from server (Forbidden): error when creating "STDIN": services "ht-lab-externalip-probe" is forbidden: ${denial}\n` });
      assert.equal(parsed.rejected, true);
      assert.match(parsed.detail, /^rejected by ValidatingAdmissionPolicy 'hard-tenancy-tenant-guardrails' \(binding 'hard-tenancy-tenant-guardrails'\): Services in tenant namespaces must not set spec\.externalIPs/);
    });

    it("recognises the same denial in kubectl's Invalid shape (a policy without a reason answers 422)", () => {
      const parsed = parseGuardrailDryRun({ code: 1, stdout: "", stderr: `The services "ht-lab-externalip-probe" is invalid: : ${denial}\n` });
      assert.equal(parsed.rejected, true);
    });

    it("counts the DenyServiceExternalIPs plugin's earlier rejection as a rejection", () => {
      const parsed = parseGuardrailDryRun({ code: 1, stdout: "", stderr: 'Error from server (Forbidden): error when creating "STDIN": services "ht-lab-externalip-probe" is forbidden: Use of external IPs is denied by admission control\n' });
      assert.equal(parsed.rejected, true);
      assert.match(parsed.detail, /DenyServiceExternalIPs/);
    });

    it("treats acceptance as a breach and another policy's denial or an error as inconclusive", () => {
      assert.deepEqual(parseGuardrailDryRun({ code: 0, stdout: "service/ht-lab-externalip-probe created (server dry run)\n", stderr: "" }), { rejected: false, detail: "service/ht-lab-externalip-probe created (server dry run)" });
      const other = parseGuardrailDryRun({ code: 1, stdout: "", stderr: `Error from server (Forbidden): error when creating "STDIN": services "ht-lab-externalip-probe" is forbidden: ValidatingAdmissionPolicy 'someone-elses' with binding 'b' denied request: no\n` });
      assert.equal(other.rejected, null);
      assert.match(other.detail, /another policy, 'someone-elses'/);
      assert.equal(parseGuardrailDryRun({ code: 1, stdout: "", stderr: 'Error from server (NotFound): namespaces "tenant-x" not found\n' }).rejected, null);
    });
  });

  it("lists tenant pods with API tokens and ignores pods outside tenant namespaces", () => {
    const pod = (namespace: string, apiTokenMounts: string[]): PodSummary => ({ namespace, name: "p", labels: {}, serviceAccount: "default", phase: "Running", ready: true, containers: [], apiTokenMounts });
    assert.deepEqual(tokenMountViolations([pod("tenant-t0001", ["volume kube-api-access-1"]), pod("kube-system", ["volume kube-api-access-2"]), pod("tenant-t0002", [])], ["tenant-t0001", "tenant-t0002"]), [
      { pod: "tenant-t0001/p", found: ["volume kube-api-access-1"] },
    ]);
  });
});
