import { strict as assert } from "node:assert";
import { buildClusterModel } from "../../../lab/model/cluster";
import { MESH_LAYERS, meshFreeModel, NO_MESH_REASON, sidecarFreeProbe } from "../../../lab/model/mesh";
import { OBSERVATIONS } from "../../../lab/model/observation";
import { platformObjects, predictCatalogue, predictL34Catalogue, verifyPlatform } from "../../../lab/model/platform";
import { formatVerdictTable, verdictToJson } from "../../../lab/model/report";
import { l34Catalogue } from "../../../lab/probes/l34-catalogue";
import { evaluateProbes } from "../../../lab/model/probe";
import type { CataloguedProbe, ProbeResult } from "../../../lab/probes/types";
import { labProbeEndpoints } from "../../../lab/workloads/probe-endpoints";
import { labSpec } from "../workloads/lab-spec";

describe("the model without a mesh (mesh: absent)", () => {
  const spec = labSpec();
  const withMesh = predictCatalogue(spec, { endpoints: labProbeEndpoints });
  const noMesh = predictCatalogue(spec, { endpoints: labProbeEndpoints, mesh: "absent" });
  const find = (predictions: typeof noMesh, id: string): { probe: CataloguedProbe; result: ProbeResult } => {
    const found = predictions.find((p) => p.probe.id === id);
    assert.ok(found, `no prediction ${id}`);
    return found;
  };
  const grant = spec.grants[0];

  it("still denies a cross-tenant call by NetworkPolicy and Calico, seen by the client as a timeout", () => {
    const { result } = find(noMesh, "acme->globex/by-name/no-sidecar");
    assert.equal(result.verdict, "deny");
    assert.equal(result.observation, OBSERVATIONS.timeout);
    assert.equal(result.layers.networkPolicy, "deny");
    assert.equal(result.layers.calico, "deny");
    assert.equal(result.decidedBy?.kind, "GlobalNetworkPolicy");
  });

  it("reports peerAuthentication and authorization as absent on every probe, with why, and never evaluates them", () => {
    for (const { probe, result } of noMesh) {
      assert.deepEqual(result.absentLayers, { peerAuthentication: NO_MESH_REASON, authorization: NO_MESH_REASON }, probe.id);
      for (const layer of MESH_LAYERS) assert.equal(result.layers[layer], "not-applicable", `${probe.id}: ${layer}`);
    }
  });

  it("keeps an ablated layer distinct from an absent one: ablation alone reports nothing absent", () => {
    const ablated = predictCatalogue(spec, { endpoints: labProbeEndpoints, ablate: ["peerAuthentication"] });
    assert.ok(ablated.every(({ result }) => result.absentLayers === undefined));
    assert.ok(withMesh.every(({ result }) => result.absentLayers === undefined));
  });

  it("predicts a shared-service path spoof, which only the AuthorizationPolicy stops, as allowed: the echo server answers", () => {
    const id = "acme->globex/log-collector/path-spoof";
    assert.equal(find(withMesh, id).result.verdict, "deny");
    assert.equal(find(withMesh, id).result.observation, OBSERVATIONS.http403);
    const { result } = find(noMesh, id);
    assert.equal(result.verdict, "allow");
    assert.equal(result.observation, OBSERVATIONS.http200);
  });

  it("predicts a grant used beyond its path as allowed: only L7 tells the paths apart", () => {
    const id = `globex->acme/grant/${grant.id}/beyond-path`;
    assert.equal(find(withMesh, id).result.verdict, "deny");
    assert.equal(find(noMesh, id).result.verdict, "allow");
    assert.equal(find(noMesh, id).result.observation, OBSERVATIONS.http200);
  });

  it("predicts the sidecar-free grant source, which only STRICT mTLS stops, as allowed", () => {
    const id = `globex->acme/grant/${grant.id}/beyond-source-no-sidecar`;
    assert.equal(find(withMesh, id).result.observation, OBSERVATIONS.reset);
    assert.equal(find(noMesh, id).result.verdict, "allow");
  });

  it("sends a meshed client's probe without its Envoy: a network deny is a timeout, never the Envoy's 503", () => {
    const id = "acme->globex/by-name/sidecar";
    // A client that outwaits Istio's 10 s connectTimeout would get its Envoy's 503 with the mesh.
    const patient = predictCatalogue(spec, { endpoints: labProbeEndpoints, clientTimeoutSeconds: 15 });
    assert.equal(find(patient, id).result.observation, OBSERVATIONS.http503Connect);
    assert.equal(find(predictCatalogue(spec, { endpoints: labProbeEndpoints, mesh: "absent", clientTimeoutSeconds: 15 }), id).result.observation, OBSERVATIONS.timeout);
    assert.equal(find(noMesh, id).result.observation, OBSERVATIONS.timeout);
  });

  it("predicts only what L3/4 can show: a timeout, a refusal, the echo server's 200 or a DNS answer", () => {
    const l34 = new Set<string>([OBSERVATIONS.http200, OBSERVATIONS.timeout, OBSERVATIONS.refused, OBSERVATIONS.dnsOk, OBSERVATIONS.dnsFailure, OBSERVATIONS.connected]);
    const seen = new Set(noMesh.map(({ result }) => result.observation));
    for (const observation of seen) assert.ok(l34.has(observation), `unexpected observation without a mesh: ${observation}`);
    assert.ok(seen.has(OBSERVATIONS.timeout) && seen.has(OBSERVATIONS.http200) && seen.has(OBSERVATIONS.dnsOk));
  });

  it("keeps the positive controls working without a mesh", () => {
    const failed = noMesh.filter(({ probe, result }) => probe.intent === "allow" && result.verdict !== "allow").map(({ probe }) => probe.id);
    assert.deepEqual(failed, []);
  });

  it("verifies the platform without a mesh on the L3/4-observable probes, saying so: the mesh layers absent, not ablated, not active", () => {
    const verdict = verifyPlatform(spec, { endpoints: labProbeEndpoints, mesh: "absent" });
    assert.deepEqual(verdict.absent, { layers: ["peerAuthentication", "authorization"], reason: NO_MESH_REASON });
    assert.deepEqual(verdict.ablated, []);
    assert.deepEqual(verdict.activeLayers, ["networkPolicy", "calico", "clusterNetworkPolicy"]);
    assert.deepEqual(verdict.outcomes.map((o) => o.probe.id), l34Catalogue(spec).probes.map((p) => p.id));
    // What only the mesh stops is predicted to get through: the granted echo port, dialled by pod IP.
    assert.deepEqual(verdict.violations.map((o) => o.probe.id), ["globex->acme/pod-direct/no-sidecar"]);
    assert.deepEqual(verdict.positiveControlFailures, []);
    const table = formatVerdictTable(verdict, "lab (local)");
    assert.match(table, /MESH ABSENT \(no mesh on this backend\): peerAuthentication and authorization are not present/);
    assert.match(table, /P peerAuthentication \(absent: no mesh on this backend\)/);
    assert.deepEqual((verdictToJson(verdict).absent as { layers: string[] }).layers, ["peerAuthentication", "authorization"]);
  });

  it("predicts the L3/4-observable catalogue without a mesh, and lists the rest as not run", () => {
    const { predictions, notRun } = predictL34Catalogue(spec, { endpoints: labProbeEndpoints });
    assert.deepEqual(predictions.map((p) => p.probe.id), l34Catalogue(spec).probes.map((p) => p.id));
    assert.ok(predictions.every((p) => p.result.absentLayers?.peerAuthentication === NO_MESH_REASON));
    assert.equal(notRun.length, l34Catalogue(spec).notRun.length);
    const webhook = predictions.find((p) => p.probe.id === `acme->${spec.meshNamespace}/istiod/15017`);
    assert.equal(webhook?.result.verdict, "deny");
    assert.equal(webhook?.result.observation, OBSERVATIONS.timeout);
    assert.equal(predictions.find((p) => p.probe.id === `acme->${spec.meshNamespace}/istiod/15012`)?.result.observation, OBSERVATIONS.connected);
    assert.equal(predictions.find((p) => p.probe.id === "acme->kube-system/kube-dns/tcp")?.result.observation, OBSERVATIONS.connected);
  });

  it("evaluates a sidecar client on a mesh-free model like evaluateProbes with mesh absent", () => {
    const model = buildClusterModel(platformObjects(spec, labProbeEndpoints));
    const probe = find(noMesh, "acme->acme/by-name/sidecar").probe;
    const [direct] = evaluateProbes(meshFreeModel(model), [sidecarFreeProbe(probe)], { ablate: [...MESH_LAYERS] });
    const [absent] = evaluateProbes(model, [probe], { mesh: "absent" });
    assert.deepEqual({ ...absent, absentLayers: undefined }, { ...direct, absentLayers: undefined });
    assert.equal(meshFreeModel(model).workloads.filter((w) => w.sidecar).length, 0);
    assert.ok(model.workloads.some((w) => w.sidecar), "the model itself is left as it was");
  });
});
