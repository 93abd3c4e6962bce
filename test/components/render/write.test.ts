import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { allObjects, buildPlatformObjects } from "../../../components/builders";
import { planRendered, writeRendered } from "../../../components/render/write";
import { labSpec } from "../builders/helpers";

describe("writing rendered objects", () => {
  const objects = allObjects(buildPlatformObjects(labSpec()));
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ht-render-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("by default writes one file per namespace and puts cluster-scoped objects in cluster.yaml", () => {
    writeRendered(objects, dir);
    assert.deepEqual(readdirSync(dir).sort(), [".hard-tenancy-render.json", "cluster.yaml", "istio-system.yaml", "shared-services.yaml", "tenant-acme.yaml", "tenant-globex.yaml", "tenant-initech.yaml"]);
    const cluster = parseAllDocuments(readFileSync(join(dir, "cluster.yaml"), "utf8")).map((d) => d.toJS());
    assert.ok(cluster.every((o) => o.metadata.namespace === undefined));
    const acme = parseAllDocuments(readFileSync(join(dir, "tenant-acme.yaml"), "utf8")).map((d) => d.toJS());
    assert.ok(acme.length > 0 && acme.every((o) => o.metadata.namespace === "tenant-acme"));
  });

  it("with split kind writes one file per kind, and no object is lost or duplicated", () => {
    const files = writeRendered(objects, dir, { split: "kind" }).files;
    assert.ok(readdirSync(dir).includes("networkpolicy.yaml"));
    const total = readdirSync(dir).filter((f) => f.endsWith(".yaml")).reduce((n, f) => n + parseAllDocuments(readFileSync(join(dir, f), "utf8")).length, 0);
    assert.equal(total, objects.length);
    assert.equal(files.reduce((n, f) => n + f.objects.length, 0), objects.length);
  });

  it("keeps the objects' dependency order inside each file", () => {
    const acme = planRendered(objects).find((f) => f.file === "tenant-acme.yaml");
    assert.deepEqual(acme?.objects.slice(0, 3).map((o) => o.metadata.name), ["default-deny", "default", "deny-cross-tenant"]);
  });

  it("refuses an unknown split mode, naming the option and the fix", () => {
    assert.throws(() => planRendered(objects, { split: "tenant" as never }), /split: "tenant" is not supported — use "namespace" or "kind"/);
  });
});
