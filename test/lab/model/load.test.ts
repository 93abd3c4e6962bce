import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { K8sObject } from "../../../components/k8s/object";
import { buildClusterModel } from "../../../lab/model/cluster";
import { loadManifestDir, parseManifests } from "../../../lab/model/load";
import { connectionMatrix } from "../../../lab/model/matrix";

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

  it("reads API-style typed lists, whose items carry no apiVersion or kind, like the same objects as plain manifests", () => {
    const plain = loadManifestDir(join(FIXTURES, "basic")).objects;
    // Group as the API returns them: one <Kind>List per kind, items without apiVersion/kind.
    const lists = new Map<string, K8sObject[]>();
    for (const o of plain) lists.set(`${o.apiVersion} ${o.kind}`, [...(lists.get(`${o.apiVersion} ${o.kind}`) ?? []), o]);
    const dir = mkdtempSync(join(tmpdir(), "typed-lists-"));
    try {
      for (const [key, items] of lists) {
        const [apiVersion, kind] = key.split(" ");
        const stripped = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
        writeFileSync(join(dir, `${kind}.yaml`), stringify({ apiVersion, kind: `${kind}List`, metadata: { resourceVersion: "1" }, items: stripped }));
      }
      const typed = loadManifestDir(dir);
      assert.deepEqual(typed.warnings, []);
      assert.deepEqual(typed.objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`).sort(), plain.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`).sort());
      const matrixOf = (objects: K8sObject[]) => JSON.stringify(connectionMatrix(buildClusterModel(objects)));
      assert.equal(matrixOf(typed.objects), matrixOf(plain));
      assert.ok(buildClusterModel(typed.objects).workloads.length > 0, "the typed lists' workloads are seen");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps what an item of a typed list says about itself, and a plain List names no item kind", () => {
    const text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicyList\nitems:\n- {metadata: {name: a, namespace: x}, spec: {podSelector: {}}}\n---\napiVersion: v1\nkind: List\nitems:\n- {metadata: {name: b}}\n";
    const { objects, warnings } = parseManifests(text, "inline");
    assert.deepEqual(objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`), ["networking.k8s.io/v1 NetworkPolicy/a"]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /needs apiVersion, kind and metadata\.name/);
  });
});
