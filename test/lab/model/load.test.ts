import assert from "node:assert/strict";
import { join } from "node:path";
import { loadManifestDir, parseManifests } from "../../../lab/model/load";

const FIXTURES = join(__dirname, "../../fixtures/manifests");

describe("manifest loading", () => {
  it("reads .yaml, .yml and .json files recursively, multi-document YAML and List items", () => {
    const { objects, warnings } = loadManifestDir(join(FIXTURES, "basic"));
    assert.deepEqual(warnings, []);
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      "Deployment/debug", "Deployment/echo", "Namespace/tenant-a", "Namespace/tenant-b", "NetworkPolicy/default-deny", "NetworkPolicy/from-a", "Pod/echo-7d9f8-abcde", "Service/echo", "StatefulSet/db",
    ]);
  });

  it("reports bad YAML and documents that are not Kubernetes objects as warnings, not a crash", () => {
    const { objects, warnings } = loadManifestDir(join(FIXTURES, "broken"));
    assert.deepEqual(objects.map((o) => o.metadata.name), ["tenant-a", "tenant-b"]);
    assert.equal(warnings.length, 3);
    assert.ok(warnings.some((w) => w.includes("bad.yaml (document 1)") && w.includes("invalid YAML")));
    assert.ok(warnings.some((w) => w.includes("bad.yaml (document 2)") && w.includes("not a Kubernetes object")));
    assert.ok(warnings.some((w) => w.includes("bad.yaml (document 3)") && w.includes("needs apiVersion, kind and metadata.name")));
  });

  it("throws only when nothing usable is left, naming the directory", () => {
    assert.throws(() => loadManifestDir(join(FIXTURES, "empty")), /empty: no usable Kubernetes objects/);
    assert.throws(() => loadManifestDir(join(FIXTURES, "does-not-exist")), /no such directory/);
  });

  it("flattens any *List kind and skips empty documents", () => {
    const text = "---\n---\napiVersion: v1\nkind: ServiceList\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: a}}\n- {apiVersion: v1, kind: Service, metadata: {name: b}}\n";
    const { objects, warnings } = parseManifests(text, "inline");
    assert.deepEqual(objects.map((o) => o.metadata.name), ["a", "b"]);
    assert.deepEqual(warnings, []);
  });
});
