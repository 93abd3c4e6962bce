import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { labSettings } from "../../../lab/plan/settings";
import { stackInitProjectYaml } from "../../../lab/plan/steps";
import { expectedDemoDeployments, parseDockerInspectIp, planUp, upPhases } from "../../../lab/plan/up";
import { syntheticConfig } from "../../fixtures/platform";

const settings = labSettings("/repo");
const ENV = { PULUMI_BACKEND_URL: "file:///repo/.lab/state", PULUMI_CONFIG_PASSPHRASE: "", PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: "true", PULUMI_SKIP_UPDATE_CHECK: "true" };

/** The shape `docker inspect <container>` prints: a JSON array of container objects (abridged, real field names). */
const DOCKER_INSPECT = JSON.stringify([
  {
    Id: "4c1f0e2a9d3b",
    Name: "/hard-tenancy-lab-control-plane",
    State: { Status: "running", Running: true },
    NetworkSettings: {
      Networks: {
        kind: { IPAMConfig: null, Links: null, Aliases: null, NetworkID: "b1e6", EndpointID: "9f2a", Gateway: "172.18.0.1", IPAddress: "172.18.0.3", IPPrefixLen: 16, IPv6Gateway: "fc00:f853:ccd:e793::1", GlobalIPv6Address: "fc00:f853:ccd:e793::3", GlobalIPv6PrefixLen: 64, MacAddress: "02:42:ac:12:00:03" },
      },
    },
  },
]);

describe("lab up plan", () => {
  for (const tenants of [3, 20]) {
    it(`for ${tenants} tenants lists preflight, kind, context guard, docker inspect, the working copy, the Automation API steps and one rollout wait per demo deployment, in order`, () => {
      const spec = validatePlatformConfig(syntheticConfig(tenants));
      const plan = planUp(spec, settings, { controlPlaneIp: "172.18.0.3" });
      const rollouts = expectedDemoDeployments(spec).map((d) => ["kubectl", "--context", "kind-hard-tenancy-lab", "rollout", "status", `deployment/${d.name}`, "-n", d.namespace, "--timeout=300s"]);
      assert.equal(rollouts.length, tenants * 4 + spec.sharedServices.services.length);
      assert.deepEqual(plan.steps.map((s) => s.argv), [
        ["docker", "info", "--format", "{{.ServerVersion}}"],
        ["kind", "version"],
        ["kubectl", "version", "--client"],
        ["pulumi", "version"],
        [], // in-process: .lab/state
        [], // in-process: .lab/kind-config.yaml
        ["kind", "get", "clusters"],
        ["kind", "create", "cluster", "--name", "hard-tenancy-lab", "--config", "/repo/.lab/kind-config.yaml"],
        ["kubectl", "config", "current-context"],
        ["docker", "inspect", "hard-tenancy-lab-control-plane"],
        [], // in-process: .lab/Pulumi.lab.yaml
        [], // in-process: .lab/stack-init/Pulumi.yaml
        ["pulumi", "stack", "select", "--create", "lab", "--secrets-provider", "passphrase", "--non-interactive", "--cwd", "/repo/.lab/stack-init"],
        ["pulumi", "stack", "select", "--stack", "lab", "--cwd", "/repo"],
        ["pulumi", "up", "--yes", "--skip-preview", "--config-file", "/repo/.lab/Pulumi.lab.yaml", "--stack", "lab"],
        ["kubectl", "--context", "kind-hard-tenancy-lab", "get", "deployments,daemonsets", "-A", "-o", "json"],
        ...rollouts,
        ["kubectl", "--context", "kind-hard-tenancy-lab", "get", "pods", "-A", "-o", "json"],
      ]);
    });
  }

  it("creates the stack with the CLI from .lab/stack-init, then selects it and deploys through the Automation API, all on the local backend with an empty passphrase, setting no config", () => {
    const plan = planUp(validatePlatformConfig(syntheticConfig(3)), settings);
    const pulumi = plan.steps.filter((s) => s.argv[0] === "pulumi" && s.argv[1] !== "version");
    assert.deepEqual(pulumi.map((s) => s.automation?.op), [undefined, "selectStack", "up"]);
    for (const step of pulumi) assert.deepEqual(step.env, ENV);
    assert.ok(pulumi[0].argv.includes("--create") && pulumi[0].argv.at(-1) === "/repo/.lab/stack-init");
    assert.deepEqual(pulumi[1].automation, { op: "selectStack", stackName: "lab", workDir: "/repo" });
    assert.deepEqual(pulumi[2].automation, { op: "up", refresh: false, configFile: "/repo/.lab/Pulumi.lab.yaml" });
    assert.ok(!pulumi.some((s) => s.argv.includes("--create") && s.argv.includes("/repo")), "no stack is created from the repository (its stack file is committed)");
    assert.ok(!plan.steps.some((s) => s.argv[0] === "pulumi" && s.argv[1] === "config"), "no `pulumi config` step");
  });

  it("writes the working copy from the committed stack file with the node IP/32 and the context, and nothing under stacks/", () => {
    const plan = planUp(validatePlatformConfig(syntheticConfig(3)), labSettings("/repo", { context: "kind-other", contextExplicit: true }), { controlPlaneIp: "172.18.0.3" });
    const writes = plan.steps.filter((s) => s.inProcess).map((s) => s.inProcess!);
    assert.deepEqual(writes.map((w) => w.op), ["makeDirectory", "writeFile", "writeStackConfigCopy", "writeFile"]);
    const copy = writes[2];
    assert.ok(copy.op === "writeStackConfigCopy");
    assert.equal(copy.from, "/repo/stacks/Pulumi.lab.yaml");
    assert.equal(copy.to, "/repo/.lab/Pulumi.lab.yaml");
    assert.deepEqual(copy.edits, [
      { key: "hard-tenancy:cluster", path: ["apiServerEndpoints"], value: [{ cidr: "172.18.0.3/32", port: 6443 }] },
      { key: "hard-tenancy:cluster", path: ["kubeContext"], value: "kind-other" },
      { key: "kubernetes:context", path: [], value: "kind-other" },
    ]);
    for (const w of writes) assert.match(w.op === "writeStackConfigCopy" ? w.to : w.path, /^\/repo\/\.lab\//);
    const project = writes[3];
    assert.ok(project.op === "writeFile");
    assert.equal(project.path, "/repo/.lab/stack-init/Pulumi.yaml");
  });

  it("creates the stack from a project with the repository's project name and no stackConfigDir, so the CLI saves the salt beside it", () => {
    const repository = parse(readFileSync(resolve(__dirname, "../../../Pulumi.yaml"), "utf8")) as { name: string; stackConfigDir?: string };
    const initProject = parse(stackInitProjectYaml()) as Record<string, unknown>;
    assert.equal(repository.stackConfigDir, "stacks", "the repository's stack files live in the committed stacks/");
    assert.deepEqual(initProject, { name: repository.name, runtime: "nodejs" });
  });

  it("reuses an existing cluster (no kind create) and shows a placeholder IP until docker inspect has answered", () => {
    const plan = planUp(validatePlatformConfig(syntheticConfig(3)), settings, { clusterExists: true });
    assert.ok(!plan.steps.some((s) => s.argv.includes("create") && s.argv[0] === "kind"));
    const copy = plan.steps.find((s) => s.inProcess?.op === "writeStackConfigCopy")?.inProcess;
    assert.ok(copy?.op === "writeStackConfigCopy");
    assert.deepEqual(copy.edits[0].value, [{ cidr: "<control-plane-ip>/32", port: 6443 }]);
  });

  it("is its phases in order, so the runner walks the very steps the dry run prints", () => {
    const spec = validatePlatformConfig(syntheticConfig(3));
    const phases = upPhases(spec, settings, { controlPlaneIp: "172.18.0.3" });
    assert.deepEqual(planUp(spec, settings, { controlPlaneIp: "172.18.0.3" }).steps, Object.values(phases).flat());
    assert.deepEqual(upPhases(spec, labSettings("/repo", { context: "x", contextExplicit: true })).guard, []);
  });

  it("reads the control-plane IP from docker inspect's JSON on the kind network", () => {
    assert.equal(parseDockerInspectIp(DOCKER_INSPECT), "172.18.0.3");
  });

  it("falls back to another network's IPv4 and rejects output without one, saying what is wrong", () => {
    const other = DOCKER_INSPECT.replace('"kind":', '"lab-net":');
    assert.equal(parseDockerInspectIp(other), "172.18.0.3");
    assert.throws(() => parseDockerInspectIp("[]"), /no NetworkSettings\.Networks/);
    assert.throws(() => parseDockerInspectIp("Error: No such object"), /not JSON/);
  });
});
