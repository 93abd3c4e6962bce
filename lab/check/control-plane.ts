// Control-plane checks: what a tenant admin and a tenant pod's identity may do through the API
// (`kubectl auth can-i … --as … --as-group …`), that admission rejects a privileged pod (Pod
// Security) and a Service with externalIPs (the platform's ValidatingAdmissionPolicy), both by
// `kubectl apply --dry-run=server`, and that no tenant pod carries an API token.
//
// `kubectl auth can-i` prints `yes`, or `no` optionally followed by ` - <reason>` (kubectl's
// cani.go), and exits 0 when allowed, 1 when not; errors (e.g. impersonation forbidden) also exit
// 1 but print nothing on stdout, so the answer is read from stdout, never from the exit code alone.
import { ADMISSION_GUARDRAILS_NAME, isGuardrailPolicy } from "../../components/builders";
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { CLIENT } from "../workloads/names";
import type { PodSummary } from "./pods";

export interface Identity {
  /** Shown in reports: "acme admin", "acme pod (client)". */
  label: string;
  user: string;
  groups: string[];
}

export interface CanICheck {
  id: string;
  identity: Identity;
  verb: string;
  /** `resource[.group]` or `resource[.group]/name`. */
  resource: string;
  /** A subresource (`ephemeralcontainers`, `token`): passed as `--subresource`, since `a/b` means resource/name to kubectl. */
  subresource?: string;
  /** Absent for cluster-scoped resources. */
  namespace?: string;
  expect: "yes" | "no";
  /** A "must be allowed" control: when it fails the impersonation or RBAC setup is broken, so the run is inconclusive. */
  positiveControl: boolean;
  description: string;
}

export type CanIAnswer = { answer: "yes" | "no"; detail: string } | { answer: "error"; detail: string };

/** The tenant-admin user the lab impersonates (any name works: RBAC binds the group). */
export function tenantAdminIdentity(tenant: TenantSpec): Identity | undefined {
  if (tenant.adminGroups.length === 0) return undefined;
  return { label: `${tenant.name} admin`, user: `lab-admin@${tenant.name}`, groups: [...tenant.adminGroups] };
}

/** A tenant pod's identity: its ServiceAccount user plus the groups the API server gives every SA. */
export function tenantPodIdentity(tenant: TenantSpec): Identity {
  return {
    label: `${tenant.name} pod (${CLIENT.serviceAccount})`,
    user: `system:serviceaccount:${tenant.namespace}:${CLIENT.serviceAccount}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${tenant.namespace}`],
  };
}

type Action = Omit<CanICheck, "id" | "identity" | "expect" | "positiveControl">;

/**
 * Things no tenant identity may do: to its neighbour's namespace, to the platform's objects in its
 * own, and cluster-wide. Includes the escalation paths the tenant Role must never grant: minting
 * mesh certificates (cert-manager Certificates, in its own namespace and where the mesh CA issuer
 * lives), attaching ephemeral containers (they skip the pod's admission-time shape), minting API
 * tokens through the TokenRequest subresource, and Calico cluster-scoped policy through either API
 * group (crd.projectcalico.org without, projectcalico.org with Calico's API server).
 */
function forbiddenActions(own: string, victim: string | undefined, meshNamespace: string): Action[] {
  const actions: Action[] = [];
  if (victim) {
    actions.push(
      { verb: "get", resource: "pods", namespace: victim, description: `read pods in ${victim}` },
      { verb: "get", resource: "secrets", namespace: victim, description: `read secrets in ${victim}` },
      { verb: "create", resource: "deployments.apps", namespace: victim, description: `create workloads in ${victim}` },
      { verb: "create", resource: "rolebindings.rbac.authorization.k8s.io", namespace: victim, description: `grant itself access to ${victim}` },
    );
  }
  actions.push(
    { verb: "delete", resource: "networkpolicies.networking.k8s.io", namespace: own, description: "delete the platform's NetworkPolicies" },
    { verb: "patch", resource: "authorizationpolicies.security.istio.io", namespace: own, description: "change the platform's AuthorizationPolicies" },
    { verb: "delete", resource: "peerauthentications.security.istio.io", namespace: own, description: "delete the platform's PeerAuthentication" },
    { verb: "update", resource: "resourcequotas", namespace: own, description: "raise its own ResourceQuota" },
    { verb: "delete", resource: "limitranges", namespace: own, description: "delete its LimitRange" },
    { verb: "create", resource: "certificates.cert-manager.io", namespace: own, description: "request cert-manager certificates in its own namespace" },
    { verb: "create", resource: "certificates.cert-manager.io", namespace: meshNamespace, description: `request cert-manager certificates in ${meshNamespace} (where the mesh CA issuer lives)` },
    { verb: "update", resource: "pods", subresource: "ephemeralcontainers", namespace: own, description: "attach ephemeral containers to its pods" },
    { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: own, description: "mint ServiceAccount tokens (TokenRequest)" },
    { verb: "patch", resource: `namespaces/${own}`, description: "relabel its own namespace (tenant/Pod Security labels)" },
    { verb: "create", resource: "namespaces", description: "create namespaces" },
    { verb: "create", resource: "clusterrolebindings.rbac.authorization.k8s.io", description: "bind cluster roles" },
    { verb: "delete", resource: "globalnetworkpolicies.crd.projectcalico.org", description: "delete Calico's cluster-wide policies" },
    { verb: "create", resource: "globalnetworkpolicies.projectcalico.org", description: "create Calico cluster-wide policies (Calico API server)" },
    { verb: "create", resource: "tiers.projectcalico.org", description: "create Calico policy tiers (Calico API server)" },
  );
  return actions;
}

/**
 * For every tenant: its admin and its pod identity against its ring neighbour (the next tenant),
 * so every tenant is attacked once and attacks once with O(tenants) checks; plus, when the
 * tenant-admin RBAC is on, the admin's own rights as positive controls.
 */
export function controlPlaneChecks(spec: PlatformSpec): CanICheck[] {
  const checks: CanICheck[] = [];
  spec.tenants.forEach((tenant, index) => {
    const neighbour = spec.tenants.length > 1 ? spec.tenants[(index + 1) % spec.tenants.length] : undefined;
    const identities = [tenantAdminIdentity(tenant), tenantPodIdentity(tenant)].filter((id): id is Identity => id !== undefined);
    for (const identity of identities) {
      for (const action of forbiddenActions(tenant.namespace, neighbour?.namespace, spec.meshNamespace)) {
        const where = action.namespace ? ` -n ${action.namespace}` : "";
        const resource = action.subresource ? `${action.resource}/${action.subresource}` : action.resource;
        checks.push({
          ...action,
          id: `${identity.label}: ${action.verb} ${resource}${where}`,
          identity,
          expect: "no",
          positiveControl: false,
          description: `${identity.label} cannot ${action.description}`,
        });
      }
    }
    const admin = tenantAdminIdentity(tenant);
    if (admin && spec.layers.tenantRbac) {
      for (const [verb, resource] of [["create", "deployments.apps"], ["get", "pods"]] as const) {
        checks.push({
          id: `${admin.label}: ${verb} ${resource} -n ${tenant.namespace}`,
          identity: admin,
          verb,
          resource,
          namespace: tenant.namespace,
          expect: "yes",
          positiveControl: true,
          description: `${admin.label} can ${verb} ${resource} in its own namespace (positive control)`,
        });
      }
    }
  });
  return checks;
}

export function canIArgv(check: CanICheck, context: string): string[] {
  const argv = ["kubectl", "--context", context, "auth", "can-i", check.verb, check.resource];
  if (check.subresource) argv.push("--subresource", check.subresource);
  if (check.namespace) argv.push("-n", check.namespace);
  argv.push("--as", check.identity.user);
  for (const group of check.identity.groups) argv.push("--as-group", group);
  return argv;
}

/** Reads `kubectl auth can-i` output: stdout `yes` / `no[ - reason]`; anything else is an error. */
export function parseCanI(result: { code: number | null; stdout: string; stderr: string }): CanIAnswer {
  const line = result.stdout.trim().split("\n")[0]?.trim() ?? "";
  if (line === "yes" && result.code === 0) return { answer: "yes", detail: "yes" };
  if ((line === "no" || line.startsWith("no - ")) && result.code !== 0) return { answer: "no", detail: line };
  const why = result.stderr.trim() || line || `exit code ${result.code}`;
  return { answer: "error", detail: why.split("\n")[0] };
}

export const PRIVILEGED_POD_NAME = "ht-lab-privileged-probe";

/** A pod that Pod Security `restricted` (and `baseline`) must reject. Only ever sent with --dry-run=server. */
export function privilegedPodManifest(namespace: string, image: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: PRIVILEGED_POD_NAME, namespace, labels: { app: PRIVILEGED_POD_NAME } },
    spec: {
      hostNetwork: true,
      containers: [{ name: "probe", image, command: ["sleep", "1"], securityContext: { privileged: true, runAsUser: 0 } }],
    },
  };
}

/** `kubectl apply --dry-run=server` of a manifest on stdin: admission runs in full, nothing is persisted. */
export function serverDryRunArgv(context: string, namespace: string): string[] {
  return ["kubectl", "--context", context, "apply", "--dry-run=server", "-n", namespace, "-f", "-"];
}

export const privilegedPodDryRunArgv = serverDryRunArgv;

/**
 * Pod Security admission rejects with `… is forbidden: violates PodSecurity "restricted:latest": …`
 * (exit 1). Success prints `pod/<name> created (server dry run)`.
 */
export function parsePodSecurityDryRun(result: { code: number | null; stdout: string; stderr: string }): { rejected: boolean | null; detail: string } {
  const text = `${result.stderr}\n${result.stdout}`;
  const violation = /violates PodSecurity "([a-z]+):[^"]*"/.exec(text);
  if (result.code !== 0 && violation) return { rejected: true, detail: `rejected by Pod Security "${violation[1]}"` };
  if (result.code === 0) return { rejected: false, detail: result.stdout.trim() || "accepted" };
  return { rejected: null, detail: (result.stderr.trim() || `exit code ${result.code}`).split("\n")[0] };
}

export const EXTERNAL_IP_SERVICE_NAME = "ht-lab-externalip-probe";
/** RFC 5737 TEST-NET-3: never routed, so even a wrongly accepted dry run points at nothing real. */
export const EXTERNAL_IP_PROBE_ADDRESS = "203.0.113.10";

/**
 * A Service with spec.externalIPs (CVE-2020-8554: kube-proxy would capture cluster traffic to that
 * IP), otherwise valid and of type ClusterIP, so the externalIPs rule is the one that must reject
 * it. Only ever sent with --dry-run=server.
 */
export function externalIpServiceManifest(namespace: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: EXTERNAL_IP_SERVICE_NAME, namespace, labels: { app: EXTERNAL_IP_SERVICE_NAME } },
    spec: {
      type: "ClusterIP",
      selector: { app: EXTERNAL_IP_SERVICE_NAME },
      ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }],
      externalIPs: [EXTERNAL_IP_PROBE_ADDRESS],
    },
  };
}

/**
 * A ValidatingAdmissionPolicy denial reads `ValidatingAdmissionPolicy '<policy>' with binding
 * '<binding>' denied request: <message>` (apiserver validating dispatcher). With the policy's
 * `reason: Forbidden` kubectl prints `Error from server (Forbidden): error when creating "STDIN":
 * services "<name>" is forbidden: <that>`; without a reason the API server answers Invalid and
 * kubectl prints `The services "<name>" is invalid: : <that>`. Both are read here. If the
 * DenyServiceExternalIPs admission plugin is enabled it rejects first (`Use of external IPs is
 * denied by admission control`) and the policy is never reached: still a rejection. A denial by any
 * other policy, or an error, is inconclusive (null). Success prints `service/<name> created
 * (server dry run)`.
 */
export function parseGuardrailDryRun(
  result: { code: number | null; stdout: string; stderr: string },
  isPlatformPolicy: (name: string) => boolean = isGuardrailPolicy,
): { rejected: boolean | null; detail: string } {
  const text = `${result.stderr}\n${result.stdout}`;
  if (result.code === 0) return { rejected: false, detail: result.stdout.trim() || "accepted" };
  const denial = /ValidatingAdmissionPolicy '([^']+)'(?: with binding '([^']+)')? denied request: ([^\n]*)/.exec(text);
  if (denial && isPlatformPolicy(denial[1])) {
    const binding = denial[2] ? ` (binding '${denial[2]}')` : "";
    return { rejected: true, detail: `rejected by ValidatingAdmissionPolicy '${denial[1]}'${binding}: ${denial[3].trim()}` };
  }
  if (/Use of external IPs is denied by admission control/.test(text)) {
    return { rejected: true, detail: "rejected by the DenyServiceExternalIPs admission plugin (before the policy is reached)" };
  }
  const firstLine = (result.stderr.trim() || `exit code ${result.code}`).split("\n")[0];
  return { rejected: null, detail: denial ? `denied by another policy, '${denial[1]}', not one of ${ADMISSION_GUARDRAILS_NAME}-*: ${firstLine}` : firstLine };
}

/** Tenant pods that carry an API-server token (each with where it was found). */
export function tokenMountViolations(pods: readonly PodSummary[], tenantNamespaces: readonly string[]): { pod: string; found: string[] }[] {
  const tenants = new Set(tenantNamespaces);
  return pods
    .filter((pod) => tenants.has(pod.namespace) && pod.apiTokenMounts.length > 0)
    .map((pod) => ({ pod: `${pod.namespace}/${pod.name}`, found: pod.apiTokenMounts }));
}
