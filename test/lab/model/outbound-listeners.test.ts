import { strict as assert } from "node:assert";
import type { K8sObject } from "../../../components/k8s/object";
import { buildClusterModel } from "../../../lab/model/cluster";
import { evaluateProbes } from "../../../lab/model/probe";

function namespace(name: string): K8sObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "istio-injection": "enabled" } } };
}

function deployment(ns: string, app: string, port: number): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app, namespace: ns },
    spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: app, ports: [{ containerPort: port }] }] } } },
  };
}

function service(ns: string, name: string, ports: { name: string; port: number }[]): K8sObject {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: ports.map((p) => ({ ...p, targetPort: p.port, protocol: "TCP" })) } };
}

/**
 * Namespace a: a meshed client scoped by a Sidecar to its own namespace, and a local HTTP service on
 * 8080. Namespace b: a STRICT server with an HTTP port 8080 and a TCP port 9000. The client knows
 * nothing in b, so it sends plaintext, and the server resets it.
 */
const objects: K8sObject[] = [
  namespace("a"),
  namespace("b"),
  deployment("a", "client", 1),
  deployment("a", "local", 8080),
  service("a", "local", [{ name: "http", port: 8080 }]),
  deployment("b", "server", 8080),
  service("b", "server", [
    { name: "http", port: 8080 },
    { name: "tcp-data", port: 9000 },
  ]),
  { apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: { name: "default", namespace: "a" }, spec: { egress: [{ hosts: ["./*"] }] } },
  { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } },
];

describe("a sidecar client's view of a plaintext reset, by port", () => {
  const model = buildClusterModel(objects);
  const probe = (port: number) => evaluateProbes(model, [{ id: `p${port}`, from: "a/client", to: { service: "b/server", port }, protocol: "HTTP", client: "sidecar" }])[0];

  it("answers 503 from the client's own Envoy on a port where it has an HTTP outbound listener", () => {
    const r = probe(8080);
    assert.equal(r.layers.peerAuthentication, "deny");
    assert.equal(r.observation, "http 503 upstream connect error");
  });

  it("resets the connection (TCP passthrough) on a port without one: no 503", () => {
    const r = probe(9000);
    assert.equal(r.layers.peerAuthentication, "deny");
    assert.equal(r.observation, "curl exit 56");
  });
});
