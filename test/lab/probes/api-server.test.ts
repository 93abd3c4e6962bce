import { strict as assert } from "node:assert";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { apiServerProbes, endpointAddress } from "../../../lab/probes/api-server";
import { buildProbeCatalogue } from "../../../lab/probes/catalogue";
import { verifyPlatform } from "../../../lab/model/platform";
import { labConfig } from "../../fixtures/platform";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";

describe("API-server probes", () => {
  const lab = validatePlatformConfig(labConfig());

  it("every tenant's sidecar-free debug pod probes each post-DNAT API endpoint, as an attack when the tenant has no apiServerAccess", () => {
    const acme = buildProbeCatalogue(lab).filter((p) => p.category === "api-server" && p.attacker === "acme");
    assert.deepEqual(
      acme.map((p) => [p.id, p.from, p.to, p.client, p.intent]),
      [["acme->kube-apiserver/debug", "tenant-acme/debug", { ip: "172.18.0.1", port: 6443 }, "no-sidecar", "deny"]],
    );
  });

  it("picks an address inside each endpoint CIDR: the host itself for /32 and /128", () => {
    assert.equal(endpointAddress("10.0.0.10/32"), "10.0.0.10");
    assert.equal(endpointAddress("172.18.0.0/16"), "172.18.0.1");
    assert.equal(endpointAddress("fd00::5/128"), "fd00::5");
    const multi = validatePlatformConfig({ ...labConfig(), cluster: { ...labConfig().cluster, apiServerEndpoints: [{ cidr: "10.0.0.10/32", port: 6443 }, { cidr: "10.0.0.11/32", port: 443 }] } });
    assert.deepEqual(apiServerProbes(multi, multi.tenants[0]).map((p) => [p.id, p.to]), [
      ["acme->kube-apiserver/debug/0", { ip: "10.0.0.10", port: 6443 }],
      ["acme->kube-apiserver/debug/1", { ip: "10.0.0.11", port: 443 }],
    ]);
  });

  it("the model blocks a tenant without apiServerAccess at NetworkPolicy and Calico both (two layers), and lets a tenant with it through", () => {
    const tenants = [{ name: "acme", apiServerAccess: true }, { name: "globex" }, { name: "initech" }];
    const spec = validatePlatformConfig({ ...labConfig(), tenants });
    const verdict = verifyPlatform(spec, { grouping: false, endpoints: labProbeEndpoints });
    const probe = (id: string) => verdict.outcomes.find((o) => o.probe.id === id);
    const globex = probe("globex->kube-apiserver/debug");
    assert.equal(globex?.result.verdict, "deny");
    assert.equal(globex?.result.observation, "curl exit 28");
    assert.deepEqual(globex?.defense?.blockingLayers, ["networkPolicy", "calico"]);
    assert.equal(globex?.defense?.required, 2);
    const acme = probe("acme->kube-apiserver/debug");
    assert.equal(acme?.probe.intent, "allow");
    assert.equal(acme?.result.verdict, "allow");
    assert.deepEqual(verdict.violations, []);
    assert.deepEqual(verdict.positiveControlFailures, []);
  });
});
