import assert from "node:assert/strict";
import { join } from "node:path";
import { buildClusterModel } from "../../../lab/model/cluster";
import { loadManifestDir } from "../../../lab/model/load";
import { connectionMatrix } from "../../../lab/model/matrix";
import { model, namespace, networkPolicy, pod, policy } from "./fixtures";

describe("connection matrix", () => {
  it("merges adjacent port ranges and lists only pairs that allow something", () => {
    const m = buildClusterModel(loadManifestDir(join(__dirname, "../../fixtures/manifests/basic")).objects);
    const matrix = connectionMatrix(m);
    const into = matrix.connections.filter((c) => c.to.namespace === "tenant-b");
    assert.deepEqual(into.map((c) => [c.from.name, c.allowed]), [
      ["echo", { TCP: [[5432, 5432], [6000, 6011]] }],
      ["debug", { TCP: [[5432, 5432], [6000, 6011]] }],
    ]);
    // tenant-b is default-deny for egress: nothing leaves it.
    assert.equal(matrix.connections.filter((c) => c.from.namespace === "tenant-b").length, 0);
    assert.equal(matrix.workloads.length, 3);
  });

  it("combines the layers with AND, resolves named ports on the destination and honours ablation", () => {
    const m = model([
      namespace("a", { t: "a" }),
      namespace("b", { t: "b" }),
      pod("a", "x", { app: "x" }, { ports: [{ name: "http", containerPort: 80 }] }),
      pod("b", "y", { app: "y" }, { ports: [{ name: "http", containerPort: 81 }] }),
      networkPolicy("b", "in", { podSelector: {}, ingress: [{ ports: [{ port: "http" }, { port: 100, endPort: 102, protocol: "UDP" }] }] }),
      policy("projectcalico.org/v3", "GlobalNetworkPolicy", "deny-101", { selector: "app == 'y'", ingress: [{ action: "Deny", protocol: "UDP", destination: { ports: [101] } }, { action: "Allow" }] }),
    ]);
    const matrix = connectionMatrix(m);
    assert.deepEqual(matrix.connections.find((c) => c.from.name === "x" && c.to.name === "y")?.allowed, { TCP: [[81, 81]], UDP: [[100, 100], [102, 102]] });
    assert.deepEqual(connectionMatrix(m, { ablate: ["calico"] }).connections.find((c) => c.from.name === "x")?.allowed, { TCP: [[81, 81]], UDP: [[100, 102]] });
    assert.deepEqual(connectionMatrix(m, { ablate: ["networkPolicy"] }).connections.find((c) => c.from.name === "x")?.allowed, {
      TCP: [[1, 65535]], UDP: [[1, 100], [102, 65535]], SCTP: [[1, 65535]],
    });
  });
});
