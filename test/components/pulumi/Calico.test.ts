import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { Calico, calicoApiServer, calicoNeedsCrdChart } from "../../../components/pulumi/Calico";
import { validatePlatformConfig } from "../../../components/spec";
import { syntheticConfig } from "../../fixtures/platform";
import { HELM_RELEASE_TIMEOUT_SECONDS } from "../../../components/pulumi/release";
import { Graph, recordGraph, settled } from "./mock-graph";

describe("Calico component", function () {
  it("needs the separate CRD chart from Calico 3.32 on, and rejects a malformed version", () => {
    assert.equal(calicoNeedsCrdChart("v3.31.3"), false);
    assert.equal(calicoNeedsCrdChart("v3.32.2"), true);
    assert.equal(calicoNeedsCrdChart("v3.33.0"), true);
    assert.throws(() => calicoNeedsCrdChart("latest"), /versions\.calico: "latest".*v3\.32\.2/);
  });

  it("waits for the API server to report Ready before dependents proceed", () => {
    assert.equal(calicoApiServer().metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.state}=Ready");
  });

  it("for a pre-3.32 release installs no CRD chart and lets the operator chart bring its CRDs", async () => {
    const registrations = recordGraph();
    const spec = validatePlatformConfig(syntheticConfig(1, { versions: { calico: "v3.31.3" } }));
    const provider = new k8s.Provider("k8s", {});
    new Calico("calico", { spec, provider });
    await settled();
    const graph = new Graph(registrations);
    assert.equal(graph.ofType("kubernetes:helm.sh/v4:Chart").length, 0);
    const operator = graph.byName("kubernetes:helm.sh/v3:Release", "calico-tigera-operator");
    assert.equal(operator.inputs.skipCrds, false);
    assert.deepEqual(operator.inputs.values, { installation: { enabled: false }, apiServer: { enabled: false } });
  });

  it("installs the operator chart from the configured repo and version, into its own namespace, with a first-run timeout", async () => {
    const registrations = recordGraph();
    const spec = validatePlatformConfig(syntheticConfig(1, { versions: { calico: "v3.33.1", repos: { calico: "https://charts.example/calico" } } }));
    new Calico("calico", { spec, provider: new k8s.Provider("k8s", {}) });
    await settled();
    const graph = new Graph(registrations);
    const operator = graph.byName("kubernetes:helm.sh/v3:Release", "calico-tigera-operator");
    const crds = graph.byName("kubernetes:helm.sh/v4:Chart", "calico-crds");
    assert.equal(crds.inputs.chart, "crd.projectcalico.org.v1");
    for (const release of [operator, crds]) {
      assert.equal(release.inputs.version, "v3.33.1", release.name);
      assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://charts.example/calico" }, release.name);
    }
    assert.equal(operator.inputs.chart, "tigera-operator");
    assert.equal(operator.inputs.namespace, "tigera-operator");
    assert.equal(operator.inputs.createNamespace, true);
    assert.equal(operator.inputs.skipCrds, true);
    assert.equal(operator.inputs.timeout, HELM_RELEASE_TIMEOUT_SECONDS);
    assert.notEqual(operator.inputs.skipAwait, true);
  });
});
