// Admission guardrails: one cluster-scoped ValidatingAdmissionPolicy + binding for every tenant
// namespace (selected by the platform's role label, so the size is constant in the number of
// tenants). It closes API-level escapes the network layers cannot see:
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
//
// admissionregistration.k8s.io/v1 is GA since Kubernetes 1.30. CEL facts relied on (Kubernetes
// "Validating Admission Policy" docs and the v1 Validation reference): `object` is null on DELETE
// and `oldObject` on CREATE; `request.kind` / `request.operation` describe the request; `has()`
// tests field presence; `||` short-circuits, so the kind guard in front of each expression keeps a
// Secret from ever being evaluated against Service fields. No paramKind: the policy has no parameters.
import type { K8sObject } from "../../k8s/object";
import { ROLE_LABEL, TENANT_ROLE } from "../../spec/labels";
import type { PlatformSpec } from "../../spec/types";
import { API, makeObject } from "../common";

export const ADMISSION_GUARDRAILS_NAME = "hard-tenancy-tenant-guardrails";

/** Namespaces the guardrails apply to: every tenant namespace, by the label only the platform sets. */
export function tenantNamespaceSelector(): { matchLabels: Record<string, string> } {
  return { matchLabels: { [ROLE_LABEL]: TENANT_ROLE } };
}

export interface Guardrail {
  expression: string;
  message: string;
  reason: "Forbidden";
}

function guardrail(kind: string, condition: string, message: string): Guardrail {
  return { expression: `request.kind.kind != '${kind}' || (${condition})`, message, reason: "Forbidden" };
}

/** Each rule a tenant object must satisfy, in the order the API server reports them. */
export const TENANT_GUARDRAILS: readonly Guardrail[] = [
  guardrail(
    "Service",
    "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
    "Services in tenant namespaces must not set spec.externalIPs (CVE-2020-8554: kube-proxy would hijack cluster traffic to those IPs); remove spec.externalIPs",
  ),
  guardrail(
    "Service",
    "!has(object.spec.type) || object.spec.type == 'ClusterIP'",
    "Services in tenant namespaces must be type ClusterIP (headless with clusterIP: None is fine); NodePort, LoadBalancer and ExternalName are not allowed: expose workloads through the platform's ingress gateway",
  ),
  guardrail(
    "Secret",
    "!has(object.type) || object.type != 'kubernetes.io/service-account-token'",
    "Secrets of type kubernetes.io/service-account-token are not allowed in tenant namespaces (they mint non-expiring API tokens); use a projected, short-lived ServiceAccount token instead",
  ),
  guardrail(
    "Pod",
    "request.operation != 'CREATE' || !has(object.spec.nodeName) || object.spec.nodeName == ''",
    "Pods in tenant namespaces must not set spec.nodeName (it bypasses the scheduler, taints and affinity); remove spec.nodeName and use nodeSelector or affinity",
  ),
];

export function tenantGuardrailsPolicy(): K8sObject {
  return makeObject(API.admission, "ValidatingAdmissionPolicy", ADMISSION_GUARDRAILS_NAME, {}, {
    spec: {
      // Fail closed: an expression error rejects the request rather than letting it through.
      failurePolicy: "Fail",
      matchConstraints: {
        // Also scoped here, so another binding of this policy could never reach platform namespaces.
        namespaceSelector: tenantNamespaceSelector(),
        resourceRules: [
          // Subresources (pods/binding used by the scheduler, */status) are not matched.
          { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services", "secrets", "pods"] },
        ],
      },
      validations: TENANT_GUARDRAILS.map((g) => ({ ...g })),
    },
  });
}

export function tenantGuardrailsBinding(): K8sObject {
  return makeObject(API.admission, "ValidatingAdmissionPolicyBinding", ADMISSION_GUARDRAILS_NAME, {}, {
    spec: {
      policyName: ADMISSION_GUARDRAILS_NAME,
      // Deny: a failed validation rejects the request (not just a warning or an audit annotation).
      validationActions: ["Deny"],
      matchResources: { namespaceSelector: tenantNamespaceSelector() },
    },
  });
}

export function buildAdmissionGuardrailObjects(spec: PlatformSpec): K8sObject[] {
  if (!spec.layers.admissionGuardrails || spec.tenants.length === 0) return [];
  return [tenantGuardrailsPolicy(), tenantGuardrailsBinding()];
}
