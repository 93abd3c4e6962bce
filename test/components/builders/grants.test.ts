import assert from "node:assert/strict";
import { allObjects, buildPlatformObjects, buildTenantObjects } from "../../../components/builders";
import { find, labSpec, spec } from "./helpers";

// The lab grant: globex may call acme's `echo` on 8080 with GET /api/v1/public/*.
describe("cross-tenant grants", () => {
  const s = labSpec();
  const acme = buildTenantObjects(s, s.tenants[0]).rest;
  const globex = buildTenantObjects(s, s.tenants[1]).rest;
  const id = "globex-to-acme-echo-0";

  it("opens egress from the source namespace to exactly the granted workload and port", () => {
    const egress = spec(find(globex, "NetworkPolicy", `grant-${id}-egress`, "tenant-globex"));
    assert.deepEqual(egress.egress, [
      { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tenant-acme" } }, podSelector: { matchLabels: { app: "echo" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
    ]);
  });

  it("opens ingress to the granted workload only, from the source namespace only", () => {
    const ingress = spec(find(acme, "NetworkPolicy", `grant-${id}-ingress`, "tenant-acme"));
    assert.deepEqual(ingress.podSelector, { matchLabels: { app: "echo" } });
    assert.deepEqual(ingress.ingress, [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tenant-globex" } } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
  });

  it("allows the source namespace on the workload with exactly the granted methods, paths and port", () => {
    const allow = spec(find(acme, "AuthorizationPolicy", `allow-grant-${id}`, "tenant-acme"));
    assert.deepEqual(allow, {
      selector: { matchLabels: { app: "echo" } },
      action: "ALLOW",
      rules: [{ from: [{ source: { namespaces: ["tenant-globex"] } }], to: [{ operation: { ports: ["8080"], methods: ["GET"], paths: ["/api/v1/public/*"] } }] }],
    });
  });

  it("an explicit DENY keeps the grant source to its port, methods and paths on that workload", () => {
    const deny = spec(find(acme, "AuthorizationPolicy", "deny-beyond-grants-globex-echo", "tenant-acme"));
    assert.equal(deny.action, "DENY");
    assert.deepEqual(deny.rules, [
      {
        from: [{ source: { namespaces: ["tenant-globex"] } }],
        to: [{ operation: { notPorts: ["8080"] } }, { operation: { notMethods: ["GET"] } }, { operation: { notPaths: ["/api/v1/public/*"] } }],
      },
    ]);
  });

  it("the grant is one-way: nothing lets acme into globex", () => {
    const reverse = JSON.stringify(globex.filter((o) => o.kind === "AuthorizationPolicy" || o.metadata.name.endsWith("-ingress")));
    assert.doesNotMatch(reverse, /tenant-acme/);
    const globexDeny = spec(find(buildTenantObjects(s, s.tenants[1]).defaultDeny, "AuthorizationPolicy", "deny-cross-tenant"));
    assert.equal(globexDeny.rules[0].from[0].source.notNamespaces.includes("tenant-acme"), false);
  });

  it("a grant with several paths from the same source is scoped by one DENY over their union", () => {
    const two = labSpec({
      grants: [
        { from: "globex", to: "acme", workload: "echo", port: 8080, methods: ["GET"], paths: ["/a/*"], reason: "one" },
        { from: "globex", to: "acme", workload: "echo", port: 8080, methods: ["POST"], paths: ["/b"], reason: "two" },
      ],
    });
    const objs = buildTenantObjects(two, two.tenants[0]).rest.filter((o) => o.metadata.name.startsWith("deny-beyond-grants-"));
    assert.equal(objs.length, 1);
    assert.deepEqual(spec(objs[0]).rules[0].to, [{ operation: { notPorts: ["8080"] } }, { operation: { notMethods: ["GET", "POST"] } }, { operation: { notPaths: ["/a/*", "/b"] } }]);
  });

  it("without grants no object mentions a grant", () => {
    const none = allObjects(buildPlatformObjects(labSpec({ grants: [] })));
    assert.equal(none.some((o) => /grant/.test(o.metadata.name)), false);
    // No Calico rule passes traffic from or to another tenant's namespace.
    for (const gnp of none.filter((o) => o.kind === "GlobalNetworkPolicy")) {
      const own: string = spec(gnp).namespaceSelector;
      const rules = [...spec(gnp).ingress, ...spec(gnp).egress] as { action: string; source?: { namespaceSelector?: string }; destination?: { namespaceSelector?: string } }[];
      const passedTenantNamespaces = rules
        .filter((r) => r.action === "Pass")
        .map((r) => r.source?.namespaceSelector ?? r.destination?.namespaceSelector)
        .filter((selector) => selector !== undefined && selector !== own && /'tenant-/.test(selector));
      assert.deepEqual(passedTenantNamespaces, [], gnp.metadata.name);
    }
  });
});
