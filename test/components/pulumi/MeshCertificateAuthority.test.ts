import assert from "node:assert/strict";
import type { K8sObject } from "../../../components/k8s/object";
import { MESH_CA_NAMES, meshCaObjects } from "../../../components/pulumi/MeshCertificateAuthority";
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
});
