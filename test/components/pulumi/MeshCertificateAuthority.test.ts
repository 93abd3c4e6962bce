import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import type { K8sObject } from "../../../components/k8s/object";
import { certManagerChartValues, MESH_CA_NAMES, MeshCertificateAuthority, meshCaObjects } from "../../../components/pulumi/MeshCertificateAuthority";
import { checkPlatformConfig, validatePlatformConfig } from "../../../components/spec";
import { syntheticConfig } from "../../fixtures/platform";
import { Graph, recordGraph, settled } from "./mock-graph";

describe("MeshCertificateAuthority objects", function () {
  const spec = validatePlatformConfig(syntheticConfig(1, { meshNamespace: "mesh-root" }));
  const objects = meshCaObjects(spec);
  const specOf = (o: K8sObject) => o.spec as Record<string, unknown>;

  it("writes the intermediate CA into istiod's `cacerts` Secret in the mesh namespace", () => {
    assert.equal(objects.intermediate.metadata.namespace, "mesh-root");
    assert.equal(specOf(objects.intermediate).secretName, "cacerts");
    assert.equal(specOf(objects.intermediate).isCA, true);
    assert.ok((specOf(objects.intermediate).usages as string[]).includes("cert sign"));
  });

  it("signs the intermediate with the root CA issuer, and the root with the self-signed issuer", () => {
    assert.deepEqual(specOf(objects.intermediate).issuerRef, { group: "cert-manager.io", kind: "Issuer", name: MESH_CA_NAMES.rootIssuer });
    assert.deepEqual(specOf(objects.root).issuerRef, { group: "cert-manager.io", kind: "Issuer", name: MESH_CA_NAMES.selfSignedIssuer });
    assert.deepEqual(specOf(objects.rootIssuer).ca, { secretName: specOf(objects.root).secretName });
    assert.deepEqual(specOf(objects.selfSignedIssuer), { selfSigned: {} });
  });

  it("uses no ClusterIssuer: every issuer, certificate and the root key live in the mesh namespace only", () => {
    // A ClusterIssuer would sign a Certificate created in any namespace (anyone with `edit` there);
    // an Issuer signs Certificates of its own namespace and reads its CA Secret from there.
    const all = Object.values(objects);
    assert.deepEqual(all.map((o) => o.kind).sort(), ["Certificate", "Certificate", "Issuer", "Issuer"]);
    for (const o of all) assert.equal(o.metadata.namespace, "mesh-root", `${o.kind}/${o.metadata.name}`);
    for (const certificate of [objects.root, objects.intermediate]) {
      assert.equal((specOf(certificate).issuerRef as { kind: string }).kind, "Issuer", certificate.metadata.name);
    }
  });

  it("makes the root and the intermediate CA certificates with a fixed root key and a rotating intermediate key", () => {
    assert.equal(specOf(objects.root).isCA, true);
    assert.deepEqual(specOf(objects.root).privateKey, { algorithm: "RSA", size: 4096, rotationPolicy: "Never" });
    assert.deepEqual(specOf(objects.intermediate).privateKey, { algorithm: "RSA", size: 2048, rotationPolicy: "Always" });
    assert.equal(specOf(objects.root).duration, "87600h");
    assert.equal(specOf(objects.intermediate).duration, "8760h");
  });

  it("never lets the root re-issue itself (renewal.policy Disabled): istiod, multi-root off, would ignore a new root", () => {
    assert.deepEqual(specOf(objects.root).renewal, { policy: "Disabled" });
    assert.equal(specOf(objects.intermediate).renewal, undefined, "the intermediate still renews before it expires");
    assert.equal(specOf(objects.intermediate).renewBefore, "720h");
  });

  it("refuses cert-manager releases before v1.21.1: renewal.policy arrived in v1.21.0, whose controller panics on Disabled", () => {
    for (const certManager of ["v1.20.3", "v1.21.0"]) {
      const { problems } = checkPlatformConfig(syntheticConfig(1, { versions: { certManager } }));
      assert.deepEqual(problems.map((p) => p.field), ["versions.certManager"], certManager);
      assert.match(problems[0].message, /older than v1\.21\.1.*renewal\.policy Disabled.*v1\.21\.0.*cert-manager#9031/);
    }
    assert.deepEqual(checkPlatformConfig(syntheticConfig(1, { versions: { certManager: "v1.21.1" } })).problems, []);
  });

  it("turns on cert-manager's CRDs with the chart's `crds.enabled`, not the deprecated `installCRDs`", () => {
    const values = certManagerChartValues();
    assert.deepEqual(values.crds, { enabled: true, keep: true });
    assert.equal("installCRDs" in values, false);
  });

  it("orders the chain bootstrap issuer → root → CA issuer → intermediate, all after cert-manager and the mesh namespace", async () => {
    const registrations = recordGraph();
    const provider = new k8s.Provider("k8s", {});
    const meshNamespace = new k8s.core.v1.Namespace("mesh", { metadata: { name: spec.meshNamespace } }, { provider });
    new MeshCertificateAuthority("ca", { spec, provider, meshNamespace });
    await settled();
    const graph = new Graph(registrations);
    const namespace = graph.byName("kubernetes:core/v1:Namespace", "mesh");
    const certManager = graph.ofType("kubernetes-cert-manager:index:CertManager")[0];
    const issuer = (name: string) => graph.byName("kubernetes:cert-manager.io/v1:Issuer", `mesh-root/${name}`);
    const certificate = (name: string) => graph.byName("kubernetes:cert-manager.io/v1:Certificate", `mesh-root/${name}`);
    const chain = [issuer(MESH_CA_NAMES.selfSignedIssuer), certificate(MESH_CA_NAMES.rootCertificate), issuer(MESH_CA_NAMES.rootIssuer), certificate(MESH_CA_NAMES.intermediateCertificate)];
    for (const r of chain) {
      assert.ok(graph.dependsOn(r, certManager), `${r.name} waits for cert-manager`);
      assert.ok(graph.dependsOn(r, namespace), `${r.name} waits for the mesh namespace`);
    }
    for (let i = 1; i < chain.length; i++) assert.ok(graph.dependsOn(chain[i], chain[i - 1]), `${chain[i].name} waits for ${chain[i - 1].name}`);
    assert.deepEqual(graph.kind("ClusterIssuer"), []);
  });
});
