import assert from "node:assert/strict";
import { join } from "node:path";
import { buildClusterModel } from "../../../lab/model/cluster";
import { loadManifestDir } from "../../../lab/model/load";
import { createProbeEvaluator, evaluateProbes, ProbeInputError } from "../../../lab/model/probe";
import { namespace, networkPolicy, pod } from "./fixtures";
import { observationFor } from "../../../lab/model/observation";
import type { LayerId, Probe, ProbeResult } from "../../../lab/probes/types";

// Fixture: mesh-wide STRICT + allow-nothing + a DENY on x-tenant-identity + a root default Sidecar
// scoped to the client's namespace; tenant-a and tenant-b with ingress NetworkPolicies and a
// same-tenant ALLOW; tenant-c PERMISSIVE without NetworkPolicy; legacy without sidecars.
const FIXTURES = join(__dirname, "..", "..", "fixtures", "manifests", "istio");
const loaded = loadManifestDir(FIXTURES);
const cluster = () => buildClusterModel(loaded.objects);
const evaluate = createProbeEvaluator(cluster());

const http = (id: string, from: string, to: Probe["to"], extra: Partial<Probe> = {}): Probe => ({ id, from, to, protocol: "HTTP", method: "GET", path: "/", ...extra });
const echo = (tenant: string): Probe["to"] => ({ service: `${tenant}/echo`, port: 80 });
const meshLayers = (r: ProbeResult) => ({ peerAuthentication: r.layers.peerAuthentication, authorization: r.layers.authorization });

describe("probe evaluator", () => {
  it("reports every layer id for every probe", () => {
    const r = evaluate(http("same", "tenant-a/client", echo("tenant-a")));
    const ids: LayerId[] = ["networkPolicy", "calico", "clusterNetworkPolicy", "peerAuthentication", "authorization"];
    assert.deepEqual(Object.keys(r.layers).sort(), [...ids].sort());
  });

  it("allows a same-tenant call from a sidecar client: mTLS, the tenant ALLOW decides, http 200", () => {
    const r = evaluate(http("same", "tenant-a/client", echo("tenant-a")));
    assert.equal(r.verdict, "allow");
    assert.equal(r.layers.networkPolicy, "allow");
    assert.deepEqual(meshLayers(r), { peerAuthentication: "allow", authorization: "allow" });
    assert.deepEqual(r.decidedBy, { kind: "AuthorizationPolicy", namespace: "tenant-a", name: "allow-same-tenant", rule: 0 });
    assert.equal(r.observation, "http 200");
  });

  it("denies a cross-tenant call by name from a sidecar client at every layer; the client gives up before its Envoy's connect timeout", () => {
    const r = evaluate(http("by-name", "tenant-a/client", echo("tenant-b")));
    assert.equal(r.verdict, "deny");
    assert.equal(r.layers.networkPolicy, "deny");
    // Out of the client's Sidecar scope: plaintext through the PassthroughCluster, rejected by STRICT.
    assert.deepEqual(meshLayers(r), { peerAuthentication: "deny", authorization: "deny" });
    assert.equal(r.decidedBy?.kind, "NetworkPolicy");
    assert.equal(r.decidedBy?.namespace, "tenant-b");
    // Istio's connectTimeout (10 s) outlasts the client's 5 s: curl's own timeout, as observed on real Envoys.
    assert.equal(r.observation, "curl exit 28");
  });

  it("predicts the client's Envoy answering 503 when the mesh's connectTimeout is shorter than the client's wait", () => {
    const quick = buildClusterModel(loaded.objects, { clientTimeoutSeconds: 5 });
    quick.envoyConnectTimeoutSeconds = 1;
    const r = evaluateProbes(quick, [http("by-name", "tenant-a/client", echo("tenant-b"))])[0];
    assert.equal(r.verdict, "deny");
    assert.equal(r.observation, "http 503 upstream connect error");
    const patient = evaluateProbes(buildClusterModel(loaded.objects, { clientTimeoutSeconds: 15 }), [http("by-name", "tenant-a/client", echo("tenant-b"))])[0];
    assert.equal(patient.observation, "http 503 upstream connect error", "a client that waits 15 s sees Envoy's answer after its 10 s default");
  });

  it("without Sidecar scoping, a cross-tenant sidecar call is mTLS: peerAuthentication allows, authorization denies", () => {
    const m = buildClusterModel(loaded.objects.filter((o) => o.kind !== "Sidecar"));
    const r = createProbeEvaluator(m, { ablate: ["networkPolicy"] })(http("by-name", "tenant-a/client", echo("tenant-b")));
    assert.deepEqual(meshLayers(r), { peerAuthentication: "allow", authorization: "deny" });
    assert.deepEqual(r.decidedBy, { kind: "AuthorizationPolicy", namespace: "istio-system", name: "allow-nothing" });
    assert.equal(r.observation, "http 403 RBAC: access denied");
  });

  it("turns a sidecar client's pod-IP call into plaintext: STRICT rejects it even within the tenant", () => {
    const r = evaluate(http("by-ip", "tenant-a/client", { ip: "10.244.1.10", port: 8080 }));
    assert.equal(r.verdict, "deny");
    assert.equal(r.layers.networkPolicy, "allow");
    assert.equal(r.layers.peerAuthentication, "deny");
    assert.deepEqual(r.decidedBy, { kind: "PeerAuthentication", namespace: "istio-system", name: "default" });
    // No Service the client knows has port 8080 (echo listens on 80): no HTTP outbound listener there,
    // so the plaintext left through the TCP passthrough and the reset reaches curl, not a 503.
    assert.equal(r.observation, "curl exit 56");
  });

  it("a cross-tenant pod-IP call is dropped by the victim's NetworkPolicy first", () => {
    const r = evaluate(http("by-ip", "tenant-a/client", { ip: "10.244.2.10", port: 8080 }));
    assert.equal(r.verdict, "deny");
    assert.equal(r.decidedBy?.kind, "NetworkPolicy");
    assert.equal(r.layers.peerAuthentication, "deny");
  });

  it("a no-sidecar client's cross-tenant call times out at the network layer (curl exit 28)", () => {
    const r = evaluate(http("no-sidecar", "tenant-a/debug", echo("tenant-b")));
    assert.equal(r.verdict, "deny");
    assert.deepEqual(meshLayers(r), { peerAuthentication: "deny", authorization: "deny" });
    assert.equal(r.observation, "curl exit 28");
  });

  it("a no-sidecar client inside its own tenant is reset by STRICT mTLS (curl exit 56)", () => {
    const r = evaluate(http("no-sidecar-same", "tenant-a/debug", echo("tenant-a")));
    assert.equal(r.verdict, "deny");
    assert.equal(r.layers.networkPolicy, "allow");
    assert.equal(r.layers.peerAuthentication, "deny");
    assert.equal(r.decidedBy?.kind, "PeerAuthentication");
    assert.equal(r.observation, "curl exit 56");
  });

  it("a bypass client speaks plaintext although its pod has a sidecar", () => {
    const same = evaluate(http("bypass-same", "tenant-a/bypass", echo("tenant-a"), { client: "bypass" }));
    assert.equal(same.layers.peerAuthentication, "deny");
    assert.equal(same.observation, "curl exit 56");
    const cross = evaluate(http("bypass-cross", "tenant-a/bypass", echo("tenant-b"), { client: "bypass" }));
    assert.equal(cross.decidedBy?.kind, "NetworkPolicy");
    assert.equal(cross.observation, "curl exit 28");
    // The same pod without the override goes through its sidecar (mTLS).
    assert.equal(evaluate(http("sidecar-same", "tenant-a/bypass", echo("tenant-a"))).verdict, "allow");
  });

  it("denies a forged x-tenant-identity header with the mesh DENY, even within the tenant (http 403)", () => {
    const r = evaluate(http("forged", "tenant-a/client", echo("tenant-a"), { headers: { "x-tenant-identity": "tenant-b" } }));
    assert.equal(r.verdict, "deny");
    assert.deepEqual(r.decidedBy, { kind: "AuthorizationPolicy", namespace: "istio-system", name: "deny-forged-identity", rule: 0 });
    assert.equal(r.observation, "http 403 RBAC: access denied");
  });

  it("a PERMISSIVE tenant without NetworkPolicy accepts plaintext, and only authorization stops the stranger", () => {
    const r = evaluate(http("permissive", "tenant-a/debug", echo("tenant-c")));
    assert.equal(r.verdict, "deny");
    assert.equal(r.layers.networkPolicy === "deny", false);
    assert.deepEqual(meshLayers(r), { peerAuthentication: "allow", authorization: "deny" });
    assert.deepEqual(r.decidedBy, { kind: "AuthorizationPolicy", namespace: "istio-system", name: "allow-nothing" });
    assert.equal(r.observation, "http 403 RBAC: access denied");
    const withoutAuthz = createProbeEvaluator(cluster(), { ablate: ["authorization"] })(http("permissive", "tenant-a/debug", echo("tenant-c")));
    assert.equal(withoutAuthz.verdict, "allow");
    assert.equal(withoutAuthz.layers.authorization, "not-applicable");
  });

  it("a sidecar-free destination is reached in plaintext with no mesh layer applying", () => {
    const r = evaluate(http("legacy", "tenant-a/client", echo("legacy")));
    assert.equal(r.verdict, "allow");
    assert.deepEqual(meshLayers(r), { peerAuthentication: "not-applicable", authorization: "not-applicable" });
    assert.equal(r.observation, "http 200");
  });

  it("answers dns ok for DNS to kube-dns over UDP, which no sidecar intercepts", () => {
    const r = evaluate({ id: "dns", from: "tenant-a/client", to: { service: "kube-system/kube-dns", port: 53 }, protocol: "UDP" });
    assert.equal(r.verdict, "allow");
    assert.equal(r.observation, "dns ok");
    assert.deepEqual(meshLayers(r), { peerAuthentication: "not-applicable", authorization: "not-applicable" });
  });

  it("reports a missing Service as unknown with a dns failure, and an empty one by client kind", () => {
    const missing = evaluate(http("missing", "tenant-a/client", { service: "tenant-a/nope", port: 80 }));
    assert.equal(missing.verdict, "unknown");
    assert.equal(missing.observation, "dns failure");
    assert.ok(missing.warnings?.some((w) => w.includes("tenant-a/nope")));
    assert.equal(evaluate(http("empty", "tenant-a/client", { service: "legacy/empty", port: 80 })).observation, "http 503 no healthy upstream");
    assert.equal(evaluate(http("empty", "tenant-a/debug", { service: "legacy/empty", port: 80 })).observation, "curl exit 7");
  });

  it("treats an ablated layer as not-applicable and lets the next layer on the path decide", () => {
    const r = createProbeEvaluator(cluster(), { ablate: ["networkPolicy"] })(http("by-name", "tenant-a/client", echo("tenant-b")));
    assert.equal(r.layers.networkPolicy, "not-applicable");
    assert.equal(r.verdict, "deny");
    assert.equal(r.decidedBy?.kind, "PeerAuthentication");
    assert.equal(r.observation, "http 503 upstream connect error");
  });

  it("with peerAuthentication ablated, mesh default PERMISSIVE lets plaintext reach authorization", () => {
    const r = createProbeEvaluator(cluster(), { ablate: ["peerAuthentication"] })(http("no-sidecar-same", "tenant-a/debug", echo("tenant-a")));
    assert.equal(r.layers.peerAuthentication, "not-applicable");
    assert.equal(r.layers.authorization, "deny");
    assert.equal(r.observation, "http 403 RBAC: access denied");
  });

  it("applies a header DENY to TCP traffic with the header ignored: the mesh-wide rule then resets every TCP call", () => {
    const tcp = (id: string, from: string, to: Probe["to"]): Probe => ({ id, from, to, protocol: "TCP" });
    const same = evaluate(tcp("tcp-same", "tenant-a/client", echo("tenant-a")));
    assert.deepEqual(same.decidedBy, { kind: "AuthorizationPolicy", namespace: "istio-system", name: "deny-forged-identity", rule: 0 });
    assert.equal(same.observation, "tcp reset");
    const withoutHeaderRule = createProbeEvaluator(buildClusterModel(loaded.objects.filter((o) => o.metadata.name !== "deny-forged-identity")));
    assert.equal(withoutHeaderRule(tcp("tcp-same", "tenant-a/client", echo("tenant-a"))).observation, "connected");
    const cross = withoutHeaderRule(tcp("tcp-cross", "tenant-a/client", echo("tenant-c")));
    assert.deepEqual(meshLayers(cross), { peerAuthentication: "allow", authorization: "deny" });
    assert.equal(cross.observation, "tcp reset");
  });

  it("evaluates every workload behind a Service: any allow wins, and a disagreement is a warning", () => {
    const canary = { apiVersion: "v1", kind: "Pod", metadata: { name: "echo-canary", namespace: "tenant-a", labels: { app: "echo", version: "canary" } },
      spec: { serviceAccountName: "echo", containers: [{ name: "main", image: "x", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }] }] } };
    const denyCanary = { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "deny-canary", namespace: "tenant-a" },
      spec: { selector: { matchLabels: { version: "canary" } }, action: "DENY", rules: [{}] } };
    const r = createProbeEvaluator(buildClusterModel([...loaded.objects, canary, denyCanary]))(http("same", "tenant-a/client", echo("tenant-a")));
    assert.equal(r.verdict, "allow");
    assert.ok(r.warnings?.some((w) => w.includes("tenant-a/echo-canary: authz-deny")));
  });

  it("names the probe when its source workload does not exist", () => {
    assert.throws(() => evaluate(http("p-42", "tenant-z/client", echo("tenant-a"))), /probe p-42: source workload "tenant-z\/client" not found/);
  });

  it("evaluateProbes returns one result per probe, in order", () => {
    const probes = [http("one", "tenant-a/client", echo("tenant-a")), http("two", "tenant-a/debug", echo("tenant-b"))];
    assert.deepEqual(evaluateProbes(cluster(), probes).map((r) => r.id), ["one", "two"]);
  });
});

describe("observation table", () => {
  it("maps each outcome and client kind to what the client sees", () => {
    const seen = (outcome: Parameters<typeof observationFor>[0]["outcome"], client: "sidecar" | "no-sidecar" | "bypass", protocol: "HTTP" | "TCP" = "HTTP", serverParsesHttp = true) =>
      observationFor({ outcome, client, protocol, serverParsesHttp });
    assert.equal(seen("network-deny", "sidecar"), "http 503 upstream connect error");
    assert.equal(seen("network-deny", "bypass"), "curl exit 28");
    assert.equal(seen("mtls-reject", "no-sidecar"), "curl exit 56");
    assert.equal(seen("authz-deny", "sidecar", "TCP", false), "tcp reset");
    assert.equal(seen("authz-deny", "sidecar", "HTTP", false), "curl exit 56");
    assert.equal(seen("allow", "no-sidecar", "TCP"), "connected");
  });

  it("refuses a probe whose client claims a sidecar (or a bypass of one) on a pod that has none: an input error, not a prediction", () => {
    assert.throws(() => evaluate(http("claims", "legacy/echo", echo("tenant-a"), { client: "sidecar" })), (e: unknown) => e instanceof ProbeInputError && /client "sidecar" needs a sidecar, but legacy\/echo has none/.test((e as Error).message));
    assert.throws(() => evaluate(http("claims", "legacy/echo", echo("tenant-a"), { client: "bypass" })), ProbeInputError);
    assert.throws(() => evaluate(http("ghost", "nowhere/none", echo("tenant-a"))), ProbeInputError);
    assert.doesNotThrow(() => evaluate(http("honest", "legacy/echo", echo("tenant-a"), { client: "no-sidecar" })));
  });

  it("predicts a DNS failure (curl exit 6) for a by-name probe whose client cannot reach the cluster DNS, and a timeout by IP", () => {
    const dnsService = { apiVersion: "v1", kind: "Service", metadata: { name: "kube-dns", namespace: "kube-system" }, spec: { selector: { "k8s-app": "kube-dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }] } };
    const echoService = { apiVersion: "v1", kind: "Service", metadata: { name: "echo", namespace: "b" }, spec: { clusterIP: "10.96.1.1", selector: { app: "echo" }, ports: [{ port: 80, targetPort: 8080 }] } };
    const objects = [
      namespace("kube-system"), namespace("a"), namespace("b"),
      pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, { ports: [{ containerPort: 53, protocol: "UDP" }] }),
      pod("a", "client", {}), pod("b", "echo", { app: "echo" }, { ports: [{ containerPort: 8080 }] }),
      dnsService, echoService,
      // a: egress only to b (no DNS); b admits a.
      networkPolicy("a", "egress-to-b-only", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "b" } } }] }] }),
    ];
    const m = buildClusterModel(objects);
    const byName = createProbeEvaluator(m)({ id: "n", from: "a/client", to: { service: "b/echo", port: 80 }, protocol: "HTTP" });
    assert.equal(byName.verdict, "deny");
    assert.equal(byName.observation, "dns failure");
    assert.deepEqual(byName.decidedBy, { kind: "NetworkPolicy", namespace: "a", name: "egress-to-b-only" });
    const byIp = createProbeEvaluator(m)({ id: "i", from: "a/client", to: { ip: "10.96.1.1", port: 80 }, protocol: "HTTP" });
    assert.equal(byIp.verdict, "allow", "the connection itself is allowed: only the lookup fails");
    // With DNS allowed, the same name resolves and the call goes through.
    const open = buildClusterModel([...objects, networkPolicy("a", "dns", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] })]);
    assert.equal(createProbeEvaluator(open)({ id: "n", from: "a/client", to: { service: "b/echo", port: 80 }, protocol: "HTTP" }).observation, "http 200");
  });

  it("judges TCP to cluster DNS as a connection, after the name lookup over UDP: connected, or a DNS failure when UDP is closed", () => {
    const dnsService = { apiVersion: "v1", kind: "Service", metadata: { name: "kube-dns", namespace: "kube-system" }, spec: { selector: { "k8s-app": "kube-dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }] } };
    const coredns = pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, { ports: [{ containerPort: 53, protocol: "UDP" }, { containerPort: 53, protocol: "TCP" }] });
    const base = [namespace("kube-system"), namespace("a"), pod("a", "client", {}), coredns, dnsService];
    const tcpDns: Probe = { id: "tcp-dns", from: "a/client", to: { service: "kube-system/kube-dns", port: 53 }, protocol: "TCP", client: "no-sidecar" };
    const udpDns: Probe = { ...tcpDns, id: "udp-dns", protocol: "UDP" };
    const open = createProbeEvaluator(buildClusterModel(base));
    assert.equal(open(tcpDns).observation, "connected");
    assert.equal(open(udpDns).observation, "dns ok");
    const tcpOnly = createProbeEvaluator(buildClusterModel([...base, networkPolicy("a", "tcp-dns-only", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53, protocol: "TCP" }] }] })]));
    assert.equal(tcpOnly(udpDns).observation, "dns failure");
    assert.equal(tcpOnly(tcpDns).observation, "dns failure", "the name is looked up over UDP before the TCP connection");
    const udpOnly = createProbeEvaluator(buildClusterModel([...base, networkPolicy("a", "udp-dns-only", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] })]));
    assert.equal(udpOnly(tcpDns).observation, "curl exit 28");
  });
});
