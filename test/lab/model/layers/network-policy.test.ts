import assert from "node:assert/strict";
import { networkPolicyLayer } from "../../../../lab/model/layers/network-policy";
import type { ClusterModel } from "../../../../lab/model/types";
import { connection, model, namespace, networkPolicy, pod } from "../fixtures";

const HTTP = [{ name: "http", containerPort: 8080 }];

function base(...policies: ReturnType<typeof networkPolicy>[]): ClusterModel {
  return model([
    namespace("a", { team: "a", env: "prod" }),
    namespace("b", { team: "b", env: "prod" }),
    namespace("c", { team: "c", env: "dev" }),
    pod("a", "web", { app: "web" }, { ports: HTTP, ips: ["10.244.1.10"] }),
    pod("a", "db", { app: "db" }, { ports: [{ name: "pg", containerPort: 5432 }] }),
    pod("b", "web", { app: "web" }, { ports: HTTP, ips: ["10.244.2.10"] }),
    pod("b", "api", { app: "api" }, { ports: [{ name: "http", containerPort: 9090 }] }),
    pod("c", "web", { app: "web" }, { ports: HTTP }),
    ...policies,
  ]);
}

function verdict(m: ClusterModel, from: string, to: string, port: number, protocol: "TCP" | "UDP" | "SCTP" = "TCP"): string {
  return networkPolicyLayer(m).evaluate(connection(m, from, to, port, protocol)).verdict;
}

describe("networkPolicy layer", () => {
  it("is not applicable when no NetworkPolicy selects either pod", () => {
    assert.equal(verdict(base(), "a/web", "b/web", 8080), "not-applicable");
  });

  it("a tenant namespace denies all ingress that no other policy allows", () => {
    const m = base(networkPolicy("b", "deny", { podSelector: {}, policyTypes: ["Ingress"] }));
    const d = networkPolicyLayer(m).evaluate(connection(m, "a/web", "b/web", 8080));
    assert.equal(d.verdict, "deny");
    assert.deepEqual(d.decidedBy, { kind: "NetworkPolicy", namespace: "b", name: "deny" });
  });

  it("infers policyTypes Ingress only when the policy has no egress rules, so egress stays open", () => {
    const m = base(networkPolicy("a", "ingress-only", { podSelector: {}, ingress: [] }));
    assert.equal(verdict(m, "a/web", "b/web", 8080), "not-applicable");
    assert.equal(verdict(m, "b/web", "a/web", 8080), "deny");
  });

  it("infers policyTypes Ingress and Egress when egress rules are present", () => {
    const m = base(networkPolicy("a", "egress", { podSelector: { matchLabels: { app: "web" } }, egress: [{ to: [{ podSelector: {} }] }] }));
    assert.equal(verdict(m, "a/web", "b/web", 8080), "deny");
    assert.equal(verdict(m, "a/web", "a/db", 5432), "allow");
    assert.equal(verdict(m, "a/db", "a/web", 8080), "deny");
  });

  it("requires both the source's egress and the destination's ingress to allow", () => {
    const m = base(
      networkPolicy("a", "egress-deny", { podSelector: {}, policyTypes: ["Egress"] }),
      networkPolicy("b", "allow-all-in", { podSelector: {}, ingress: [{}] }),
    );
    assert.equal(verdict(m, "a/web", "b/web", 8080), "deny");
    assert.equal(verdict(m, "c/web", "b/web", 8080), "allow");
  });

  it("allows everything with an empty ingress rule `ingress: [{}]`", () => {
    const m = base(networkPolicy("b", "all", { podSelector: {}, ingress: [{}] }));
    assert.equal(verdict(m, "10.0.0.1", "b/web", 1234, "UDP"), "allow");
  });

  it("takes the union of every policy that selects the pod", () => {
    const m = base(
      networkPolicy("b", "from-a", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }] }),
      networkPolicy("b", "from-c", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "c" } } }] }] }),
    );
    assert.equal(verdict(m, "a/web", "b/web", 8080), "allow");
    assert.equal(verdict(m, "c/web", "b/web", 8080), "allow");
  });

  it("reads a lone podSelector peer as pods of the policy's own namespace", () => {
    const m = base(networkPolicy("b", "web", { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] }));
    assert.equal(verdict(m, "a/web", "b/api", 9090), "deny");
    assert.equal(verdict(m, "b/web", "b/api", 9090), "allow");
  });

  it("reads a lone namespaceSelector peer as every pod of the matching namespaces", () => {
    const m = base(networkPolicy("b", "prod", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: "prod" } } }] }] }));
    assert.equal(verdict(m, "a/db", "b/api", 9090), "allow");
    assert.equal(verdict(m, "c/web", "b/api", 9090), "deny");
  });

  it("ANDs podSelector and namespaceSelector in one peer but ORs them in two peers", () => {
    const one = base(networkPolicy("b", "and", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } }, podSelector: { matchLabels: { app: "web" } } }] }] }));
    assert.equal(verdict(one, "a/web", "b/api", 9090), "allow");
    assert.equal(verdict(one, "a/db", "b/api", 9090), "deny");
    assert.equal(verdict(one, "b/web", "b/api", 9090), "deny");
    const two = base(networkPolicy("b", "or", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }, { podSelector: { matchLabels: { app: "web" } } }] }] }));
    assert.equal(verdict(two, "a/db", "b/api", 9090), "allow");
    assert.equal(verdict(two, "b/web", "b/api", 9090), "allow");
    assert.equal(verdict(two, "c/web", "b/api", 9090), "deny");
  });

  it("treats an empty namespaceSelector as all namespaces and an absent one as the policy's namespace", () => {
    const empty = base(networkPolicy("b", "any-web", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "web" } } }] }] }));
    assert.equal(verdict(empty, "c/web", "b/api", 9090), "allow");
    const absent = base(networkPolicy("b", "own-web", { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] }));
    assert.equal(verdict(absent, "c/web", "b/api", 9090), "deny");
  });

  it("selects pods with matchExpressions In, NotIn, Exists and DoesNotExist", () => {
    const expr = (operator: string, values?: string[]) =>
      base(networkPolicy("b", "expr", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "team", operator, ...(values ? { values } : {}) }] } }] }] }));
    assert.equal(verdict(expr("In", ["a", "c"]), "a/web", "b/api", 9090), "allow");
    assert.equal(verdict(expr("In", ["c"]), "a/web", "b/api", 9090), "deny");
    assert.equal(verdict(expr("NotIn", ["a"]), "a/web", "b/api", 9090), "deny");
    assert.equal(verdict(expr("NotIn", ["a"]), "c/web", "b/api", 9090), "allow");
    assert.equal(verdict(expr("Exists"), "c/web", "b/api", 9090), "allow");
    assert.equal(verdict(expr("DoesNotExist"), "c/web", "b/api", 9090), "deny");
  });

  it("resolves a named port on the destination pod, for ingress and for egress", () => {
    const m = base(
      networkPolicy("a", "egress-http", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: "http" }] }] }),
      networkPolicy("b", "ingress-http", { podSelector: {}, ingress: [{ ports: [{ port: "http" }] }] }),
    );
    // b/api names 9090 "http"; a/web's own "http" is 8080 and must not matter.
    assert.equal(verdict(m, "a/web", "b/api", 9090), "allow");
    assert.equal(verdict(m, "a/web", "b/api", 8080), "deny");
    assert.equal(verdict(m, "a/web", "b/web", 8080), "allow");
  });

  it("allows a port range with endPort, inclusive, and defaults the protocol to TCP", () => {
    const m = base(networkPolicy("b", "range", { podSelector: {}, ingress: [{ ports: [{ port: 9000, endPort: 9100 }] }] }));
    assert.equal(verdict(m, "a/web", "b/api", 9000), "allow");
    assert.equal(verdict(m, "a/web", "b/api", 9100), "allow");
    assert.equal(verdict(m, "a/web", "b/api", 9101), "deny");
    assert.equal(verdict(m, "a/web", "b/api", 9090, "UDP"), "deny");
  });

  it("matches UDP and SCTP ports only on their own protocol", () => {
    const m = base(networkPolicy("b", "udp", { podSelector: {}, ingress: [{ ports: [{ protocol: "UDP", port: 53 }, { protocol: "SCTP", port: 3868 }] }] }));
    assert.equal(verdict(m, "a/web", "b/api", 53, "UDP"), "allow");
    assert.equal(verdict(m, "a/web", "b/api", 53, "TCP"), "deny");
    assert.equal(verdict(m, "a/web", "b/api", 3868, "SCTP"), "allow");
  });

  it("matches ipBlock with except against external addresses and known pod IPs", () => {
    const m = base(networkPolicy("b", "ip", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.244.2.0/24"] } }] }] }));
    assert.equal(verdict(m, "10.1.2.3", "b/api", 9090), "allow");
    assert.equal(verdict(m, "192.168.1.1", "b/api", 9090), "deny");
    assert.equal(verdict(m, "a/web", "b/api", 9090), "allow"); // pod IP 10.244.1.10
    assert.equal(verdict(m, "b/web", "b/api", 9090), "deny"); // pod IP 10.244.2.10 is excepted
    assert.equal(verdict(m, "c/web", "b/api", 9090), "deny"); // pod IP unknown: a /8 cannot be decided
  });

  it("lets an egress ipBlock 0.0.0.0/0 reach pods whose IPs are unknown", () => {
    const m = base(networkPolicy("c", "world", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }));
    assert.equal(verdict(m, "c/web", "b/api", 9090), "allow");
  });

  it("reports a malformed policy as a warning and ignores it", () => {
    const m = base(networkPolicy("b", "bad", { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] }));
    assert.equal(verdict(m, "a/web", "b/api", 9090), "not-applicable");
    assert.ok(m.warnings.some((w) => w.includes("NetworkPolicy b/bad") && w.includes("1 to 65535")));
  });
});
