import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { SKIP_AWAIT_ANNOTATION, skipRuntimeWaits, waitsForRuntime, withoutRuntimeWait } from "../../../components/pulumi/await";
import { meshCaObjects } from "../../../components/pulumi/MeshCertificateAuthority";
import type { K8sObject } from "../../../components/k8s/object";

const deployment: K8sObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "echo", namespace: "tenant-acme", labels: { app: "echo" } }, spec: {} };
const namespace: K8sObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "tenant-acme" } };

function transformArgs(type: string, props: Record<string, unknown>, custom = true): pulumi.ResourceTransformArgs {
  return { custom, type, name: "n", props, opts: {} } as pulumi.ResourceTransformArgs;
}

describe("readiness waits that need running pods or controllers (components/pulumi/await.ts)", () => {
  it("marks workloads, Services and objects with pulumi.com/waitFor (the mesh CA) as waiting on the runtime", () => {
    assert.equal(waitsForRuntime(deployment), true);
    assert.equal(waitsForRuntime({ ...deployment, kind: "Service" }), true);
    for (const object of Object.values(meshCaObjects({ cluster: { name: "c" } as never, meshNamespace: "istio-system" }))) assert.equal(waitsForRuntime(object), true, object.metadata.name);
    assert.equal(waitsForRuntime(namespace), false);
    const policy: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny" } };
    assert.equal(waitsForRuntime(policy), false);
  });

  it("adds pulumi.com/skipAwait without touching the rest of the object or the input", () => {
    const skipped = withoutRuntimeWait(deployment);
    assert.equal(skipped.metadata.annotations?.[SKIP_AWAIT_ANNOTATION], "true");
    assert.deepEqual(skipped.metadata.labels, { app: "echo" });
    assert.equal(deployment.metadata.annotations, undefined);
    assert.equal(withoutRuntimeWait(namespace), namespace);
  });

  it("as a transform, changes Kubernetes objects only: providers, components and Helm releases pass", async () => {
    const changed = await skipRuntimeWaits(transformArgs("kubernetes:apps/v1:Deployment", { ...deployment }));
    assert.equal((changed?.props.metadata as K8sObject["metadata"]).annotations?.[SKIP_AWAIT_ANNOTATION], "true");
    assert.equal(await skipRuntimeWaits(transformArgs("kubernetes:core/v1:Namespace", { ...namespace })), undefined);
    assert.equal(await skipRuntimeWaits(transformArgs("pulumi:providers:kubernetes", { context: "x" })), undefined);
    assert.equal(await skipRuntimeWaits(transformArgs("hard-tenancy:tenancy:Tenant", {}, false)), undefined);
    assert.equal(await skipRuntimeWaits(transformArgs("kubernetes:helm.sh/v3:Release", { chart: "istiod", kind: "x", metadata: {} })), undefined);
  });
});
