import assert from "node:assert/strict";
import { calicoLayer } from "../../../../../lab/model/layers/calico";
import type { ClusterModel } from "../../../../../lab/model/types";
import { connection, model, namespace, networkPolicy, pod, policy } from "../../fixtures";

const V3 = "projectcalico.org/v3";
const gnp = (name: string, spec: object) => policy(V3, "GlobalNetworkPolicy", name, spec);
const cnp = (ns: string, name: string, spec: object) => policy("crd.projectcalico.org/v1", "NetworkPolicy", name, spec, ns);
const tier = (name: string, order: number, extra: object = {}) => policy(V3, "Tier", name, { order, ...extra });

function base(...objects: ReturnType<typeof policy>[]): ClusterModel {
  return model([
    namespace("a", { tenant: "a" }),
    namespace("b", { tenant: "b" }),
    namespace("kube-system"),
    pod("a", "web", { app: "web" }, { ports: [{ name: "http", containerPort: 8080 }] }),
    pod("b", "web", { app: "web" }, { ports: [{ name: "http", containerPort: 8080 }], ips: ["10.244.2.5"] }),
    pod("b", "db", { app: "db" }, { serviceAccount: "db-sa" }),
    pod("kube-system", "dns", { "k8s-app": "kube-dns" }),
    ...objects,
  ]);
}

function decide(m: ClusterModel, from: string, to: string, port: number, options = {}) {
  return calicoLayer(m, options).evaluate(connection(m, from, to, port));
}

const crossTenantDeny = (t: string, order = 100) =>
  gnp(`iso-${t}`, {
    order,
    namespaceSelector: `tenant == '${t}'`,
    types: ["Ingress"],
    ingress: [{ action: "Deny", source: { namespaceSelector: `has(tenant) && tenant != '${t}'` } }, { action: "Pass" }],
  });

describe("calico layer", () => {
  it("ignores, with a warning, a GlobalNetworkPolicy whose selector holds global(): Calico's API rejects it", () => {
    const m = base(gnp("deny-all-global", { order: 1, selector: "global() || all()", types: ["Ingress"], ingress: [{ action: "Deny" }] }));
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "not-applicable");
    assert.ok(m.warnings.some((w) => w.includes("GlobalNetworkPolicy deny-all-global") && w.includes("global() can only be used") && w.includes("policy ignored")), m.warnings.join("\n"));
  });

  it("is not applicable when no Calico policy selects either endpoint (profile allow)", () => {
    assert.equal(decide(base(), "a/web", "b/web", 8080).verdict, "not-applicable");
  });

  it("denies cross-tenant ingress with a GlobalNetworkPolicy namespaceSelector rule", () => {
    const m = base(crossTenantDeny("b"));
    const d = decide(m, "a/web", "b/web", 8080);
    assert.equal(d.verdict, "deny");
    assert.deepEqual(d.decidedBy, { kind: "GlobalNetworkPolicy", name: "iso-b", rule: 0 });
    assert.equal(decide(m, "b/db", "b/web", 8080).verdict, "not-applicable"); // Pass → no further tier → profile
  });

  it("drops traffic at the end of a tier that selects the endpoint when no rule matches", () => {
    const m = base(gnp("only-web", { selector: "app == 'db'", ingress: [{ action: "Allow", source: { selector: "app == 'web'" } }] }));
    assert.equal(decide(m, "a/web", "b/db", 5432).verdict, "allow");
    const d = decide(m, "kube-system/dns", "b/db", 5432);
    assert.equal(d.verdict, "deny");
    assert.deepEqual(d.decidedBy, { kind: "Tier", name: "default" });
  });

  it("lets Pass skip to the next tier, and a tier with Pass default action fall through", () => {
    const m = base(
      tier("security", 100),
      gnp("security.pass-b", { tier: "security", selector: "all()", namespaceSelector: "tenant == 'b'", ingress: [{ action: "Pass", source: { namespaceSelector: "tenant == 'b'" } }, { action: "Deny" }] }),
      cnp("b", "default.allow-web", { selector: "app == 'db'", ingress: [{ action: "Allow", source: { selector: "app == 'web'" } }] }),
    );
    assert.equal(decide(m, "b/web", "b/db", 5432).verdict, "allow");
    assert.equal(decide(m, "a/web", "b/db", 5432).verdict, "deny");
    assert.equal(decide(m, "a/web", "b/db", 5432).decidedBy?.name, "security.pass-b");
    const passTier = base(tier("security", 100, { defaultAction: "Pass" }), gnp("security.nothing", { tier: "security", selector: "all()", ingress: [{ action: "Deny", source: { selector: "app == 'none'" } }] }));
    assert.equal(decide(passTier, "a/web", "b/db", 5432).verdict, "not-applicable");
  });

  it("orders policies by order (missing = last), breaking ties by name", () => {
    const m = base(
      gnp("b-allow", { order: 10, selector: "app == 'db'", ingress: [{ action: "Allow" }] }),
      gnp("a-deny", { order: 10, selector: "app == 'db'", ingress: [{ action: "Deny" }] }),
      gnp("unordered-allow", { selector: "app == 'web'", ingress: [{ action: "Allow" }] }),
      gnp("ordered-deny", { order: 5000, selector: "app == 'web'", ingress: [{ action: "Deny" }] }),
    );
    assert.equal(decide(m, "a/web", "b/db", 5432).decidedBy?.name, "a-deny");
    assert.equal(decide(m, "a/web", "b/web", 8080).decidedBy?.name, "ordered-deny");
  });

  it("scopes a namespaced policy's rule selector to its own namespace unless a namespaceSelector is set", () => {
    const own = base(cnp("b", "web-only", { selector: "app == 'db'", ingress: [{ action: "Allow", source: { selector: "app == 'web'" } }] }));
    assert.equal(decide(own, "b/web", "b/db", 5432).verdict, "allow");
    assert.equal(decide(own, "a/web", "b/db", 5432).verdict, "deny");
    const any = base(cnp("b", "web-anywhere", { selector: "app == 'db'", ingress: [{ action: "Allow", source: { selector: "app == 'web'", namespaceSelector: "all()" } }] }));
    assert.equal(decide(any, "a/web", "b/db", 5432).verdict, "allow");
  });

  it("matches namespaces by projectcalico.org/name and service accounts by serviceAccountSelector", () => {
    const m = base(gnp("sa", { serviceAccountSelector: "projectcalico.org/name == 'db-sa'", ingress: [{ action: "Deny", source: { namespaceSelector: "projectcalico.org/name == 'a'" } }] }));
    assert.equal(decide(m, "a/web", "b/db", 5432).verdict, "deny");
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "not-applicable");
  });

  it("matches ports, port ranges, named ports, notPorts, nets, notNets and notSelector", () => {
    const m = base(gnp("ports", {
      selector: "app == 'web'",
      ingress: [
        { action: "Deny", protocol: "TCP", source: { nets: ["10.0.0.0/8"], notNets: ["10.9.0.0/16"] }, destination: { ports: ["http"] } },
        { action: "Allow", protocol: "TCP", source: { notSelector: "app == 'db'" }, destination: { ports: [80, "8000:8100"], notPorts: [8050] } },
      ],
    }));
    assert.equal(decide(m, "10.1.1.1", "b/web", 8080).verdict, "deny");
    assert.equal(decide(m, "10.9.1.1", "b/web", 8080).verdict, "allow");
    assert.equal(decide(m, "10.9.1.1", "b/web", 8050).verdict, "deny");
    assert.equal(decide(m, "b/db", "b/web", 8080).verdict, "deny");
    assert.equal(decide(m, "kube-system/dns", "b/web", 80).verdict, "allow");
  });

  it("places Kubernetes NetworkPolicies in the default tier at order 1000 when asked", () => {
    const objects = [
      gnp("late-deny", { order: 2000, selector: "app == 'web'", ingress: [{ action: "Deny" }] }),
      networkPolicy("b", "allow-a", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { tenant: "a" } } }] }] }),
    ];
    const m = base(...objects);
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "deny");
    const withKnp = decide(base(...objects), "a/web", "b/web", 8080, { includeKubernetesNetworkPolicies: true });
    assert.equal(withKnp.verdict, "allow");
    assert.deepEqual(withKnp.decidedBy, { kind: "NetworkPolicy", namespace: "b", name: "allow-a", rule: 0 });
  });

  it("warns about a policy with an invalid selector and ignores it", () => {
    const m = base(gnp("broken", { selector: "app = 'web'", ingress: [{ action: "Deny" }] }));
    assert.equal(decide(m, "a/web", "b/web", 8080).verdict, "not-applicable");
    assert.ok(m.warnings.some((w) => w.includes("GlobalNetworkPolicy broken") && w.includes("spec.selector")));
  });
});
