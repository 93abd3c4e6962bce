import assert from "node:assert/strict";
import type { K8sObject } from "../../../components/k8s/object";
import { certManagerChartValues, MESH_CA_NAMES, meshCaObjects } from "../../../components/pulumi/MeshCertificateAuthority";
import { validatePlatformConfig } from "../../../components/spec";
import { syntheticConfig } from "../../fixtures/platform";

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
    assert.equal((specOf(objects.intermediate).issuerRef as { name: string }).name, MESH_CA_NAMES.rootIssuer);
    assert.equal((specOf(objects.root).issuerRef as { name: string }).name, MESH_CA_NAMES.selfSignedIssuer);
    assert.deepEqual(specOf(objects.rootIssuer).ca, { secretName: specOf(objects.root).secretName });
  });

  it("keeps the root key out of the mesh namespace", () => {
    assert.equal(objects.root.metadata.namespace, "cert-manager");
  });

  it("makes the root and the intermediate CA certificates with a fixed root key and a rotating intermediate key", () => {
    assert.equal(specOf(objects.root).isCA, true);
    assert.deepEqual(specOf(objects.root).privateKey, { algorithm: "RSA", size: 4096, rotationPolicy: "Never" });
    assert.deepEqual(specOf(objects.intermediate).privateKey, { algorithm: "RSA", size: 2048, rotationPolicy: "Always" });
    assert.equal(specOf(objects.root).duration, "87600h");
    assert.equal(specOf(objects.intermediate).duration, "8760h");
  });

  it("turns on cert-manager's CRDs with the chart's `crds.enabled`, not the deprecated `installCRDs`", () => {
    const values = certManagerChartValues();
    assert.deepEqual(values.crds, { enabled: true, keep: true });
    assert.equal("installCRDs" in values, false);
  });
});
