import assert from "node:assert/strict";
import { buildTenantObjects } from "../../../components/builders";
import type { K8sObject } from "../../../components/k8s/object";
import { DEFAULT_QUOTA } from "../../../components/spec/defaults";
import { MANAGED_BY_LABEL, ROLE_LABEL, TENANT_LABEL } from "../../../components/spec/labels";
import { find, labSpec, ofKind, spec } from "./helpers";

function tenantObjects(name: string, overrides = {}): { all: K8sObject[]; defaultDeny: K8sObject[]; namespace: K8sObject } {
  const s = labSpec(overrides);
  const tenant = s.tenants.find((t) => t.name === name);
  if (!tenant) throw new Error(`no tenant ${name}`);
  const built = buildTenantObjects(s, tenant);
  return { all: [built.namespace, ...built.defaultDeny, ...built.rest], defaultDeny: built.defaultDeny, namespace: built.namespace };
}

describe("tenant builders", () => {
  describe("namespace", () => {
    it("a tenant namespace carries the tenant label, the tenant role, sidecar injection and Pod Security restricted", () => {
      const labels = tenantObjects("acme").namespace.metadata.labels ?? {};
      assert.equal(labels[TENANT_LABEL], "acme");
      assert.equal(labels[ROLE_LABEL], "tenant");
      assert.equal(labels["istio-injection"], "enabled");
      assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
      assert.ok(labels["pod-security.kubernetes.io/enforce-version"]);
      assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted");
      assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted");
    });

    it("a tenant's extra labels are kept but can never override the platform's own labels", () => {
      // Validation already rejects such labels; the builder must hold even for a hand-made spec.
      const s = labSpec();
      const acme = { ...s.tenants[0], labels: { team: "payments", [TENANT_LABEL]: "globex", "istio-injection": "disabled" } };
      const labels = buildTenantObjects(s, acme).namespace.metadata.labels ?? {};
      assert.equal(labels.team, "payments");
      assert.equal(labels[TENANT_LABEL], "acme");
      assert.equal(labels["istio-injection"], "enabled");
    });

    it("without Pod Security or an Istio install the namespace has neither label", () => {
      const labels = tenantObjects("acme", { layers: { podSecurity: false }, install: { istio: false } }).namespace.metadata.labels ?? {};
      assert.equal(Object.keys(labels).some((k) => k.startsWith("pod-security.kubernetes.io/")), false);
      assert.equal(labels["istio-injection"], undefined);
    });

    it("the default ServiceAccount never automounts an API token, even with every layer off", () => {
      const off = { networkPolicy: false, calico: false, peerAuthentication: false, authorization: false, sidecarScoping: false, quotas: false, tenantRbac: false };
      for (const layers of [{}, off]) {
        const sa = find(tenantObjects("acme", { layers }).all, "ServiceAccount", "default", "tenant-acme");
        assert.equal(sa.automountServiceAccountToken, false);
      }
    });
  });

  describe("network policies", () => {
    const { all, defaultDeny } = tenantObjects("acme");

    it("a tenant namespace denies all ingress and egress that no other policy allows", () => {
      const deny = find(defaultDeny, "NetworkPolicy", "default-deny", "tenant-acme");
      assert.deepEqual(spec(deny), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("pods may resolve names at cluster DNS over UDP and TCP 53, and nowhere else on 53", () => {
      const dns = spec(find(all, "NetworkPolicy", "allow-dns"));
      assert.deepEqual(dns.egress[0].to, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }]);
      assert.deepEqual(dns.egress[0].ports, [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
    });

    it("opens no API server egress by default: apiServerAccess is off", () => {
      assert.equal(all.some((o) => o.metadata.name === "allow-kube-apiserver"), false);
    });

    it("with apiServerAccess, API server egress targets the post-DNAT endpoint from config, never the 10.96.0.1:443 VIP", () => {
      const withAccess = tenantObjects("acme", { tenants: [{ name: "acme", apiServerAccess: true }, { name: "globex" }, { name: "initech" }] }).all;
      const api = spec(find(withAccess, "NetworkPolicy", "allow-kube-apiserver"));
      assert.deepEqual(api.egress, [{ to: [{ ipBlock: { cidr: "172.18.0.0/24" } }], ports: [{ protocol: "TCP", port: 6443 }] }]);
      assert.doesNotMatch(JSON.stringify(withAccess), /10\.96\.0\.1/);
    });

    it("sidecars may reach istiod on 15012 under default-deny egress, and only when Istio is installed", () => {
      const istiod = spec(find(all, "NetworkPolicy", "allow-istiod"));
      assert.deepEqual(istiod.egress[0].to[0].namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "istio-system" });
      assert.deepEqual(istiod.egress[0].to[0].podSelector.matchLabels, { app: "istiod" });
      assert.deepEqual(istiod.egress[0].ports, [{ protocol: "TCP", port: 15012 }]);
      const without = tenantObjects("acme", { install: { istio: false } }).all;
      assert.equal(without.some((o) => o.metadata.name === "allow-istiod"), false);
    });

    it("pods of the same namespace may talk to each other in both directions", () => {
      const same = spec(find(all, "NetworkPolicy", "allow-same-namespace"));
      assert.deepEqual(same.ingress, [{ from: [{ podSelector: {} }] }]);
      assert.deepEqual(same.egress, [{ to: [{ podSelector: {} }] }]);
    });

    it("a tenant may reach only the shared services it is allowed, on their ports", () => {
      const shared = spec(find(all, "NetworkPolicy", "allow-shared-services"));
      assert.deepEqual(shared.egress, [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shared-services" } }, podSelector: { matchLabels: { app: "log-collector" } } }],
          ports: [{ protocol: "TCP", port: 8080 }],
        },
      ]);
      const none = tenantObjects("acme", { tenants: [{ name: "acme", sharedServices: [] }, { name: "globex" }, { name: "initech" }] }).all;
      assert.equal(none.some((o) => o.metadata.name === "allow-shared-services"), false);
    });

    it("ingress from the gateway opens only the tenant's ingress ports, from the gateway's pods", () => {
      const tenants = [{ name: "acme", ingress: { fromGateway: true, ports: [8080] } }, { name: "globex" }, { name: "initech" }];
      const objs = tenantObjects("acme", { tenants, install: { ingressGateway: true } }).all;
      const gw = spec(find(objs, "NetworkPolicy", "allow-from-ingress-gateway"));
      assert.deepEqual(gw.ingress[0].from, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-ingress" } }, podSelector: { matchLabels: { istio: "ingressgateway" } } }]);
      assert.deepEqual(gw.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
      assert.equal(all.some((o) => o.metadata.name === "allow-from-ingress-gateway"), false, "no gateway ingress unless configured");
    });
  });

  describe("Istio policies", () => {
    const { all, defaultDeny } = tenantObjects("acme");

    it("the tenant namespace requires mutual TLS (PeerAuthentication STRICT)", () => {
      assert.deepEqual(spec(find(defaultDeny, "PeerAuthentication", "default", "tenant-acme")), { mtls: { mode: "STRICT" } });
    });

    it("tenant acme's DENY names every namespace except its own and its grant sources", () => {
      const deny = spec(find(defaultDeny, "AuthorizationPolicy", "deny-cross-tenant", "tenant-acme"));
      assert.equal(deny.action, "DENY");
      assert.deepEqual(deny.rules, [{ from: [{ source: { notNamespaces: ["tenant-acme", "tenant-globex"] } }] }]);
      const initech = spec(find(tenantObjects("initech").all, "AuthorizationPolicy", "deny-cross-tenant"));
      assert.deepEqual(initech.rules[0].from[0].source.notNamespaces, ["tenant-initech"]);
    });

    it("the shared-services namespace is denied like any other caller: shared services never call into tenants", () => {
      for (const name of ["acme", "globex", "initech"]) {
        const deny = spec(find(tenantObjects(name).all, "AuthorizationPolicy", "deny-cross-tenant"));
        assert.equal(deny.rules[0].from[0].source.notNamespaces.includes("shared-services"), false, name);
      }
    });

    it("a tenant allows callers from its own namespace only (a namespace-wide ALLOW)", () => {
      const allow = spec(find(all, "AuthorizationPolicy", "allow-same-namespace"));
      assert.deepEqual(allow, { action: "ALLOW", rules: [{ from: [{ source: { namespaces: ["tenant-acme"] } }] }] });
    });

    it("the gateway's principal is allowed on the tenant's ingress ports only", () => {
      const tenants = [{ name: "acme", ingress: { fromGateway: true, ports: [8080] } }, { name: "globex" }, { name: "initech" }];
      const objs = tenantObjects("acme", { tenants, install: { ingressGateway: true } }).all;
      const gw = spec(find(objs, "AuthorizationPolicy", "allow-ingress-gateway", "tenant-acme"));
      assert.deepEqual(gw.rules, [{ from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }], to: [{ operation: { ports: ["8080"] } }] }]);
      const deny = spec(find(objs, "AuthorizationPolicy", "deny-cross-tenant"));
      assert.ok(deny.rules[0].from[0].source.notNamespaces.includes("istio-ingress"));
    });

    it("the Sidecar scopes proxy config to its own namespace, the mesh, shared services and grant targets", () => {
      assert.deepEqual(spec(find(tenantObjects("globex").all, "Sidecar", "default")).egress, [{ hosts: ["./*", "istio-system/*", "shared-services/*", "tenant-acme/*"] }]);
      assert.deepEqual(spec(find(all, "Sidecar", "default")).egress, [{ hosts: ["./*", "istio-system/*", "shared-services/*"] }]);
    });
  });

  describe("quotas and RBAC", () => {
    const { all } = tenantObjects("acme");

    it("the quota caps compute, storage and object counts, with no NodePort or LoadBalancer services by default", () => {
      const hard = spec(find(all, "ResourceQuota", "tenant-quota")).hard;
      assert.equal(hard["services.nodeports"], "0");
      assert.equal(hard["services.loadbalancers"], "0");
      for (const key of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "requests.storage", "pods", "services", "configmaps", "secrets", "persistentvolumeclaims"]) {
        assert.ok(hard[key] !== undefined, `quota sets ${key}`);
      }
    });

    it("the quota caps how many controllers and ServiceAccounts a tenant can pile into the API server", () => {
      const hard = spec(find(all, "ResourceQuota", "tenant-quota")).hard;
      const d = DEFAULT_QUOTA;
      assert.deepEqual(
        Object.fromEntries(Object.entries(hard).filter(([key]) => key.startsWith("count/"))),
        {
          "count/deployments.apps": String(d.deployments),
          "count/replicasets.apps": String(d.replicaSets),
          "count/statefulsets.apps": String(d.statefulSets),
          "count/jobs.batch": String(d.jobs),
          "count/cronjobs.batch": String(d.cronJobs),
          "count/serviceaccounts": String(d.serviceAccounts),
        },
      );
    });

    it("a tenant's own object counts replace the defaults field by field", () => {
      const tenants = [{ name: "acme", quota: { deployments: 5, replicaSets: 40, serviceAccounts: 3 } }];
      const s = labSpec({ tenants, grants: [] });
      const hard = spec(find(buildTenantObjects(s, s.tenants[0]).rest, "ResourceQuota", "tenant-quota")).hard;
      assert.equal(hard["count/deployments.apps"], "5");
      assert.equal(hard["count/replicasets.apps"], "40");
      assert.equal(hard["count/serviceaccounts"], "3");
      assert.equal(hard["count/jobs.batch"], String(DEFAULT_QUOTA.jobs));
    });

    it("sets no ephemeral-storage constraint: it would reject every pod Istio injects a proxy into", () => {
      const quota = JSON.stringify(find(all, "ResourceQuota", "tenant-quota"));
      const limits = JSON.stringify(find(all, "LimitRange", "tenant-limits"));
      assert.equal(quota.includes("ephemeral-storage"), false);
      assert.equal(limits.includes("ephemeral-storage"), false);
    });

    it("a container without resources gets the LimitRange defaults and cannot exceed its maxima", () => {
      const limit = spec(find(all, "LimitRange", "tenant-limits")).limits[0];
      assert.equal(limit.type, "Container");
      assert.deepEqual(Object.keys(limit).sort(), ["default", "defaultRequest", "max", "type"]);
      assert.ok(limit.max.cpu && limit.max.memory);
    });

    it("the tenant admin cannot write policies, quotas, RBAC, namespaces or Istio config, nor escalate, bind or impersonate", () => {
      const role = find(all, "Role", "tenant-admin", "tenant-acme");
      const rules = role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      const writable = new Set<string>();
      for (const r of rules) {
        assert.equal(r.verbs.some((v) => ["escalate", "bind", "impersonate", "*"].includes(v)), false);
        assert.equal(r.resources.includes("*") || r.apiGroups.includes("*"), false);
        if (r.verbs.some((v) => ["create", "update", "patch", "delete", "deletecollection"].includes(v))) {
          for (const g of r.apiGroups) for (const res of r.resources) writable.add(`${g}/${res}`);
        }
      }
      const forbidden = [
        "networking.k8s.io/networkpolicies", "projectcalico.org/networkpolicies", "crd.projectcalico.org/networkpolicies",
        "security.istio.io/peerauthentications", "security.istio.io/authorizationpolicies", "security.istio.io/requestauthentications",
        "networking.istio.io/sidecars", "networking.istio.io/envoyfilters", "/resourcequotas", "/limitranges",
        "rbac.authorization.k8s.io/roles", "rbac.authorization.k8s.io/rolebindings", "/namespaces",
      ];
      for (const f of forbidden) assert.equal(writable.has(f), false, `tenant admin must not write ${f}`);
      assert.ok(writable.has("apps/deployments") && writable.has("/pods/exec"), "tenant admin runs its own workloads and may exec into them");
    });

    it("grants no Calico rule: a projectcalico.org read without tier rights is refused by Calico's API server anyway", () => {
      const rules = find(all, "Role", "tenant-admin", "tenant-acme").rules as { apiGroups: string[] }[];
      assert.equal(rules.some((r) => r.apiGroups.some((g) => g.endsWith("projectcalico.org"))), false);
    });

    it("the tenant-admin role is bound to the tenant's admin groups, and absent when it has none", () => {
      const binding = find(all, "RoleBinding", "tenant-admin", "tenant-acme");
      assert.deepEqual(binding.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "acme-admins" }]);
      const none = tenantObjects("acme", { tenants: [{ name: "acme" }, { name: "globex" }, { name: "initech" }] }).all;
      assert.equal(ofKind(none, "Role").length + ofKind(none, "RoleBinding").length, 0);
    });

    it("every tenant object carries the managed-by and tenant labels", () => {
      for (const o of all) {
        assert.equal(o.metadata.labels?.[MANAGED_BY_LABEL], "hard-tenancy", o.metadata.name);
        assert.equal(o.metadata.labels?.[TENANT_LABEL], "acme", o.metadata.name);
      }
    });
  });
});
