import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { engineEnv, StepRecorder, urnObjectRef, writeEngineConfig } from "../../../lab/local/pulumi";
import { labSettings } from "../../../lab/plan/settings";

const REPO = join(__dirname, "..", "..", "..");

function preEvent(urn: string, type: string, op: string): EngineEvent {
  return { sequence: 1, timestamp: 0, resourcePreEvent: { metadata: { urn, type, op, provider: "" } } } as unknown as EngineEvent;
}

describe("the real Pulumi engine on the local backend (lab/local/pulumi.ts)", () => {
  let labDir: string;
  beforeEach(() => (labDir = mkdtempSync(join(tmpdir(), "ht-engine-"))));
  afterEach(() => rmSync(labDir, { recursive: true, force: true }));

  it("runs the CLI with local state, no plugin download, no registry, no update check, its own PULUMI_HOME and the built tools first on PATH", () => {
    const settings = labSettings(REPO, { labDir, stateDir: join(labDir, "state"), kubeconfig: join(labDir, "local", "kubeconfig") });
    const env = engineEnv(settings, { dir: "/cache/k-pulumi", bin: "/cache/k-pulumi/bin" }, "/usr/bin");
    assert.equal(env.PATH, "/cache/k-pulumi/bin:/usr/bin");
    assert.equal(env.PULUMI_BACKEND_URL, `file://${join(labDir, "state")}`);
    assert.equal(env.PULUMI_HOME, join(labDir, "pulumi-home"));
    assert.equal(env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION, "true");
    assert.equal(env.PULUMI_DISABLE_REGISTRY_RESOLVE, "true");
    assert.equal(env.PULUMI_SKIP_UPDATE_CHECK, "true");
    assert.equal(env.KUBECONFIG, join(labDir, "local", "kubeconfig"));
  });

  it("writes the engine config under .lab/ from the working copy: Helm releases and runtime waits off, extra edits applied", () => {
    const settings = labSettings(REPO, { labDir });
    const working = join(labDir, "Pulumi.lab.yaml");
    writeFileSync(working, "config:\n  hard-tenancy:layers:\n    quotas: true\n  kubernetes:context: hard-tenancy-local\n");
    const file = writeEngineConfig(settings, working, [{ key: "hard-tenancy:layers", path: ["calico"], value: false }]);
    assert.equal(file, join(labDir, "Pulumi.lab.engine.yaml"));
    const config = (parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
    assert.equal(config["lab:helmReleases"], false);
    assert.equal(config["lab:awaitReadiness"], false);
    assert.deepEqual(config["hard-tenancy:layers"], { quotas: true, calico: false });
    assert.equal(config["kubernetes:context"], "hard-tenancy-local");
  });

  it("names a Kubernetes resource's object from its URN the way the local deploy does (Kind/namespace/name), nothing for other types", () => {
    assert.equal(urnObjectRef("urn:pulumi:lab::hard-tenancy::hard-tenancy:platform:Platform$hard-tenancy:tenancy:Tenant$kubernetes:networking.k8s.io/v1:NetworkPolicy::tenant-acme/default-deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy"), "NetworkPolicy/tenant-acme/default-deny");
    assert.equal(urnObjectRef("urn:pulumi:lab::p::kubernetes:core/v1:Namespace::tenant-acme", "kubernetes:core/v1:Namespace"), "Namespace/tenant-acme");
    assert.equal(urnObjectRef("urn:pulumi:lab::p::hard-tenancy:tenancy:Tenant::t", "hard-tenancy:tenancy:Tenant"), undefined);
    assert.equal(urnObjectRef("urn:pulumi:lab::p::kubernetes:helm.sh/v3:Release::istiod", "kubernetes:helm.sh/v3:Release"), undefined);
  });

  it("records each resource's step from the engine events, leaving out the Stack resource", () => {
    const recorder = new StepRecorder();
    recorder.onEvent(preEvent("urn:a::pulumi:pulumi:Stack::p-lab", "pulumi:pulumi:Stack", "same"));
    recorder.onEvent(preEvent("urn:a::kubernetes:core/v1:Namespace::tenant-x", "kubernetes:core/v1:Namespace", "create"));
    recorder.onEvent(preEvent("urn:a::kubernetes:v1:ResourceQuota::tenant-acme/quota", "kubernetes:core/v1:ResourceQuota", "delete"));
    recorder.onEvent({ sequence: 2, timestamp: 0, diagnosticEvent: { message: "x" } } as unknown as EngineEvent);
    assert.deepEqual(recorder.withOp("create"), ["urn:a::kubernetes:core/v1:Namespace::tenant-x"]);
    assert.deepEqual(recorder.withOp("delete", "update"), ["urn:a::kubernetes:v1:ResourceQuota::tenant-acme/quota"]);
    assert.equal(recorder.steps.size, 2);
  });
});
