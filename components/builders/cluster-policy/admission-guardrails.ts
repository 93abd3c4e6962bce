// Admission guardrails: cluster-scoped ValidatingAdmissionPolicies + bindings for every tenant
// namespace, one per group of kinds that share a schema (selected by the platform's role label, so
// the size is constant in the number of tenants). It closes API-level escapes the network layers cannot see:
//
// - Service spec.externalIPs: kube-proxy redirects traffic for that IP:port from every pod and node
//   to the tenant's endpoints (CVE-2020-8554, kubernetes/kubernetes#97076; upstream's mitigation is
//   the DenyServiceExternalIPs admission plug-in, KEP-2200, off by default).
// - Service types other than ClusterIP (headless = ClusterIP with clusterIP: None): NodePort and
//   LoadBalancer open the tenant to the outside past the ingress gateway (the quota also holds both
//   at 0 by default), ExternalName aliases arbitrary DNS names inside the tenant's namespace.
// - Secrets of type kubernetes.io/service-account-token: the legacy token controller fills them
//   with a non-expiring API token for any ServiceAccount named in the annotation.
// - Pods created with spec.nodeName: they skip the scheduler (and so taints, affinity and the
//   scheduler's checks) and land on a node of the tenant's choosing.
// - Tolerations other than the keys Kubernetes itself adds (or the cluster allows for tenant node
//   pools), and node selectors / node-affinity terms on control-plane labels: with
//   `tolerations: [{operator: Exists}]` plus a control-plane nodeSelector a pod lands on a control-plane
//   or dedicated node. Checked on Pods and on the pod templates of Deployments, StatefulSets,
//   DaemonSets, ReplicaSets, Jobs and CronJobs (`object.spec.template.spec`,
//   `object.spec.jobTemplate.spec.template.spec`), so a bad template is refused when it is written,
//   not only when its controller's pods are. A node named in `kubernetes.io/hostname` or a
//   `matchFields` term is not checked: without the control-plane toleration the taint keeps the pod off.
//
// admissionregistration.k8s.io/v1 is GA since Kubernetes 1.30. CEL facts relied on (Kubernetes
// "Validating Admission Policy" docs and the v1 Validation reference): `object` is null on DELETE
// and `oldObject` on CREATE; `request.kind` / `request.operation` describe the request; `has()`
// tests presence of the LAST field only (selecting a missing field on the way is an error, so every
// step is tested); `||` and `&&` short-circuit. No paramKind: the policy has no
// parameters. Every message starts with `<policy>/<rule id>:` so a refusal names the rule.
import type { K8sObject } from "../../k8s/object";
import { ROLE_LABEL, TENANT_ROLE } from "../../spec/labels";
import { CONTROL_PLANE_NODE_LABELS } from "../../spec/defaults";
import type { GuardrailsSpec, PlatformSpec } from "../../spec/types";
import { API, makeObject } from "../common";

export const ADMISSION_GUARDRAILS_NAME = "hard-tenancy-tenant-guardrails";

/** Namespaces the guardrails apply to: every tenant namespace, by the label only the platform sets. */
export function tenantNamespaceSelector(): { matchLabels: Record<string, string> } {
  return { matchLabels: { [ROLE_LABEL]: TENANT_ROLE } };
}

/** One rule: `id` names it in every refusal message, so a refusal can be attributed to it. */
export interface Guardrail {
  id: string;
  expression: string;
  message: string;
  reason: "Forbidden";
}

function rule(id: string, expression: string, text: string): Guardrail {
  return { id, expression, message: `${ADMISSION_GUARDRAILS_NAME}/${id}: ${text}`, reason: "Forbidden" };
}

function celList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`).join(", ")}]`;
}

/** Workload kinds whose pod template the pod rules check as well, with where the template's pod spec is. */
export const POD_TEMPLATE_KINDS: readonly { kind: string; group: string; resource: string; podSpec: string[] }[] = [
  { kind: "Deployment", group: "apps", resource: "deployments", podSpec: ["spec", "template", "spec"] },
  { kind: "StatefulSet", group: "apps", resource: "statefulsets", podSpec: ["spec", "template", "spec"] },
  { kind: "DaemonSet", group: "apps", resource: "daemonsets", podSpec: ["spec", "template", "spec"] },
  { kind: "ReplicaSet", group: "apps", resource: "replicasets", podSpec: ["spec", "template", "spec"] },
  { kind: "Job", group: "batch", resource: "jobs", podSpec: ["spec", "template", "spec"] },
  { kind: "CronJob", group: "batch", resource: "cronjobs", podSpec: ["spec", "jobTemplate", "spec", "template", "spec"] },
];

/** Every toleration names one of the allowed keys (a toleration without key, operator Exists, tolerates every taint). */
function tolerationsCheck(allowedKeys: readonly string[]): (podSpec: string) => string {
  return (p) => `!has(${p}.tolerations) || ${p}.tolerations.all(t, has(t.key) && t.key in ${celList(allowedKeys)})`;
}

/**
 * No node selector or node-affinity term selects control-plane nodes by their labels. Terms that
 * keep a pod away from them (NotIn, DoesNotExist) are fine.
 */
function controlPlanePlacementCheck(labels: readonly string[]): (podSpec: string) => string {
  const list = celList(labels);
  const away = `!(e.key in ${list}) || (has(e.operator) && e.operator in ['NotIn', 'DoesNotExist'])`;
  return (p) => {
    const na = `${p}.affinity.nodeAffinity`;
    const required = `${na}.requiredDuringSchedulingIgnoredDuringExecution`;
    const preferred = `${na}.preferredDuringSchedulingIgnoredDuringExecution`;
    return [
      `(!has(${p}.nodeSelector) || !${p}.nodeSelector.exists(k, k in ${list}))`,
      `(!has(${p}.affinity) || !has(${na}) || (` +
        `(!has(${required}) || !has(${required}.nodeSelectorTerms) || ${required}.nodeSelectorTerms.all(term, !has(term.matchExpressions) || term.matchExpressions.all(e, ${away}))) && ` +
        `(!has(${preferred}) || ${preferred}.all(w, !has(w.preference) || !has(w.preference.matchExpressions) || w.preference.matchExpressions.all(e, ${away})))))`,
    ].join(" && ");
  };
}

/** The pod spec's path in each kind that has one. */
function podSpecPath(kind: string): string[] {
  return kind === "Pod" ? ["spec"] : (POD_TEMPLATE_KINDS.find((t) => t.kind === kind)?.podSpec ?? []);
}

/**
 * `check(P)` on the pod spec at `path`, null-safe: every step is tested with has() first (CEL's
 * has() tests only the last field, and selecting a missing field is an error), and an object
 * without a pod spec has nothing to check.
 */
function onPodSpec(path: readonly string[], check: (podSpec: string) => string): string {
  const steps = path.map((_, i) => `object.${path.slice(0, i + 1).join(".")}`);
  return `${steps.map((step) => `!has(${step})`).join(" || ")} || (${check(steps[steps.length - 1])})`;
}

/** One policy of the guardrails: the kinds it matches and the rules it checks on them. */
export interface GuardrailGroup {
  /** Policy name: `${ADMISSION_GUARDRAILS_NAME}-${suffix}`. */
  suffix: string;
  resourceRules: { apiGroups: string[]; resources: string[] }[];
  guardrails: Guardrail[];
}

/**
 * The guardrails as one policy per group of kinds that share a schema. The API server type-checks
 * every expression of a policy against the schema of every kind the policy matches
 * (status.typeChecking); one policy over Services, Secrets, Pods and workloads gets a warning for
 * every field that exists on one kind and not on another (seen on kube-apiserver 1.36 in the local
 * lab), even where a kind guard keeps it from ever being evaluated. Grouped by schema, every
 * expression is checked against exactly the kinds it is about, and no kind guard is needed.
 */
export function guardrailGroups(settings: GuardrailsSpec): GuardrailGroup[] {
  const podRules = (kind: string): Guardrail[] => [
    rule("pod-tolerations", onPodSpec(podSpecPath(kind), tolerationsCheck(settings.allowedTolerationKeys)), `Pods and pod templates in tenant namespaces may only tolerate the taint keys ${settings.allowedTolerationKeys.join(", ")} (no toleration without a key, which tolerates every taint, e.g. control-plane and dedicated nodes); remove the other tolerations`),
    rule("pod-control-plane-placement", onPodSpec(podSpecPath(kind), controlPlanePlacementCheck(CONTROL_PLANE_NODE_LABELS)), `Pods and pod templates in tenant namespaces must not select control-plane nodes: no nodeSelector key and no node-affinity term In/Exists/Gt/Lt on ${CONTROL_PLANE_NODE_LABELS.join(" or ")}; remove that selector or term`),
  ];
  const templated = POD_TEMPLATE_KINDS.filter((t) => t.podSpec.join(".") === "spec.template.spec");
  const cronJobs = POD_TEMPLATE_KINDS.filter((t) => t.podSpec.join(".") !== "spec.template.spec");
  const byGroup = (kinds: typeof POD_TEMPLATE_KINDS): { apiGroups: string[]; resources: string[] }[] =>
    [...new Set(kinds.map((k) => k.group))].map((group) => ({ apiGroups: [group], resources: kinds.filter((k) => k.group === group).map((k) => k.resource) }));
  return [
    {
      suffix: "services",
      resourceRules: [{ apiGroups: [""], resources: ["services"] }],
      guardrails: [
        rule("service-external-ips", "!has(object.spec) || !has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0", "Services in tenant namespaces must not set spec.externalIPs (CVE-2020-8554: kube-proxy would hijack cluster traffic to those IPs); remove spec.externalIPs"),
        rule("service-type", "!has(object.spec) || !has(object.spec.type) || object.spec.type == 'ClusterIP'", "Services in tenant namespaces must be type ClusterIP (headless with clusterIP: None is fine); NodePort, LoadBalancer and ExternalName are not allowed: expose workloads through the platform's ingress gateway"),
      ],
    },
    {
      suffix: "secrets",
      resourceRules: [{ apiGroups: [""], resources: ["secrets"] }],
      guardrails: [
        rule("secret-service-account-token", "!has(object.type) || object.type != 'kubernetes.io/service-account-token'", "Secrets of type kubernetes.io/service-account-token are not allowed in tenant namespaces (they mint non-expiring API tokens); use a projected, short-lived ServiceAccount token instead"),
      ],
    },
    {
      suffix: "pods",
      resourceRules: [{ apiGroups: [""], resources: ["pods"] }],
      guardrails: [
        rule("pod-node-name", "request.operation != 'CREATE' || !has(object.spec) || !has(object.spec.nodeName) || object.spec.nodeName == ''", "Pods in tenant namespaces must not set spec.nodeName (it bypasses the scheduler, taints and affinity); remove spec.nodeName and use nodeSelector or affinity"),
        ...podRules("Pod"),
      ],
    },
    { suffix: "workloads", resourceRules: byGroup(templated), guardrails: podRules(templated[0].kind) },
    { suffix: "cronjobs", resourceRules: byGroup(cronJobs), guardrails: podRules(cronJobs[0].kind) },
  ];
}

/** Every rule a tenant object must satisfy, across the groups. */
export function tenantGuardrails(settings: GuardrailsSpec): Guardrail[] {
  return guardrailGroups(settings).flatMap((g) => g.guardrails);
}

export function guardrailPolicyName(group: Pick<GuardrailGroup, "suffix">): string {
  return `${ADMISSION_GUARDRAILS_NAME}-${group.suffix}`;
}

/** Whether a ValidatingAdmissionPolicy name is one of the guardrails' policies. */
export function isGuardrailPolicy(name: string): boolean {
  return name === ADMISSION_GUARDRAILS_NAME || name.startsWith(`${ADMISSION_GUARDRAILS_NAME}-`);
}

export function tenantGuardrailsPolicy(group: GuardrailGroup): K8sObject {
  return makeObject(API.admission, "ValidatingAdmissionPolicy", guardrailPolicyName(group), {}, {
    spec: {
      // Fail closed: an expression error rejects the request rather than letting it through.
      failurePolicy: "Fail",
      matchConstraints: {
        // Also scoped here, so another binding of this policy could never reach platform namespaces.
        namespaceSelector: tenantNamespaceSelector(),
        // Subresources (pods/binding used by the scheduler, */status, */scale) are not matched.
        resourceRules: group.resourceRules.map((r) => ({ ...r, apiVersions: ["v1"], operations: ["CREATE", "UPDATE"] })),
      },
      validations: group.guardrails.map(({ expression, message, reason }) => ({ expression, message, reason })),
    },
  });
}

export function tenantGuardrailsBinding(group: GuardrailGroup): K8sObject {
  return makeObject(API.admission, "ValidatingAdmissionPolicyBinding", guardrailPolicyName(group), {}, {
    spec: {
      policyName: guardrailPolicyName(group),
      // Deny: a failed validation rejects the request (not just a warning or an audit annotation).
      validationActions: ["Deny"],
      matchResources: { namespaceSelector: tenantNamespaceSelector() },
    },
  });
}

/** Every policy, then every binding (a binding never names a policy that does not exist yet). */
export function buildAdmissionGuardrailObjects(spec: PlatformSpec): K8sObject[] {
  if (!spec.layers.admissionGuardrails || spec.tenants.length === 0) return [];
  const groups = guardrailGroups(spec.guardrails);
  return [...groups.map(tenantGuardrailsPolicy), ...groups.map(tenantGuardrailsBinding)];
}
