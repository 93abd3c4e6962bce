import assert from "node:assert/strict";
import { buildPlatformObjects } from "../../../components/builders";
import { find, labSpec, ofKind, spec, syntheticSpec } from "./helpers";

describe("cluster-scoped cross-tenant policy", () => {
  describe("Calico", () => {
    const objects = buildPlatformObjects(labSpec()).clusterPolicies;

    it("puts the tenant policies in a dedicated tier evaluated before the kube-admin (1000) and default tiers", () => {
      const tier = find(objects, "Tier", "hard-tenancy");
      assert.equal(tier.apiVersion, "projectcalico.org/v3");
      assert.ok(spec(tier).order < 1000);
      for (const gnp of ofKind(objects, "GlobalNetworkPolicy")) {
        assert.equal(spec(gnp).tier, "hard-tenancy");
        assert.ok(gnp.metadata.name.startsWith("hard-tenancy."), "non-default tier policies carry the tier prefix");
      }
    });

    it("emits one concrete GlobalNetworkPolicy per tenant, with no templating", () => {
      const gnps = ofKind(objects, "GlobalNetworkPolicy");
      assert.deepEqual(gnps.map((g) => g.metadata.name), ["hard-tenancy.isolate-acme", "hard-tenancy.isolate-globex", "hard-tenancy.isolate-initech"]);
      assert.doesNotMatch(JSON.stringify(gnps), /\$\{/);
    });

    it("acme's policy applies to acme's namespace and denies ingress from and egress to every other tenant", () => {
      const acme = spec(find(objects, "GlobalNetworkPolicy", "hard-tenancy.isolate-acme"));
      assert.equal(acme.namespaceSelector, "projectcalico.org/name == 'tenant-acme'");
      const others = "has(hard-tenancy.io/tenant) && hard-tenancy.io/tenant != 'acme'";
      assert.ok(acme.ingress.some((r: { action: string; source?: { namespaceSelector?: string } }) => r.action === "Deny" && r.source?.namespaceSelector === others));
      assert.ok(acme.egress.some((r: { action: string; destination?: { namespaceSelector?: string } }) => r.action === "Deny" && r.destination?.namespaceSelector === others));
    });

    it("ends ingress with Pass, so the namespace's own NetworkPolicies still decide who may come in", () => {
      for (const gnp of ofKind(objects, "GlobalNetworkPolicy")) {
        assert.deepEqual(spec(gnp).ingress.at(-1), { action: "Pass" });
        assert.deepEqual(spec(gnp).types, ["Ingress", "Egress"]);
      }
    });

    it("ends egress with Deny: whatever the platform does not allow is dropped here even if a NetworkPolicy allows it", () => {
      for (const gnp of ofKind(objects, "GlobalNetworkPolicy")) assert.deepEqual(spec(gnp).egress.at(-1), { action: "Deny" });
    });

    it("lets a grant through before the Deny, for exactly its namespace, workload and port", () => {
      const acme = spec(find(objects, "GlobalNetworkPolicy", "hard-tenancy.isolate-acme"));
      assert.deepEqual(acme.ingress[0], {
        action: "Pass",
        protocol: "TCP",
        source: { namespaceSelector: "projectcalico.org/name == 'tenant-globex'" },
        destination: { selector: "app == 'echo'", ports: [8080] },
      });
      const globex = spec(find(objects, "GlobalNetworkPolicy", "hard-tenancy.isolate-globex"));
      assert.equal(globex.egress[0].action, "Pass");
      assert.equal(globex.egress[0].destination.namespaceSelector, "projectcalico.org/name == 'tenant-acme'");
      assert.equal(globex.egress[1].action, "Deny");
    });

    it("a tenant without grants has no exception at all: Deny other tenants first, in both directions", () => {
      const initech = spec(find(objects, "GlobalNetworkPolicy", "hard-tenancy.isolate-initech"));
      assert.deepEqual(initech.ingress.map((r: { action: string }) => r.action), ["Deny", "Pass"]);
      assert.equal(initech.egress[0].action, "Deny");
      assert.equal(initech.egress[0].destination.namespaceSelector, "has(hard-tenancy.io/tenant) && hard-tenancy.io/tenant != 'initech'");
    });

    it("egress Passes exactly the platform's allowances after the cross-tenant Deny: own namespace, DNS, istiod, own shared services (the API server only with apiServerAccess)", () => {
      const initech = spec(find(objects, "GlobalNetworkPolicy", "hard-tenancy.isolate-initech"));
      assert.deepEqual(initech.egress.slice(1, -1), [
        { action: "Pass", destination: { namespaceSelector: "projectcalico.org/name == 'tenant-initech'" } },
        { action: "Pass", protocol: "UDP", destination: { namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } },
        { action: "Pass", protocol: "TCP", destination: { namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } },
        { action: "Pass", protocol: "TCP", destination: { namespaceSelector: "projectcalico.org/name == 'istio-system'", selector: "app == 'istiod'", ports: [15012] } },
        { action: "Pass", protocol: "TCP", destination: { namespaceSelector: "projectcalico.org/name == 'shared-services'", selector: "app == 'log-collector'", ports: [8080] } },
      ]);
    });

    it("istiod's other ports (15010, 15014, 15017) and everything else in the mesh namespace stay closed: only 15012 is passed", () => {
      for (const gnp of ofKind(objects, "GlobalNetworkPolicy")) {
        const toMesh = spec(gnp).egress.filter((r: { destination?: { namespaceSelector?: string } }) => r.destination?.namespaceSelector === "projectcalico.org/name == 'istio-system'");
        assert.deepEqual(toMesh.map((r: { destination: { ports: number[] } }) => r.destination.ports), [[15012]]);
      }
    });

    it("without Istio installed no egress to istiod is passed", () => {
      const noIstio = buildPlatformObjects(labSpec({ install: { istio: false } })).clusterPolicies;
      const acme = spec(find(noIstio, "GlobalNetworkPolicy", "hard-tenancy.isolate-acme"));
      assert.equal(JSON.stringify(acme.egress).includes("istiod"), false);
    });

    it("for a tenant with apiServerAccess, each API server endpoint is passed as its real address and port (Calico matches after DNAT), never the service VIP", () => {
      const cluster = { ...labSpec().cluster, apiServerEndpoints: [{ cidr: "10.0.0.10/32", port: 6443 }, { cidr: "10.0.0.11/32", port: 6443 }] };
      const s = labSpec({ cluster, tenants: [{ name: "acme", apiServerAccess: true }, { name: "globex" }, { name: "initech" }] });
      const policies = buildPlatformObjects(s).clusterPolicies;
      const netsOf = (tenant: string) =>
        spec(find(policies, "GlobalNetworkPolicy", `hard-tenancy.isolate-${tenant}`)).egress.filter((r: { destination?: { nets?: string[] } }) => r.destination?.nets);
      assert.deepEqual(netsOf("acme").map((r: { destination: unknown }) => r.destination), [{ nets: ["10.0.0.10/32"], ports: [6443] }, { nets: ["10.0.0.11/32"], ports: [6443] }]);
      assert.deepEqual(netsOf("globex"), [], "a tenant without apiServerAccess meets the final Deny on the way to the API server");
      assert.equal(JSON.stringify(policies).includes("10.96.0.1"), false);
    });

    it("a tenant is passed only to the shared services it may call", () => {
      const services = [
        { name: "log-collector", serviceAccount: "log-collector", port: 8080, pathPrefix: "/logs/ingest", methods: ["POST"] },
        { name: "metrics-gateway", serviceAccount: "metrics-gateway", port: 9090, pathPrefix: "/metrics/push", methods: ["POST"] },
      ];
      const tenants = [{ name: "acme", sharedServices: ["metrics-gateway"] }, { name: "globex", sharedServices: [] }];
      const s = labSpec({ sharedServices: { enabled: true, namespace: "shared-services", services }, tenants, grants: [] });
      const policies = buildPlatformObjects(s).clusterPolicies;
      const sharedRules = (tenant: string) =>
        spec(find(policies, "GlobalNetworkPolicy", `hard-tenancy.isolate-${tenant}`)).egress.filter(
          (r: { destination?: { namespaceSelector?: string } }) => r.destination?.namespaceSelector === "projectcalico.org/name == 'shared-services'",
        );
      assert.deepEqual(sharedRules("acme").map((r: { destination: unknown }) => r.destination), [
        { namespaceSelector: "projectcalico.org/name == 'shared-services'", selector: "app == 'metrics-gateway'", ports: [9090] },
      ]);
      assert.deepEqual(sharedRules("globex"), []);
    });
  });

  describe("ClusterNetworkPolicy (Admin tier)", () => {
    it("is off by default and leaves no ClusterNetworkPolicy", () => {
      assert.equal(ofKind(buildPlatformObjects(labSpec()).clusterPolicies, "ClusterNetworkPolicy").length, 0);
    });

    const objects = buildPlatformObjects(labSpec({ layers: { clusterNetworkPolicy: true } })).clusterPolicies;

    it("when enabled, each tenant gets an Admin-tier policy that denies other tenants both ways", () => {
      const acme = find(objects, "ClusterNetworkPolicy", "hard-tenancy-isolate-acme");
      assert.equal(acme.apiVersion, "policy.networking.k8s.io/v1alpha2");
      const s = spec(acme);
      assert.equal(s.tier, "Admin");
      assert.deepEqual(s.subject, { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "tenant-acme" } } });
      const others = { matchExpressions: [{ key: "hard-tenancy.io/tenant", operator: "Exists" }, { key: "hard-tenancy.io/tenant", operator: "NotIn", values: ["acme"] }] };
      assert.deepEqual(s.ingress, [{ name: "deny-from-other-tenants", action: "Deny", from: [{ namespaces: others }] }]);
      assert.deepEqual(s.egress, [{ name: "deny-to-other-tenants", action: "Deny", to: [{ namespaces: others }] }]);
    });

    it("grants take precedence over the tenant denies (lower priority number) and reach only the granted workload and port", () => {
      const egress = spec(find(objects, "ClusterNetworkPolicy", "hard-tenancy-grant-globex-to-acme-echo-0-egress"));
      const ingress = spec(find(objects, "ClusterNetworkPolicy", "hard-tenancy-grant-globex-to-acme-echo-0-ingress"));
      const tenant = spec(find(objects, "ClusterNetworkPolicy", "hard-tenancy-isolate-acme"));
      assert.ok(egress.priority < tenant.priority && ingress.priority < tenant.priority);
      const pods = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tenant-acme" } }, podSelector: { matchLabels: { app: "echo" } } };
      assert.deepEqual(egress.egress[0].to, [{ pods }]);
      assert.deepEqual(ingress.subject, { pods });
      assert.deepEqual(ingress.ingress[0].protocols, [{ tcp: { destinationPort: { number: 8080 } } }]);
      assert.equal(ingress.ingress[0].action, "Pass");
    });

    it("Calico and ClusterNetworkPolicy can be used together or alone", () => {
      const only = buildPlatformObjects(labSpec({ layers: { calico: false, clusterNetworkPolicy: true } })).clusterPolicies;
      assert.equal(only.some((o) => o.apiVersion.startsWith("projectcalico.org")), false);
      assert.equal(ofKind(only, "ClusterNetworkPolicy").length, 3 + 2);
    });
  });

  it("a policy's size does not depend on how many tenants exist", () => {
    const small = spec(find(buildPlatformObjects(syntheticSpec(5)).clusterPolicies, "GlobalNetworkPolicy", "hard-tenancy.isolate-t0003"));
    const large = spec(find(buildPlatformObjects(syntheticSpec(200)).clusterPolicies, "GlobalNetworkPolicy", "hard-tenancy.isolate-t0003"));
    assert.deepEqual(large, small);
  });
});
