import assert from "node:assert/strict";
import { authorizationLayer, type AuthzRequest } from "../../../../lab/model/layers/authorization-policy";
import type { PathNormalization } from "../../../../lab/model/layers/authz/path-normalization";
import type { HttpRequest } from "../../../../lab/model/types";
import { identity, model, policy, workload } from "./istio-model";

const echoA = workload("tenant-a", "echo", { podIPs: ["10.244.1.10"] });
const clientA = workload("tenant-a", "client", { podIPs: ["10.244.1.20"] });
const clientB = workload("tenant-b", "client", { podIPs: ["10.244.2.20"] });
const get = (path = "/", headers: Record<string, string> = {}, method = "GET"): HttpRequest => ({ method, path, headers, host: "echo.tenant-a" });

const AP = "AuthorizationPolicy";
const allowNothing = policy(AP, "istio-system", "allow-nothing", {});
const allowSameNamespace = policy(AP, "tenant-a", "allow-same-tenant", { action: "ALLOW", rules: [{ from: [{ source: { namespaces: ["tenant-a"] } }] }] });

function evaluate(policies: ReturnType<typeof policy>[], req: Partial<AuthzRequest>) {
  const layer = authorizationLayer(model({ policies, workloads: [echoA, clientA, clientB] }));
  return layer.evaluate({ source: {}, destination: echoA, port: 8080, ...req });
}

describe("authorization layer (Istio AuthorizationPolicy)", () => {
  describe("which policies apply", () => {
    it("allows everything when no policy applies to the destination", () => {
      assert.equal(evaluate([], { source: identity(clientB), http: get() }).verdict, "allow");
    });

    it("denies everything with a root-namespace allow-nothing policy, naming it as the decider", () => {
      const d = evaluate([allowNothing], { source: identity(clientA), http: get() });
      assert.equal(d.verdict, "deny");
      assert.deepEqual(d.decidedBy, { kind: AP, namespace: "istio-system", name: "allow-nothing" });
    });

    it("lets a tenant ALLOW rule open what the mesh allow-nothing closes, and names the rule", () => {
      const d = evaluate([allowNothing, allowSameNamespace], { source: identity(clientA), http: get() });
      assert.equal(d.verdict, "allow");
      assert.deepEqual(d.decidedBy, { kind: AP, namespace: "tenant-a", name: "allow-same-tenant", rule: 0 });
      const other = evaluate([allowNothing, allowSameNamespace], { source: identity(clientB), http: get() });
      assert.equal(other.verdict, "deny");
      assert.equal(other.decidedBy?.name, "allow-nothing");
    });

    it("applies a selector policy only to the workloads it selects, a selector-less one to the whole namespace", () => {
      const onlyOther = policy(AP, "tenant-a", "only-other", { selector: { matchLabels: { app: "other" } } });
      assert.equal(evaluate([onlyOther], { source: identity(clientA) }).verdict, "allow");
      const wholeNamespace = policy(AP, "tenant-a", "namespace-wide", {});
      assert.equal(evaluate([wholeNamespace], { source: identity(clientA) }).verdict, "deny");
    });

    it("applies a root-namespace selector policy across namespaces, and ignores policies of other namespaces", () => {
      const rootSelector = policy(AP, "istio-system", "deny-echo", { action: "DENY", rules: [{}] , selector: { matchLabels: { app: "echo" } } });
      assert.equal(evaluate([rootSelector], { source: identity(clientA) }).verdict, "deny");
      const elsewhere = policy(AP, "tenant-b", "deny-all", { action: "DENY", rules: [{}] });
      assert.equal(evaluate([elsewhere], { source: identity(clientA) }).verdict, "allow");
    });

    it("finds the one ALLOW that names the caller among a thousand for other namespaces, as a scan of all would", () => {
      const perTenant = Array.from({ length: 1000 }, (_, i) => policy(AP, "tenant-a", `allow-t${i}`, { action: "ALLOW", rules: [{ from: [{ source: { namespaces: [`tenant-${i}`] } }], to: [{ operation: { paths: [`/logs/t${i}/*`] } }] }] }));
      const wildcard = policy(AP, "tenant-a", "zz-allow-prefix", { action: "ALLOW", rules: [{ from: [{ source: { principals: ["cluster.local/ns/tenant-b/*"] } }], to: [{ operation: { paths: ["/wild/*"] } }] }] });
      const policies = [allowNothing, ...perTenant, wildcard];
      const clientT7 = workload("tenant-7", "client", { podIPs: ["10.244.7.20"] });
      const own = evaluate(policies, { source: identity(clientT7), http: get("/logs/t7/x") });
      assert.deepEqual([own.verdict, own.decidedBy?.name], ["allow", "allow-t7"]);
      const foreign = evaluate(policies, { source: identity(clientT7), http: get("/logs/t8/x") });
      assert.deepEqual([foreign.verdict, foreign.decidedBy?.name], ["deny", "allow-nothing"]);
      // A pattern cannot be filed under one name: it is always a candidate.
      assert.equal(evaluate(policies, { source: identity(clientB), http: get("/wild/x") }).decidedBy?.name, "zz-allow-prefix");
      assert.equal(evaluate(policies, { source: {}, http: get("/logs/t7/x") }).verdict, "deny");
    });

    it("does not apply a targetRefs policy to sidecars and says why in the warnings", () => {
      const m = model({ workloads: [echoA], policies: [policy(AP, "tenant-a", "via-service", { targetRefs: [{ kind: "Service", group: "", name: "echo" }], action: "DENY", rules: [{}] })] });
      assert.equal(authorizationLayer(m).evaluate({ source: {}, destination: echoA, port: 8080 }).verdict, "allow");
      assert.ok(m.warnings.some((w) => w.includes("via-service") && w.includes("targetRefs")));
    });

    it("is not applicable to a destination without a sidecar", () => {
      const layer = authorizationLayer(model({ policies: [allowNothing] }));
      assert.equal(layer.evaluate({ source: {}, destination: { ...echoA, sidecar: false }, port: 8080 }).verdict, "not-applicable");
    });
  });

  describe("actions", () => {
    it("evaluates DENY before ALLOW: a matching DENY wins over a matching ALLOW", () => {
      const deny = policy(AP, "tenant-a", "deny-admin", { action: "DENY", rules: [{ to: [{ operation: { paths: ["/admin"] } }] }] });
      const d = evaluate([allowSameNamespace, deny], { source: identity(clientA), http: get("/admin") });
      assert.equal(d.verdict, "deny");
      assert.deepEqual(d.decidedBy, { kind: AP, namespace: "tenant-a", name: "deny-admin", rule: 0 });
      assert.equal(evaluate([allowSameNamespace, deny], { source: identity(clientA), http: get("/public") }).verdict, "allow");
    });

    it("reports CUSTOM as not modelled (unknown) unless a DENY already decides", () => {
      const custom = policy(AP, "tenant-a", "ext-authz", { action: "CUSTOM", provider: { name: "opa" }, rules: [{}] });
      const d = evaluate([custom], { source: identity(clientA), http: get() });
      assert.equal(d.verdict, "unknown");
      assert.equal(d.custom, true);
      const deny = policy(AP, "tenant-a", "deny-b", { action: "DENY", rules: [{ from: [{ source: { namespaces: ["tenant-b"] } }] }] });
      assert.equal(evaluate([custom, deny], { source: identity(clientB), http: get() }).verdict, "deny");
    });

    it("gives AUDIT no effect on the verdict (no audit plugin in open-source Istio) and warns", () => {
      const m = model({ policies: [policy(AP, "tenant-a", "audit-all", { action: "AUDIT", rules: [{}] })] });
      assert.equal(authorizationLayer(m).evaluate({ source: identity(clientB), destination: echoA, port: 8080 }).verdict, "allow");
      assert.ok(m.warnings.some((w) => w.includes("AUDIT")));
    });

    it("treats an ALLOW policy with an empty rule as allow-all and one without rules as allow-nothing", () => {
      assert.equal(evaluate([policy(AP, "tenant-a", "allow-all", { rules: [{}] })], { source: {} }).verdict, "allow");
      assert.equal(evaluate([policy(AP, "tenant-a", "allow-none", { action: "ALLOW" })], { source: {} }).verdict, "deny");
    });
  });

  describe("mTLS-only attributes with plaintext callers", () => {
    const denyOutsiders = policy(AP, "tenant-a", "deny-outsiders", { action: "DENY", rules: [{ from: [{ source: { notNamespaces: ["tenant-a"] } }] }] });

    it("DENY with notNamespaces denies a plaintext caller, even one from the allowed namespace", () => {
      assert.equal(evaluate([denyOutsiders], { source: { workload: clientA } }).verdict, "deny");
      assert.equal(evaluate([denyOutsiders], { source: identity(clientA) }).verdict, "allow");
      assert.equal(evaluate([denyOutsiders], { source: identity(clientB) }).verdict, "deny");
    });

    it("ALLOW with notNamespaces lets a plaintext caller through (ISTIO-SECURITY-2021-004)", () => {
      const allowNotB = policy(AP, "tenant-a", "allow-not-b", { rules: [{ from: [{ source: { notNamespaces: ["tenant-b"] } }] }] });
      assert.equal(evaluate([allowNotB], { source: { workload: clientB } }).verdict, "allow");
      assert.equal(evaluate([allowNotB], { source: identity(clientB) }).verdict, "deny");
    });

    it("never matches principals or source.principal for a plaintext caller, not even the presence match", () => {
      const anyPrincipal = policy(AP, "tenant-a", "mtls-only", { rules: [{ from: [{ source: { principals: ["*"] } }] }] });
      assert.equal(evaluate([anyPrincipal], { source: { workload: clientA } }).verdict, "deny");
      assert.equal(evaluate([anyPrincipal], { source: identity(clientA) }).verdict, "allow");
      const bySa = policy(AP, "tenant-a", "by-sa", { rules: [{ when: [{ key: "source.principal", values: ["cluster.local/ns/tenant-a/sa/client"] }] }] });
      assert.equal(evaluate([bySa], { source: identity(clientA) }).verdict, "allow");
      assert.equal(evaluate([bySa], { source: { workload: clientA } }).verdict, "deny");
    });
  });

  describe("HTTP-only fields on TCP traffic", () => {
    it("an ALLOW rule with an HTTP-only field never matches TCP traffic", () => {
      const allowPath = policy(AP, "tenant-a", "allow-path", { rules: [{ from: [{ source: { namespaces: ["tenant-a"] } }], to: [{ operation: { paths: ["/*"] } }] }] });
      assert.equal(evaluate([allowPath], { source: identity(clientA) }).verdict, "deny");
      assert.equal(evaluate([allowPath], { source: identity(clientA), http: get("/x") }).verdict, "allow");
    });

    it("a DENY rule ignores its HTTP-only fields on TCP traffic and matches on the rest", () => {
      const denyPathFromB = policy(AP, "tenant-a", "deny-path", { action: "DENY", rules: [{ from: [{ source: { namespaces: ["tenant-b"] } }], to: [{ operation: { methods: ["DELETE"] } }] }] });
      assert.equal(evaluate([denyPathFromB], { source: identity(clientB) }).verdict, "deny");
      assert.equal(evaluate([denyPathFromB], { source: identity(clientB), http: get("/") }).verdict, "allow");
      assert.equal(evaluate([denyPathFromB], { source: identity(clientA) }).verdict, "allow");
    });

    it("a DENY rule on a request header ignores it on TCP traffic", () => {
      const denyHeader = policy(AP, "tenant-a", "deny-header", { action: "DENY", rules: [{ when: [{ key: "request.headers[x-tenant-identity]", values: ["*"] }] }] });
      assert.equal(evaluate([denyHeader], { source: identity(clientA) }).verdict, "deny");
      assert.equal(evaluate([denyHeader], { source: identity(clientA), http: get("/") }).verdict, "allow");
      assert.equal(evaluate([denyHeader], { source: identity(clientA), http: get("/", { "X-Tenant-Identity": "tenant-b" }) }).verdict, "deny");
    });
  });

  describe("value matching", () => {
    const allowPaths = (paths: string[]) => policy(AP, "tenant-a", "paths", { rules: [{ to: [{ operation: { paths } }] }] });

    it("matches exact, prefix*, *suffix and treats a * in the middle literally", () => {
      assert.equal(evaluate([allowPaths(["/api/*"])], { http: get("/api/v1") }).verdict, "allow");
      assert.equal(evaluate([allowPaths(["/api/*"])], { http: get("/apix") }).verdict, "deny");
      assert.equal(evaluate([allowPaths(["*.json"])], { http: get("/data.json") }).verdict, "allow");
      assert.equal(evaluate([allowPaths(["/a*b"])], { http: get("/axb") }).verdict, "deny");
      assert.equal(evaluate([allowPaths(["/a*b"])], { http: get("/a*b") }).verdict, "allow");
      assert.equal(evaluate([allowPaths(["/exact"])], { http: get("/exact?q=1") }).verdict, "allow");
    });

    it("treats * on a header as presence: any non-empty value, never an absent header", () => {
      const needsHeader = policy(AP, "tenant-a", "needs-header", { rules: [{ when: [{ key: "request.headers[x-token]", values: ["*"] }] }] });
      assert.equal(evaluate([needsHeader], { http: get("/", { "x-token": "t" }) }).verdict, "allow");
      assert.equal(evaluate([needsHeader], { http: get("/") }).verdict, "deny");
    });

    it("matches not-forms when the value is in none of the listed values (an absent header included)", () => {
      const notGet = policy(AP, "tenant-a", "not-get", { rules: [{ to: [{ operation: { notMethods: ["GET"], notPaths: ["/admin*"] } }] }] });
      assert.equal(evaluate([notGet], { http: get("/x", {}, "POST") }).verdict, "allow");
      assert.equal(evaluate([notGet], { http: get("/x", {}, "GET") }).verdict, "deny");
      assert.equal(evaluate([notGet], { http: get("/admin/x", {}, "POST") }).verdict, "deny");
      const notValue = policy(AP, "tenant-a", "not-value", { rules: [{ when: [{ key: "request.headers[x-env]", notValues: ["prod"] }] }] });
      assert.equal(evaluate([notValue], { http: get("/") }).verdict, "allow");
      assert.equal(evaluate([notValue], { http: get("/", { "x-env": "prod" }) }).verdict, "deny");
    });

    it("ORs the values of a field and the sources of a rule, ANDs the fields of one source", () => {
      const rule = policy(AP, "tenant-a", "or-and", { rules: [{ from: [{ source: { namespaces: ["tenant-b"], principals: ["cluster.local/ns/tenant-b/sa/other"] } }, { source: { namespaces: ["x", "tenant-a"] } }] }] });
      assert.equal(evaluate([rule], { source: identity(clientA) }).verdict, "allow");
      assert.equal(evaluate([rule], { source: identity(clientB) }).verdict, "deny");
    });

    it("matches hosts case-insensitively, with or without the port", () => {
      const hosts = policy(AP, "tenant-a", "hosts", { rules: [{ to: [{ operation: { hosts: ["ECHO.tenant-a"] } }] }] });
      assert.equal(evaluate([hosts], { http: { method: "GET", path: "/", headers: {}, host: "echo.tenant-a:8080" } }).verdict, "allow");
      assert.equal(evaluate([hosts], { http: { method: "GET", path: "/", headers: {}, host: "echo.tenant-b" } }).verdict, "deny");
    });

    it("matches ipBlocks and notIpBlocks against the source pod IP", () => {
      const fromNode = policy(AP, "tenant-a", "ip", { rules: [{ from: [{ source: { ipBlocks: ["10.244.1.0/24"], notIpBlocks: ["10.244.1.99"] } }] }] });
      assert.equal(evaluate([fromNode], { source: { workload: clientA } }).verdict, "allow");
      assert.equal(evaluate([fromNode], { source: { workload: clientB } }).verdict, "deny");
      assert.equal(evaluate([fromNode], { source: { ip: "10.244.1.99" } }).verdict, "deny");
    });

    it("matches to.operation ports and the destination.port condition against the workload port", () => {
      const ports = policy(AP, "tenant-a", "ports", { rules: [{ to: [{ operation: { ports: ["8080"] } }], when: [{ key: "destination.port", notValues: ["9090"] }] }] });
      assert.equal(evaluate([ports], { port: 8080 }).verdict, "allow");
      assert.equal(evaluate([ports], { port: 9090 }).verdict, "deny");
    });
  });

  describe("what the model cannot decide", () => {
    it("reports request.auth conditions on HTTP as unknown, with the reason", () => {
      const jwt = policy(AP, "tenant-a", "jwt", { rules: [{ when: [{ key: "request.auth.claims[iss]", values: ["https://issuer"] }] }] });
      const d = evaluate([jwt], { http: get() });
      assert.equal(d.verdict, "unknown");
      assert.match(d.reason ?? "", /JWT/);
    });

    it("reports an unmodelled condition key as unknown, but a certain deny stays a deny", () => {
      const sni = policy(AP, "tenant-a", "sni", { rules: [{ when: [{ key: "connection.sni", values: ["x"] }] }] });
      assert.equal(evaluate([sni], {}).verdict, "unknown");
      const denyAll = policy(AP, "tenant-a", "deny-all", { action: "DENY", rules: [{}] });
      assert.equal(evaluate([sni, denyAll], {}).verdict, "deny");
    });
  });
});

describe("authorization layer: paths are matched after the mesh's path normalization", () => {
  const collector = workload("shared-services", "log-collector");
  const acmeClient = workload("tenant-acme", "client");
  // Like the platform's allow-log-collector-acme: POST to acme's own prefix only.
  const allowAcme = policy(AP, "shared-services", "allow-log-collector-acme", {
    action: "ALLOW",
    rules: [{ from: [{ source: { namespaces: ["tenant-acme"] } }], to: [{ operation: { methods: ["POST"], paths: ["/logs/ingest/acme", "/logs/ingest/acme/*"] } }] }],
  });
  const post = (path: string): HttpRequest => ({ method: "POST", path, headers: {}, host: "log-collector.shared-services" });
  const verdict = (path: string, pathNormalization?: PathNormalization, withModelMode?: PathNormalization) => {
    const m = model({ policies: [allowNothing, allowAcme], workloads: [collector, acmeClient] });
    if (withModelMode) m.pathNormalization = withModelMode;
    const layer = authorizationLayer(m, pathNormalization ? { pathNormalization } : {});
    return layer.evaluate({ source: identity(acmeClient), destination: collector, port: 8080, http: post(path) }).verdict;
  };

  it("lets acme climb into globex's prefix with ..%2F under Istio's default BASE (the gap)", () => {
    assert.equal(verdict("/logs/ingest/acme/..%2Fglobex/x"), "allow");
    assert.equal(verdict("/logs/ingest/acme/..%2Fglobex/x", "BASE"), "allow");
    assert.equal(verdict("/logs/ingest/acme/%2e%2e%2fglobex", "BASE"), "allow");
    assert.equal(verdict("/logs/ingest/acme/..%5Cglobex/x", "MERGE_SLASHES"), "allow");
  });

  it("denies the same encoded traversals under DECODE_AND_MERGE_SLASHES", () => {
    for (const path of ["/logs/ingest/acme/..%2Fglobex/x", "/logs/ingest/acme/%2e%2e%2fglobex", "/logs/ingest/acme/..%5Cglobex/x"]) {
      assert.equal(verdict(path, "DECODE_AND_MERGE_SLASHES"), "deny", path);
    }
  });

  it("resolves encoded dots already under BASE, but not under NONE", () => {
    assert.equal(verdict("/logs/ingest/acme/%2e%2e/globex/x", "BASE"), "deny");
    assert.equal(verdict("/logs/ingest/acme/%2e%2e/globex/x", "NONE"), "allow");
  });

  it("merges //logs/ingest/acme into acme's prefix only when slashes are merged", () => {
    assert.equal(verdict("//logs/ingest/acme/x", "BASE"), "deny");
    assert.equal(verdict("//logs/ingest/acme/x", "DECODE_AND_MERGE_SLASHES"), "allow");
    assert.equal(verdict("//logs/ingest/globex/x", "DECODE_AND_MERGE_SLASHES"), "deny");
  });

  it("takes the mode from the model when the layer is given none, and the option over the model", () => {
    assert.equal(verdict("/logs/ingest/acme/..%2Fglobex/x", undefined, "DECODE_AND_MERGE_SLASHES"), "deny");
    assert.equal(verdict("/logs/ingest/acme/..%2Fglobex/x", "BASE", "DECODE_AND_MERGE_SLASHES"), "allow");
  });

  it("ignores the query string when matching, so a query cannot smuggle a path", () => {
    assert.equal(verdict("/logs/ingest/acme/x?to=/logs/ingest/globex", "DECODE_AND_MERGE_SLASHES"), "allow");
    assert.equal(verdict("/logs/ingest/globex/x?from=/logs/ingest/acme/", "DECODE_AND_MERGE_SLASHES"), "deny");
  });

  it("denies a path with %00 before any policy, as the sidecar answers 400", () => {
    const m = model({ policies: [], workloads: [collector, acmeClient] });
    const d = authorizationLayer(m).evaluate({ source: identity(acmeClient), destination: collector, port: 8080, http: post("/logs/ingest/acme/%00") });
    assert.equal(d.verdict, "deny");
    assert.match(d.reason ?? "", /%00/);
  });
});
