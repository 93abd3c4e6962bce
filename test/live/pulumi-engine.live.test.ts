// The live tier, real Pulumi engine: the Pulumi CLI and pulumi-resource-kubernetes built from their
// Go modules (`npm run tools -- --group pulumi`), the lab stack's program run through the
// Automation API (`lab up --backend local --engine pulumi`) against a real etcd + kube-apiserver +
// kube-controller-manager, with the local file backend under a temporary .lab/.
//
// Runs when the pulumi tools are already built for this checkout, or with HARD_TENANCY_PULUMI_LIVE=1
// (then it builds them: ~15 min for the CLI and ~N min for the provider, cold, on 2 cores); skipped
// otherwise, saying why.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import type { OpType, Stack } from "@pulumi/pulumi/automation";
import { isDeepStrictEqual } from "node:util";
import { meshCaObjects } from "../../components/pulumi/MeshCertificateAuthority";
import type { K8sObject } from "../../components/k8s/object";
import { loadStackSpec } from "../../components/spec/stack-config";
import type { PlatformSpec } from "../../components/spec/types";
import { localDown, localUp, type LocalUpResult } from "../../lab/local/backend";
import { objectRef, planDeploy } from "../../lab/local/deploy";
import { localPaths } from "../../lab/local/paths";
import { openEngineStack, PULUMI_TOOLS_GROUP, StepRecorder, urnObjectRef, writeEngineConfig, type EngineDeploy } from "../../lab/local/pulumi";
import { workingStackConfigPath } from "../../lab/plan/config-copy";
import type { LabSettings } from "../../lab/plan/settings";
import { kubectl } from "../../lab/plan/steps";
import type { StackConfigEdit } from "../../lab/plan/types";
import type { LabIO } from "../../lab/run/execute";
import { locateTools } from "../../lab/tools/build";
import { liveLab, REPO, skipWithoutGo } from "./live-lab";

export const PULUMI_LIVE_ENV = "HARD_TENANCY_PULUMI_LIVE";

/** Every object the program registers for a spec, by `Kind/namespace/name`: the rendered platform, demo workloads, the mesh CA. */
function expectedObjects(spec: PlatformSpec): Map<string, K8sObject> {
  const objects = planDeploy(spec).phases.flatMap((p) => p.objects);
  if (spec.install.certManager) objects.push(...Object.values(meshCaObjects(spec)));
  return new Map(objects.map((o) => [objectRef(o), o]));
}

/** What a config change must do, computed from the builders alone: refs created, deleted, changed. */
function expectedChanges(before: PlatformSpec, after: PlatformSpec): { creates: string[]; deletes: string[]; updates: string[] } {
  const a = expectedObjects(before);
  const b = expectedObjects(after);
  return {
    creates: [...b.keys()].filter((ref) => !a.has(ref)).sort(),
    deletes: [...a.keys()].filter((ref) => !b.has(ref)).sort(),
    updates: [...b.keys()].filter((ref) => a.has(ref) && !isDeepStrictEqual(a.get(ref), b.get(ref))).sort(),
  };
}

/** The Kubernetes objects of an engine operation's steps with one of `ops`, as `Kind/namespace/name`. */
function refsWith(recorder: StepRecorder, ...ops: OpType[]): string[] {
  return [...recorder.steps]
    .filter(([, s]) => ops.includes(s.op))
    .map(([urn, s]) => urnObjectRef(urn, s.type))
    .filter((ref): ref is string => ref !== undefined)
    .sort();
}

describe("real Pulumi engine: pulumi up / preview / destroy of the lab stack on the local control plane", function () {
  this.timeout(60 * 60_000);
  let labDir: string;
  let settings: LabSettings;
  let io: LabIO;
  let up: LocalUpResult;
  let engine: EngineDeploy;
  let spec: PlatformSpec;
  const log: string[] = [];

  before(async function () {
    skipWithoutGo(this);
    const built = await locateTools(REPO, process.env, PULUMI_TOOLS_GROUP);
    if (!built.manifest && process.env[PULUMI_LIVE_ENV] !== "1") {
      console.log(`  skipped: the Pulumi CLI and pulumi-resource-kubernetes are not built for this checkout (${built.layout.dir}); run \`npm run tools -- --group pulumi\` or set ${PULUMI_LIVE_ENV}=1`);
      this.skip();
    }
    ({ labDir, settings, io } = liveLab("ht-live-pulumi-", log));
    const started = Date.now();
    up = await localUp(io, settings, { engine: "pulumi" });
    engine = up.engine!;
    spec = engine.spec;
    console.log(`      │ lab up --backend local --engine pulumi: ${((Date.now() - started) / 1000).toFixed(1)} s; pulumi up ${engine.upSeconds.toFixed(1)} s, ${engine.resources} resources`);
  });

  after(async () => {
    if (settings && existsSync(localPaths(settings.labDir).root)) await localDown(io, settings);
    if (labDir) rmSync(labDir, { recursive: true, force: true });
  });

  const get = async (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => io.run(kubectl(settings, ...args), { timeoutMs: 120_000 });
  /** Every object of these refs' kinds with the managed-by label, as `Kind/namespace/name`. */
  const liveManaged = async (): Promise<Set<string>> => {
    const kinds = new Set<string>();
    for (const o of expectedObjects(up.spec).values()) kinds.add([o.kind.toLowerCase(), ...(o.apiVersion.includes("/") ? [o.apiVersion.split("/")[0]] : [])].join("."));
    const listed = await get("get", [...kinds].join(","), "-A", "-l", "app.kubernetes.io/managed-by=hard-tenancy", "-o", "json");
    assert.equal(listed.code, 0, listed.stderr);
    return new Set((JSON.parse(listed.stdout) as { items: { kind: string; metadata: { name: string; namespace?: string } }[] }).items.map((o) => objectRef({ apiVersion: "", ...o })));
  };
  /** The engine config with `edits`; its spec is read before any engine operation rewrites the file. */
  const variantFile = (edits: StackConfigEdit[]): string =>
    writeEngineConfig(settings, workingStackConfigPath(settings), [...engine.layersOff.map((off) => ({ key: "hard-tenancy:layers", path: [off.layer], value: false })), ...edits], "engine-variant");
  const variant = (edits: StackConfigEdit[]): { file: string; spec: PlatformSpec } => {
    const file = variantFile(edits);
    return { file, spec: loadStackSpec({ file }) };
  };

  it("pulumi up creates every object of the program, each in the API server with the managed-by label", async () => {
    const state = await engine.stack.exportStack();
    const resources = (state.deployment as { resources: { urn: string; type: string }[] }).resources;
    const inState = resources.map((r) => urnObjectRef(r.urn, r.type)).filter((ref): ref is string => ref !== undefined).sort();
    assert.deepEqual(inState, [...expectedObjects(spec).keys()].sort(), "the state holds exactly the objects the builders emit");
    const live = await liveManaged();
    assert.deepEqual(inState.filter((ref) => !live.has(ref)), [], "every object exists with app.kubernetes.io/managed-by=hard-tenancy");
    assert.equal(resources.filter((r) => r.type.startsWith("kubernetes:helm.sh/")).length, 0, "no Helm release (switched off)");
  });

  it("a second preview changes nothing (preview --expect-no-changes)", async () => {
    const started = Date.now();
    const preview = await engine.stack.preview({ configFile: engine.configFile, expectNoChanges: true });
    console.log(`      │ preview: ${((Date.now() - started) / 1000).toFixed(1)} s, ${JSON.stringify(preview.changeSummary)}`);
    assert.deepEqual(Object.keys(preview.changeSummary).filter((op) => op !== "same"), []);
  });

  it("adding a tenant previews exactly that tenant's objects as creates, and nothing else changes", async () => {
    const withTenant = variant([{ key: "hard-tenancy:tenants", path: [], value: [...spec.tenants.map((t) => ({ name: t.name, adminGroups: t.adminGroups })), { name: "umbrella", adminGroups: ["umbrella-admins"] }] }]);
    const expected = expectedChanges(spec, withTenant.spec);
    assert.ok(expected.creates.length > 5 && expected.creates.every((ref) => ref.includes("umbrella")), JSON.stringify(expected.creates));
    const recorder = new StepRecorder();
    await engine.stack.preview({ configFile: withTenant.file, onEvent: recorder.onEvent });
    console.log(`      │ add tenant: ${refsWith(recorder, "create").length} object creates, updates: ${JSON.stringify(refsWith(recorder, "update", "replace"))}`);
    assert.deepEqual(refsWith(recorder, "create"), expected.creates);
    assert.deepEqual(refsWith(recorder, "update", "replace", "create-replacement", "delete", "delete-replaced"), expected.updates);
    assert.deepEqual(recorder.withOp("create").filter((urn) => !urnObjectRef(urn, recorder.steps.get(urn)!.type)).map((urn) => urn.slice(urn.lastIndexOf("::") + 2)), ["hard-tenancy-tenant-umbrella"]);
  });

  it("switching a layer off deletes exactly that layer's objects, in the state and in the API server", async () => {
    const withoutQuotas = variant([{ key: "hard-tenancy:layers", path: ["quotas"], value: false }]);
    const expected = expectedChanges(spec, withoutQuotas.spec);
    assert.ok(expected.deletes.length >= spec.tenants.length && expected.deletes.every((ref) => /^(ResourceQuota|LimitRange)\//.test(ref)), JSON.stringify(expected.deletes));
    const recorder = new StepRecorder();
    await engine.stack.up({ configFile: withoutQuotas.file, onEvent: recorder.onEvent });
    console.log(`      │ quotas off: deleted ${JSON.stringify(refsWith(recorder, "delete"))}`);
    assert.deepEqual(refsWith(recorder, "delete"), expected.deletes);
    assert.deepEqual(refsWith(recorder, "create", "update", "replace"), [...expected.creates, ...expected.updates].sort());
    const live = await liveManaged();
    assert.deepEqual(expected.deletes.filter((ref) => live.has(ref)), [], "the deleted objects are gone from the API server");
    // Back to the full stack for the checks below.
    await engine.stack.up({ configFile: engine.configFile });
  });

  it("an invalid config fails before any resource is registered: the engine records none", async () => {
    const invalid = variantFile([{ key: "hard-tenancy:layer", path: [], value: { networkPolicy: false } }]);
    const fresh: Stack = await openEngineStack(settings, engine.tools, "invalid-config");
    await assert.rejects(fresh.up({ configFile: invalid }), /unknown key "layer" — did you mean "layers"\?/);
    const state = await fresh.exportStack();
    const resources = ((state.deployment as { resources?: { type: string }[] }).resources ?? []).filter((r) => r.type !== "pulumi:pulumi:Stack");
    assert.deepEqual(resources, [], "no resource but the stack itself");
    await fresh.workspace.removeStack("invalid-config", { force: true });
  });

  it("destroy leaves no object with the managed-by label and no namespace of the platform", async () => {
    const started = Date.now();
    await engine.stack.destroy({ configFile: engine.configFile });
    console.log(`      │ destroy: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual([...(await liveManaged())], []);
    const namespaces = (await get("get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}")).stdout.split(/\s+/);
    const platform = [...spec.tenants.map((t) => t.namespace), spec.meshNamespace, spec.sharedServices.namespace];
    assert.deepEqual(namespaces.filter((ns) => platform.includes(ns)), []);
  });

  it("leaves stacks/ untouched (git diff --exit-code -- stacks/)", () => {
    execFileSync("git", ["diff", "--exit-code", "--", "stacks/"], { cwd: REPO });
    const untracked = execFileSync("git", ["ls-files", "--others", "--exclude-standard", "--", "stacks/"], { cwd: REPO, encoding: "utf8" });
    assert.equal(untracked, "");
  });
});
