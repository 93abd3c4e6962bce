import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { Calico, calicoApiServer } from "../../../components/pulumi/Calico";
import { checkPlatformConfig, validatePlatformConfig } from "../../../components/spec";
import { syntheticConfig } from "../../fixtures/platform";
import { HELM_RELEASE_TIMEOUT_SECONDS } from "../../../components/pulumi/release";
import { Graph, recordGraph, settled } from "./mock-graph";

describe("Calico component", function () {
  it("refuses Calico releases before v3.32.1, whose API server fails server-side-apply creates of tiered policies", () => {
    for (const calico of ["v3.31.3", "v3.32.0"]) {
      const { problems } = checkPlatformConfig(syntheticConfig(1, { versions: { calico } }));
      assert.deepEqual(problems.map((p) => p.field), ["versions.calico"], calico);
      assert.match(problems[0].message, /older than v3\.32\.1.*server-side-apply.*NotFound.*calico#12841/);
      assert.match(problems[0].fix, /pin v3\.32\.1 or later/);
    }
    for (const calico of ["v3.32.1", "v3.32.2", "v3.33.0"]) assert.deepEqual(checkPlatformConfig(syntheticConfig(1, { versions: { calico } })).problems, [], calico);
    const notInstalled = checkPlatformConfig(syntheticConfig(1, { versions: { calico: "v3.31.3" }, install: { calico: false, certManager: true, istio: true, ingressGateway: false } }));
    assert.deepEqual(notInstalled.problems, [], "a cluster that brings its own Calico is not held to the pin");
  });

  it("waits for the API server to report Ready before dependents proceed", () => {
    assert.equal(calicoApiServer().metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.state}=Ready");
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
