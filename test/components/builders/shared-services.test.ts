import assert from "node:assert/strict";
import { TENANT_IDENTITY_LUA, buildPlatformObjects, buildTenantObjects } from "../../../components/builders";
import { validateAgainstUpstreamSchemas } from "../../schemas/validate";
import { find, labSpec, ofKind, spec } from "./helpers";

describe("shared services", () => {
  const s = labSpec();
  const shared = buildPlatformObjects(s).sharedServices;

  it("the shared namespace is meshed, Pod Security restricted and labelled as shared services", () => {
    const labels = find(shared, "Namespace", "shared-services").metadata.labels ?? {};
    assert.equal(labels["hard-tenancy.io/role"], "shared-services");
    assert.equal(labels["istio-injection"], "enabled");
    assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(find(shared, "ServiceAccount", "default", "shared-services").automountServiceAccountToken, false);
  });

  it("the shared namespace denies by default and admits only namespaces the platform labelled for the service, on its port", () => {
    assert.deepEqual(spec(find(shared, "NetworkPolicy", "default-deny", "shared-services")).policyTypes, ["Ingress", "Egress"]);
    const ingress = spec(find(shared, "NetworkPolicy", "allow-tenants-to-log-collector"));
    assert.deepEqual(ingress.podSelector, { matchLabels: { app: "log-collector" } });
    assert.deepEqual(ingress.ingress, [{ from: [{ namespaceSelector: { matchLabels: { "shared.hard-tenancy.io/log-collector": "allowed" } } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
    for (const t of s.tenants) {
      assert.equal(buildTenantObjects(s, t).namespace.metadata.labels?.["shared.hard-tenancy.io/log-collector"], "allowed");
    }
  });

  it("a tenant that may not use a service gets no access label for it", () => {
    const spec2 = labSpec({ tenants: [{ name: "acme", sharedServices: [] }, { name: "globex" }, { name: "initech" }] });
    const acme = buildTenantObjects(spec2, spec2.tenants[0]);
    assert.equal(acme.namespace.metadata.labels?.["shared.hard-tenancy.io/log-collector"], undefined);
    assert.equal(acme.rest.some((o) => o.metadata.namespace === "shared-services"), false);
  });

  it("the collector accepts POST to /logs/ingest/<tenant>/… only from that tenant's namespace", () => {
    const acme = buildTenantObjects(s, s.tenants[0]).rest;
    const allow = find(acme, "AuthorizationPolicy", "allow-log-collector-acme", "shared-services");
    assert.deepEqual(spec(allow), {
      selector: { matchLabels: { app: "log-collector" } },
      action: "ALLOW",
      rules: [{ from: [{ source: { namespaces: ["tenant-acme"] } }], to: [{ operation: { ports: ["8080"], paths: ["/logs/ingest/acme", "/logs/ingest/acme/*"], methods: ["POST"] } }] }],
    });
  });

  it("nobody outside the shared namespace may send x-tenant-identity to a shared service", () => {
    const deny = spec(find(shared, "AuthorizationPolicy", "deny-tenant-identity-injection", "shared-services"));
    assert.equal(deny.action, "DENY");
    assert.deepEqual(deny.rules, [{ from: [{ source: { notNamespaces: ["shared-services"] } }], when: [{ key: "request.headers[x-tenant-identity]", values: ["*"] }] }]);
  });

  describe("XFCC sanitising", () => {
    const ownIstio = { install: { calico: true, certManager: true, istio: false, ingressGateway: false } };
    const twoServices = labSpec({
      ...ownIstio,
      sharedServices: {
        enabled: true,
        services: [
          { name: "log-collector", serviceAccount: "log-collector", port: 8080, pathPrefix: "/logs/ingest", methods: ["POST"] },
          { name: "metrics-sink", serviceAccount: "metrics-sink", port: 9090, pathPrefix: "/metrics", methods: ["POST"] },
        ],
      },
    });

    it("needs no per-service filter when the platform installs Istio: the mesh config sanitises every sidecar", () => {
      assert.deepEqual(ofKind(shared, "EnvoyFilter"), []);
      const lua = buildPlatformObjects(labSpec({ sharedServices: { enabled: true, identityPropagation: "lua" } })).sharedServices;
      assert.deepEqual(ofKind(lua, "EnvoyFilter").map((f) => f.metadata.name), ["tenant-identity-log-collector"]);
    });

    it("on a cluster that brings its own Istio, resets x-forwarded-client-cert to the verified peer's URI on the collector's inbound HTTP connection manager", () => {
      const filter = find(buildPlatformObjects(labSpec(ownIstio)).sharedServices, "EnvoyFilter", "sanitize-xfcc-log-collector", "shared-services");
      assert.equal(filter.apiVersion, "networking.istio.io/v1alpha3");
      assert.deepEqual(spec(filter), {
        workloadSelector: { labels: { app: "log-collector" } },
        configPatches: [
          {
            applyTo: "NETWORK_FILTER",
            match: { context: "SIDECAR_INBOUND", listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } } },
            patch: {
              operation: "MERGE",
              value: {
                typed_config: {
                  "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                  forward_client_cert_details: "SANITIZE_SET",
                  set_current_client_cert_details: { uri: true },
                },
              },
            },
          },
        ],
      });
    });

    it("then gives every shared service its own sanitising filter, selecting only that service's pods", () => {
      const filters = ofKind(buildPlatformObjects(twoServices).sharedServices, "EnvoyFilter");
      assert.deepEqual(filters.map((f) => [f.metadata.name, spec(f).workloadSelector.labels.app]), [
        ["sanitize-xfcc-log-collector", "log-collector"],
        ["sanitize-xfcc-metrics-sink", "metrics-sink"],
      ]);
    });

    it("the sanitising filters validate against Istio's EnvoyFilter schema", async () => {
      const filters = ofKind(buildPlatformObjects(twoServices).sharedServices, "EnvoyFilter");
      assert.equal(filters.length, 2);
      assert.deepEqual(await validateAgainstUpstreamSchemas(filters), []);
    });
  });

  describe("Lua identity propagation", () => {
    const lua = buildPlatformObjects(labSpec({ sharedServices: { enabled: true, identityPropagation: "lua" } })).sharedServices;

    it("the Lua filter replaces x-tenant-identity (remove, then add once) and never just adds to a client's value", () => {
      const removeAt = TENANT_IDENTITY_LUA.indexOf('headers:remove("x-tenant-identity")');
      const addAt = TENANT_IDENTITY_LUA.indexOf('headers:add("x-tenant-identity"');
      assert.ok(removeAt >= 0 && addAt > removeAt);
      assert.equal(TENANT_IDENTITY_LUA.split("headers:add(").length - 1, 1);
    });

    it("treats uriSanPeerCertificate() as a table and leaves no header when there is no peer certificate", () => {
      assert.match(TENANT_IDENTITY_LUA, /uris\[1\]/);
      assert.match(TENANT_IDENTITY_LUA, /#uris > 0/);
      assert.match(TENANT_IDENTITY_LUA, /ssl == nil or not ssl:peerCertificatePresented\(\)/);
    });

    it("is inserted on the collector's inbound HTTP chain before the router, i.e. after Istio's RBAC check", () => {
      const filter = find(lua, "EnvoyFilter", "tenant-identity-log-collector", "shared-services");
      assert.equal(filter.apiVersion, "networking.istio.io/v1alpha3");
      const patch = spec(filter).configPatches[0];
      assert.equal(patch.match.context, "SIDECAR_INBOUND");
      assert.equal(patch.match.listener.filterChain.filter.subFilter.name, "envoy.filters.http.router");
      assert.equal(patch.patch.operation, "INSERT_BEFORE");
      assert.deepEqual(spec(filter).workloadSelector, { labels: { app: "log-collector" } });
    });
  });

  it("switching shared services off leaves no shared namespace, policy or access label", () => {
    const off = labSpec({ sharedServices: { enabled: false } });
    const objects = buildPlatformObjects(off);
    assert.deepEqual(objects.sharedServices, []);
    const everything = [...objects.meshWide, ...objects.tenants.flatMap((t) => [t.namespace, ...t.defaultDeny, ...t.rest])];
    assert.doesNotMatch(JSON.stringify(everything), /shared-services|log-collector/);
  });
});
