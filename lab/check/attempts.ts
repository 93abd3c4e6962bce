// Real attempts as the tenant admin: requests that the API server must refuse (each by a named
// mechanism: RBAC, Pod Security, the tenant guardrail policy by rule, ResourceQuota) and positive
// controls it must admit. `kubectl auth can-i` only asks RBAC; these go through authentication,
// authorization and the whole admission chain, so they prove what a tenant can really do.
//
// Creations are real requests (a refused one persists nothing; an admitted attack is reported as a
// breach and deleted). Changes to the platform's own objects (patch, label) are sent with
// --dry-run=server: authorization and admission run exactly as for a real request, but a breach
// would not actually weaken the cluster under test.
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { strictPeerAuthentication } from "../../components/builders/tenant/istio-policies";
import { defaultDenyPolicy } from "../../components/builders/tenant/network-policies";
import { tenantResourceQuota } from "../../components/builders/tenant/quotas";
import { DEFAULT_LAB_IMAGES, IMAGE_USERS } from "../workloads/images";
import { tenantAdminIdentity, type Identity } from "./control-plane";

export type RefusalMechanism = "rbac" | "pod-security" | "guardrail" | "resource-quota" | "limit-range";

export interface AdmissionAttempt {
  id: string;
  tenant: string;
  identity: Identity;
  namespace: string;
  description: string;
  /** kubectl arguments after `kubectl --context X` and before the impersonation flags. */
  args: string[];
  /** Manifest sent on stdin (create attempts). */
  manifest?: Record<string, unknown>;
  expect: { outcome: "refused"; by: RefusalMechanism } | { outcome: "admitted" };
  /** What to delete (as the admin) when the request was admitted. */
  cleanup?: { resource: string; name: string };
}

export type AttemptAnswer =
  | { outcome: "admitted"; detail: string }
  | { outcome: "refused"; by: RefusalMechanism; detail: string }
  | { outcome: "error"; detail: string };

export const ATTEMPT_PREFIX = "ht-attempt";

const RESTRICTED_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  runAsUser: IMAGE_USERS.curl,
  seccompProfile: { type: "RuntimeDefault" },
};

/** A pod spec that Pod Security `restricted`, the guardrails and the LimitRange all accept. */
export function compliantPodSpec(extra: Record<string, unknown> = {}, resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "50m", memory: "32Mi" } }): Record<string, unknown> {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{ name: "main", image: DEFAULT_LAB_IMAGES.curl, command: ["sleep", "3600"], securityContext: RESTRICTED_CONTAINER_SECURITY, resources }],
    ...extra,
  };
}

function pod(namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels: { app: name, "hard-tenancy.io/attempt": "true" } }, spec };
}

function service(namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }], ...spec } };
}

function create(tenant: TenantSpec, identity: Identity, slug: string, description: string, manifest: Record<string, unknown>, expect: AdmissionAttempt["expect"]): AdmissionAttempt {
  const metadata = manifest.metadata as { name: string };
  const kind = String(manifest.kind).toLowerCase();
  return {
    id: `${identity.label}: ${slug}`,
    tenant: tenant.name,
    identity,
    namespace: tenant.namespace,
    description,
    args: ["create", "-n", tenant.namespace, "-f", "-"],
    manifest,
    expect,
    cleanup: { resource: kind, name: metadata.name },
  };
}

function dryRunChange(tenant: TenantSpec, identity: Identity, slug: string, description: string, args: string[]): AdmissionAttempt {
  return { id: `${identity.label}: ${slug}`, tenant: tenant.name, identity, namespace: tenant.namespace, description, args: [...args, "--dry-run=server"], expect: { outcome: "refused", by: "rbac" } };
}

/** The attempts for one tenant admin (none when the tenant has no admin groups). */
export function tenantAdmissionAttempts(spec: PlatformSpec, tenant: TenantSpec): AdmissionAttempt[] {
  const admin = tenantAdminIdentity(tenant);
  if (!admin) return [];
  const ns = tenant.namespace;
  const name = (what: string): string => `${ATTEMPT_PREFIX}-${what}`;
  const attempts: AdmissionAttempt[] = [];
  const refused = (by: RefusalMechanism): AdmissionAttempt["expect"] => ({ outcome: "refused", by });
  const rbac = spec.layers.tenantRbac;
  // Without the tenant Role the admin can create nothing at all: every create is RBAC's to refuse.
  const unlessRbac = (by: RefusalMechanism): AdmissionAttempt["expect"] => refused(rbac ? by : "rbac");

  if (spec.layers.podSecurity) {
    const privileged = compliantPodSpec({ hostNetwork: true });
    (privileged.containers as Record<string, unknown>[])[0].securityContext = { privileged: true, runAsUser: 0 };
    attempts.push(create(tenant, admin, "create a privileged hostNetwork pod", "a privileged pod on the host network is refused by Pod Security", pod(ns, name("privileged"), privileged), unlessRbac("pod-security")));
  }
  if (spec.layers.admissionGuardrails) {
    const guard = unlessRbac("guardrail");
    attempts.push(
      create(tenant, admin, "create a NodePort Service", "a NodePort Service (exposure on every node) is refused", service(ns, name("nodeport"), { type: "NodePort" }), guard),
      create(tenant, admin, "create a LoadBalancer Service", "a LoadBalancer Service (outside exposure) is refused", service(ns, name("loadbalancer"), { type: "LoadBalancer" }), guard),
      create(tenant, admin, "create a Service with externalIPs", "a Service with externalIPs (CVE-2020-8554 traffic capture) is refused", service(ns, name("externalips"), { externalIPs: ["203.0.113.10"] }), guard),
      create(tenant, admin, "create an ExternalName Service", "an ExternalName Service is refused", { apiVersion: "v1", kind: "Service", metadata: { name: name("externalname"), namespace: ns }, spec: { type: "ExternalName", externalName: "example.com" } }, guard),
      create(
        tenant,
        admin,
        "create a service-account-token Secret",
        "a legacy long-lived API token Secret is refused",
        { apiVersion: "v1", kind: "Secret", metadata: { name: name("sa-token"), namespace: ns, annotations: { "kubernetes.io/service-account.name": "default" } }, type: "kubernetes.io/service-account-token" },
        guard,
      ),
      create(tenant, admin, "create a pod with spec.nodeName", "a pod that picks its node (scheduler bypass) is refused", pod(ns, name("nodename"), compliantPodSpec({ nodeName: "any-node" })), guard),
      create(
        tenant,
        admin,
        "create a pod tolerating every taint",
        "a pod with a wildcard toleration (reaching control-plane and dedicated nodes) is refused",
        pod(ns, name("tolerations"), compliantPodSpec({ tolerations: [{ operator: "Exists" }] })),
        guard,
      ),
      create(
        tenant,
        admin,
        "create a pod selecting control-plane nodes",
        "a pod whose nodeSelector targets control-plane nodes is refused",
        pod(ns, name("cp-selector"), compliantPodSpec({ nodeSelector: { "node-role.kubernetes.io/control-plane": "" } })),
        guard,
      ),
      create(
        tenant,
        admin,
        "create a Deployment tolerating control-plane taints",
        "a Deployment whose pod template tolerates the control-plane taint is refused (workload templates are checked, not only pods)",
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: name("cp-deployment"), namespace: ns },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name("cp-deployment") } },
            template: {
              metadata: { labels: { app: name("cp-deployment") } },
              spec: compliantPodSpec({ tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }),
            },
          },
        },
        guard,
      ),
    );
  }
  if (spec.layers.quotas) {
    // Three containers at the LimitRange's per-container maximum: each container passes the
    // LimitRange, the sum (6 CPUs requested) exceeds the quota's requests.cpu.
    const big = { requests: { cpu: "2", memory: "64Mi" }, limits: { cpu: "2", memory: "64Mi" } };
    const spec3 = compliantPodSpec({}, big);
    const container = (spec3.containers as Record<string, unknown>[])[0];
    spec3.containers = ["a", "b", "c"].map((suffix) => ({ ...container, name: `main-${suffix}` }));
    attempts.push(create(tenant, admin, "create a pod beyond the CPU quota", "a pod whose CPU requests exceed the tenant's ResourceQuota is refused", pod(ns, name("over-quota"), spec3), unlessRbac("resource-quota")));
  }
  // The platform's objects in the tenant's own namespace and the namespace itself: RBAC only.
  // `kubectl patch` sends the PATCH itself (`kubectl label` would GET first and be refused for that).
  const patch = (resource: string, objectName: string, body: unknown, namespaced = true): string[] => ["patch", resource, objectName, ...(namespaced ? ["-n", ns] : []), "--type=merge", "-p", JSON.stringify(body)];
  if (spec.layers.networkPolicy) {
    attempts.push(dryRunChange(tenant, admin, "patch the default-deny NetworkPolicy", "the tenant admin cannot change the platform's NetworkPolicies", patch("networkpolicy", defaultDenyPolicy(ns).metadata.name, { spec: { policyTypes: ["Ingress"] } })));
  }
  if (spec.layers.authorization) attempts.push(dryRunChange(tenant, admin, "delete an AuthorizationPolicy", "the tenant admin cannot delete the platform's AuthorizationPolicies", ["delete", "authorizationpolicies.security.istio.io", "--all", "-n", ns]));
  if (spec.layers.peerAuthentication) attempts.push(dryRunChange(tenant, admin, "relax the PeerAuthentication", "the tenant admin cannot change the namespace's PeerAuthentication", patch("peerauthentications.security.istio.io", strictPeerAuthentication(ns).metadata.name, { spec: { mtls: { mode: "PERMISSIVE" } } })));
  if (spec.layers.quotas) attempts.push(dryRunChange(tenant, admin, "raise its ResourceQuota", "the tenant admin cannot raise its own quota", patch("resourcequota", tenantResourceQuota(tenant).metadata.name, { spec: { hard: { "requests.cpu": "400" } } })));
  attempts.push(
    dryRunChange(tenant, admin, "relabel its namespace privileged", "the tenant admin cannot change its namespace's Pod Security or tenant labels", patch("namespace", ns, { metadata: { labels: { "pod-security.kubernetes.io/enforce": "privileged" } } }, false)),
    dryRunChange(tenant, admin, "bind itself cluster-admin in its namespace", "the tenant admin cannot create RoleBindings (no escalation through RBAC)", ["create", "rolebinding", name("escalate"), "--clusterrole=cluster-admin", `--group=${tenant.adminGroups[0]}`, "-n", ns]),
    {
      // A policy that would Allow everything ahead of the platform's tier.
      ...dryRunChange(tenant, admin, "create a Calico GlobalNetworkPolicy", "the tenant admin cannot write Calico cluster-wide policy (crd.projectcalico.org)", ["create", "-f", "-"]),
      manifest: { apiVersion: "crd.projectcalico.org/v1", kind: "GlobalNetworkPolicy", metadata: { name: name("allow-all") }, spec: { order: 0, selector: "all()", ingress: [{ action: "Allow" }], egress: [{ action: "Allow" }] } },
    },
  );

  if (rbac) {
    const controlPod = pod(ns, name("compliant-pod"), compliantPodSpec());
    attempts.push(
      create(tenant, admin, "create a compliant pod", "a restricted-compliant pod is admitted (positive control)", controlPod, { outcome: "admitted" }),
      create(
        tenant,
        admin,
        "create a compliant Deployment",
        "the tenant admin can create a compliant Deployment in its namespace (positive control)",
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: name("compliant-deployment"), namespace: ns },
          spec: { replicas: 1, selector: { matchLabels: { app: name("compliant-deployment") } }, template: { metadata: { labels: { app: name("compliant-deployment") } }, spec: compliantPodSpec() } },
        },
        { outcome: "admitted" },
      ),
      create(tenant, admin, "create a ClusterIP Service", "the tenant admin can create a ClusterIP Service in its namespace (positive control)", service(ns, name("compliant-service"), { type: "ClusterIP" }), { outcome: "admitted" }),
    );
  }
  return attempts;
}

export function admissionAttempts(spec: PlatformSpec): AdmissionAttempt[] {
  return spec.tenants.flatMap((tenant) => tenantAdmissionAttempts(spec, tenant));
}

export function attemptArgv(attempt: AdmissionAttempt, context: string): string[] {
  const argv = ["kubectl", "--context", context, ...attempt.args, "--as", attempt.identity.user];
  for (const group of attempt.identity.groups) argv.push("--as-group", group);
  return argv;
}

export function cleanupArgv(attempt: AdmissionAttempt, context: string): string[] | undefined {
  if (!attempt.cleanup) return undefined;
  return ["kubectl", "--context", context, "delete", attempt.cleanup.resource, attempt.cleanup.name, "-n", attempt.namespace, "--ignore-not-found", "--wait=false"];
}

/**
 * Reads kubectl's answer. Refusals, by the API server's own wording:
 * - RBAC: `… is forbidden: User "u" cannot <verb> resource "r" …` (authorizer denial);
 * - Pod Security: `… violates PodSecurity "restricted:latest": …`;
 * - ValidatingAdmissionPolicy: `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: <message>`;
 * - ResourceQuota: `exceeded quota: <name>, requested: …`;
 * - LimitRange: `maximum cpu usage per Container is …` / `minimum … usage per …`.
 */
export function parseAttempt(result: { code: number | null; stdout: string; stderr: string }, isPlatformPolicy: (name: string) => boolean): AttemptAnswer {
  const text = `${result.stderr}\n${result.stdout}`;
  if (result.code === 0) return { outcome: "admitted", detail: result.stdout.trim().split("\n")[0] || "admitted" };
  const line = (pattern: RegExp): string => (text.split("\n").find((l) => pattern.test(l)) ?? "").trim();
  if (/cannot [a-z]+ resource "[^"]+"/.test(text)) return { outcome: "refused", by: "rbac", detail: line(/cannot [a-z]+ resource/) };
  if (/violates PodSecurity "/.test(text)) return { outcome: "refused", by: "pod-security", detail: line(/violates PodSecurity/) };
  const policy = /ValidatingAdmissionPolicy '([^']+)'(?: with binding '[^']+')? denied request: ([^\n]*)/.exec(text);
  if (policy) {
    return isPlatformPolicy(policy[1])
      ? { outcome: "refused", by: "guardrail", detail: policy[2].trim() }
      : { outcome: "error", detail: `refused by another policy '${policy[1]}': ${policy[2].trim()}` };
  }
  if (/exceeded quota: /.test(text)) return { outcome: "refused", by: "resource-quota", detail: line(/exceeded quota/) };
  if (/(maximum|minimum) [a-z-]+ usage per (Container|Pod)/.test(text)) return { outcome: "refused", by: "limit-range", detail: line(/usage per/) };
  return { outcome: "error", detail: (result.stderr.trim() || `exit code ${result.code}`).split("\n")[0] };
}
