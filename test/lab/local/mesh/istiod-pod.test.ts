import { strict as assert } from "node:assert";
import { join } from "node:path";
import { parse } from "yaml";
import { loadStackSpec } from "../../../../components/spec/stack-config";
import { istiodStandInObjects } from "../../../../lab/local/dataplane/addons";
import { containerProcesses, type PodObject } from "../../../../lab/local/dataplane/pod-spec";
import { ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY } from "../../../../lab/local/mesh/config";
import { istiodPodObjects } from "../../../../lab/local/mesh/istiod-pod";
import { readMeshSettings } from "../../../../lab/model/mesh-config";

const REPO = join(__dirname, "..", "..", "..", "..");
const spec = loadStackSpec({ file: join(REPO, "stacks", "Pulumi.lab.yaml") });
const mesh = { pilotDiscovery: "/cache/mesh/bin/pilot-discovery", envoy: "/cache/mesh/bin/envoy" };

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; data?: Record<string, string> };

describe("the real istiod as a pod of the local dataplane", () => {
  const objects = istiodPodObjects(spec, mesh) as unknown as Obj[];
  const deployment = objects.find((o) => o.kind === "Deployment") as unknown as PodTemplateHolder;
  type PodTemplateHolder = { metadata: { namespace: string }; spec: { template: { metadata: { labels: Record<string, string> }; spec: PodObject["spec"] } } };

  it("keeps the selector labels, namespace and Service ports the platform's istiod allowance and the catalogue expect", () => {
    const standIn = istiodStandInObjects(spec) as unknown as Obj[];
    const service = (list: Obj[]) => list.find((o) => o.kind === "Service")! as unknown as { spec: { selector: Record<string, string>; ports: { port: number; targetPort: number }[] } };
    assert.deepEqual(service(objects).spec.selector, service(standIn).spec.selector);
    for (const port of [15012, 443]) {
      const target = (list: Obj[]) => service(list).spec.ports.find((p) => p.port === port)?.targetPort;
      assert.equal(target(objects), target(standIn), `Service port ${port}`);
    }
    const labels = deployment.spec.template.metadata.labels;
    assert.equal(labels.app, "istiod");
    assert.equal(labels["hard-tenancy.io/stand-in"], undefined, "not marked as a stand-in");
    assert.equal(deployment.metadata.namespace, spec.meshNamespace);
  });

  it("ships the platform's mesh config in the `istio` ConfigMap, which the model reads too", () => {
    const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "istio")!;
    const warnings: string[] = [];
    const settings = readMeshSettings([configMap] as never, warnings);
    assert.deepEqual(warnings, []);
    assert.equal(settings?.trustDomain, spec.cluster.trustDomain);
    assert.equal(settings?.rootNamespace, spec.meshNamespace);
    assert.deepEqual((parse(configMap.data!.mesh) as { defaultProviders: unknown }).defaultProviders, { metrics: [] });
  });

  it("runs pilot-discovery as Istio's chart does (UID 1337, no added capabilities) with the upstream-Envoy flags and its mounted mesh config", () => {
    const pod = { metadata: { name: "istiod-x", namespace: spec.meshNamespace, uid: "u" }, spec: deployment.spec.template.spec } as PodObject;
    const [process] = containerProcesses(pod, "10.244.0.9", "/pods/istiod");
    assert.equal(process.uid, 1337);
    assert.deepEqual(process.addCapabilities, []);
    assert.equal(process.argv[0], mesh.pilotDiscovery);
    assert.equal(process.argv[process.argv.indexOf("--meshConfig") + 1], "/pods/istiod/volumes/config-volume/mesh");
    for (const [name, value] of Object.entries(ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY)) assert.equal(process.env[name], value);
    assert.equal(process.env.POD_NAMESPACE, spec.meshNamespace);
  });
});
