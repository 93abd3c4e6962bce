import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readStackConfigFile } from "../../../components/spec/stack-config";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { writeAblatedConfigStep, writeWorkingConfigStep } from "../../../lab/plan/config-copy";
import { labSettings } from "../../../lab/plan/settings";
import type { InProcessAction } from "../../../lab/plan/types";
import { runInProcess } from "../../../lab/run/in-process";

const REPO = resolve(__dirname, "../../..");

function copyAction(step: { inProcess?: InProcessAction }): InProcessAction {
  assert.ok(step.inProcess);
  return step.inProcess;
}

describe("stack config working copy writer", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "ht-config-copy-"));
    mkdirSync(join(root, "stacks"));
    writeFileSync(join(root, "stacks", "Pulumi.lab.yaml"), readFileSync(join(REPO, "stacks", "Pulumi.lab.yaml")));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("writes .lab/Pulumi.lab.yaml and leaves the committed stack file byte for byte as it was", () => {
    const committed = readFileSync(join(root, "stacks", "Pulumi.lab.yaml"));
    runInProcess(copyAction(writeWorkingConfigStep(labSettings(root), "172.18.0.3")));
    assert.deepEqual(readFileSync(join(root, "stacks", "Pulumi.lab.yaml")), committed);
    assert.deepEqual(readFileSync(join(root, "stacks", "Pulumi.lab.yaml")), readFileSync(join(REPO, "stacks", "Pulumi.lab.yaml")));
    assert.match(readFileSync(join(root, ".lab", "Pulumi.lab.yaml"), "utf8"), /cidr: 172\.18\.0\.3\/32/);
  });

  it("writes a copy that validates, with the endpoint narrowed to the node and the context set", () => {
    runInProcess(copyAction(writeWorkingConfigStep(labSettings(root), "172.18.0.3")));
    const spec = validatePlatformConfig(readStackConfigFile(join(root, ".lab", "Pulumi.lab.yaml")));
    const committed = validatePlatformConfig(readStackConfigFile(join(root, "stacks", "Pulumi.lab.yaml")));
    assert.deepEqual(spec.cluster.apiServerEndpoints, [{ cidr: "172.18.0.3/32", port: 6443 }]);
    assert.notDeepEqual(committed.cluster.apiServerEndpoints, spec.cluster.apiServerEndpoints);
    assert.equal(spec.cluster.kubeContext, "kind-hard-tenancy-lab");
    assert.deepEqual({ ...spec, cluster: committed.cluster }, committed);
  });

  it("produces the identical copy on every run, including over a copy an earlier run left", () => {
    const action = copyAction(writeWorkingConfigStep(labSettings(root), "172.18.0.3"));
    runInProcess(action);
    const first = readFileSync(join(root, ".lab", "Pulumi.lab.yaml"));
    writeFileSync(join(root, ".lab", "Pulumi.lab.yaml"), "encryptionsalt: v1:stale\nconfig: {}\n");
    runInProcess(action);
    runInProcess(action);
    assert.deepEqual(readFileSync(join(root, ".lab", "Pulumi.lab.yaml")), first);
  });

  it("writes the ablation copy from the working copy with the layer off, and leaves the working copy as it was", () => {
    const settings = labSettings(root);
    runInProcess(copyAction(writeWorkingConfigStep(settings, "172.18.0.3")));
    const working = readFileSync(join(root, ".lab", "Pulumi.lab.yaml"));
    runInProcess(copyAction(writeAblatedConfigStep(settings, "peerAuthentication")));
    assert.deepEqual(readFileSync(join(root, ".lab", "Pulumi.lab.yaml")), working);
    const spec = validatePlatformConfig(readStackConfigFile(join(root, ".lab", "Pulumi.lab.ablate-peerAuthentication.yaml")));
    assert.equal(spec.layers.peerAuthentication, false);
    assert.equal(spec.layers.authorization, true);
    assert.deepEqual(spec.cluster.apiServerEndpoints, [{ cidr: "172.18.0.3/32", port: 6443 }]);
  });

  it("stops with the field and the fix when the copy does not validate", () => {
    writeFileSync(join(root, "stacks", "Pulumi.lab.yaml"), "config:\n  hard-tenancy:tenants: []\n  hard-tenancy:clustr: {}\n");
    assert.throws(() => runInProcess(copyAction(writeWorkingConfigStep(labSettings(root), "172.18.0.3"))), /clustr/);
  });

  it("says which file is missing when the source cannot be read", () => {
    assert.throws(() => runInProcess(copyAction(writeAblatedConfigStep(labSettings(root), "calico"))), /\.lab\/Pulumi\.lab\.yaml: cannot be read \(ENOENT\)/);
  });
});
