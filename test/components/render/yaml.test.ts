import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { allObjects, buildPlatformObjects } from "../../../components/builders";
import { renderDocument, renderYaml } from "../../../components/render/yaml";
import { labSpec } from "../builders/helpers";

describe("YAML rendering", () => {
  const objects = allObjects(buildPlatformObjects(labSpec({ sharedServices: { enabled: true, identityPropagation: "lua" } })));

  it("renders one document per object that parses back to the same object", () => {
    const docs = parseAllDocuments(renderYaml(objects));
    assert.equal(docs.length, objects.length);
    docs.forEach((d, i) => assert.deepEqual(d.toJS(), JSON.parse(JSON.stringify(objects[i]))));
  });

  it("writes apiVersion, kind, metadata first and sorts labels, whatever order the object was built in", () => {
    const text = renderDocument({ metadata: { labels: { z: "1", a: "2" }, namespace: "ns", name: "x" }, spec: {}, kind: "ConfigMap", apiVersion: "v1" });
    assert.equal(text, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ns\n  labels:\n    a: \"2\"\n    z: \"1\"\nspec: {}\n");
  });

  it("never folds long strings, so Calico selectors and the Lua program stay readable", () => {
    const text = renderYaml(objects);
    assert.match(text, /namespaceSelector: has\(hard-tenancy\.io\/tenant\) && hard-tenancy\.io\/tenant != 'acme'\n/);
    assert.match(text, /inline_string: \|/);
  });

  it("is byte-for-byte stable across runs", () => {
    assert.equal(renderYaml(allObjects(buildPlatformObjects(labSpec()))), renderYaml(allObjects(buildPlatformObjects(labSpec()))));
  });
});
