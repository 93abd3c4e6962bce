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

    it("ends every direction with Pass, so the namespace's own NetworkPolicies still decide everything else", () => {
      for (const gnp of ofKind(objects, "GlobalNetworkPolicy")) {
        assert.deepEqual(spec(gnp).ingress.at(-1), { action: "Pass" });
        assert.deepEqual(spec(gnp).egress.at(-1), { action: "Pass" });
        assert.deepEqual(spec(gnp).types, ["Ingress", "Egress"]);
      }
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

    it("a tenant without grants has no exception at all: Deny other tenants, then Pass", () => {
      const initech = spec(find(objects, "GlobalNetworkPolicy", "hard-tenancy.isolate-initech"));
      assert.deepEqual(initech.ingress.map((r: { action: string }) => r.action), ["Deny", "Pass"]);
      assert.deepEqual(initech.egress.map((r: { action: string }) => r.action), ["Deny", "Pass"]);
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
