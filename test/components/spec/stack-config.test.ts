import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../../components/spec/problems";
import { CONFIG_NAMESPACE, loadStackSpec, readStackConfigFile, stackConfigPath } from "../../../components/spec/stack-config";
import { checkPlatformConfig } from "../../../components/spec/validate";
import { labConfig } from "../../fixtures/platform";

const MINIMAL = `
config:
  kubernetes:context: kind-test
  hard-tenancy:cluster:
    apiServerEndpoints:
      - cidr: 172.18.0.2/32
        port: 6443
  hard-tenancy:tenants:
    - name: acme
`;

describe("stack config files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hard-tenancy-stack-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(text: string): string {
    const path = join(dir, "Pulumi.test.yaml");
    writeFileSync(path, text);
    return path;
  }

  function problemsOfFile(text: string): string[] {
    return checkPlatformConfig(readStackConfigFile(file(text))).problems.map((p) => `${p.field}: ${p.message}`);
  }

  it("finds stack files under <root>/stacks", () => {
    assert.equal(stackConfigPath("lab", "/repo"), join("/repo", "stacks", "Pulumi.lab.yaml"));
    assert.equal(CONFIG_NAMESPACE, "hard-tenancy");
  });

  it("rejects a stack name that could escape the stacks directory", () => {
    assert.throws(() => stackConfigPath("../etc/passwd", "/repo"), ConfigError);
  });

  it("keeps hard-tenancy keys without their prefix and ignores other projects' keys", () => {
    assert.deepEqual(Object.keys(readStackConfigFile(file(MINIMAL))), ["cluster", "tenants"]);
  });

  it("keeps a misspelt project prefix so validation reports it", () => {
    assert.deepEqual(problemsOfFile(`${MINIMAL}  hard-tenacy:demoWorkloads: true\n`), ['hard-tenacy:demoWorkloads: unknown key "hard-tenacy:demoWorkloads"']);
  });

  it("keeps a key without a namespace so validation reports it", () => {
    assert.deepEqual(problemsOfFile(`${MINIMAL}  demoWorkloads: true\n`), [':demoWorkloads: key "demoWorkloads" has no namespace']);
  });

  it("reads a file the way the program sees it after `pulumi up --config-file` quoted every top-level scalar", () => {
    // What the real CLI 3.248.0 leaves in the lab's working copy after `up`: the program reads
    // "true" with Config.getObject as the boolean true, so must the offline loader.
    const rewritten = file(`${MINIMAL}  hard-tenancy:demoWorkloads: "true"\n  hard-tenancy:meshNamespace: istio-system\nencryptionsalt: v1:abc\n`);
    const spec = loadStackSpec({ file: rewritten });
    assert.equal(spec.demoWorkloads, true);
    assert.equal(spec.meshNamespace, "istio-system");
    // A string that is no JSON value stays a string and is still reported.
    assert.deepEqual(problemsOfFile(`${MINIMAL}  hard-tenancy:demoWorkloads: "yes"\n`), ['demoWorkloads: must be true or false, got string "yes"']);
  });

  it("reports Pulumi secure values as problems", () => {
    assert.deepEqual(problemsOfFile(`${MINIMAL}  hard-tenancy:meshNamespace:\n    secure: v1:abcdef\n`), ["meshNamespace: is a Pulumi secret; hard-tenancy configuration holds no secrets"]);
  });

  it("turns unreadable files and broken YAML into ConfigErrors naming the file", () => {
    const missing = join(dir, "Pulumi.none.yaml");
    assert.throws(() => readStackConfigFile(missing), (e: unknown) => e instanceof ConfigError && e.problems[0].field === missing && e.problems[0].message === "cannot be read (ENOENT)");
    const broken = file("config:\n  hard-tenancy:tenants: [\n");
    assert.throws(() => readStackConfigFile(broken), (e: unknown) => e instanceof ConfigError && e.problems[0].field === broken && e.problems[0].message.startsWith("is not valid YAML: "));
  });

  it("loads and validates a file, throwing every problem on bad input", () => {
    assert.equal(loadStackSpec({ file: file(MINIMAL) }).tenants[0].namespace, "tenant-acme");
    const bad = file(`${MINIMAL}  hard-tenancy:layers:\n    authorisation: false\n`);
    assert.throws(() => loadStackSpec({ file: bad }), (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0].field === "layers.authorisation");
  });

  it("loads the lab stack: acme, globex and initech, kind's pod CIDR and one audited grant", () => {
    const spec = loadStackSpec({ stack: "lab" });
    assert.deepEqual(spec.tenants.map((t) => t.name), ["acme", "globex", "initech"]);
    assert.equal(spec.cluster.podCidr, "10.244.0.0/16");
    assert.deepEqual(spec.cluster.apiServerEndpoints, [{ cidr: "172.18.0.0/24", port: 6443 }]);
    assert.equal(spec.cluster.kubeContext, "kind-hard-tenancy-lab");
    assert.deepEqual(spec.sharedServices.services.map((s) => s.name), ["log-collector"]);
    assert.deepEqual(spec.grants.map(({ id, from, to, workload, port, methods, paths }) => ({ id, from, to, workload, port, methods, paths })), [
      { id: "globex-to-acme-echo-0", from: "globex", to: "acme", workload: "echo", port: 8080, methods: ["GET"], paths: ["/api/v1/public/*"] },
    ]);
    assert.equal(spec.demoWorkloads, true);
    assert.equal(labConfig().demoWorkloads, true);
  });

  it("loads the production example: more tenants, custom quotas, gateway ingress and both cluster-wide layers", () => {
    const spec = loadStackSpec({ stack: "production" });
    assert.ok(spec.tenants.length >= 6);
    assert.ok(spec.tenants.every((t) => t.adminGroups.length > 0));
    assert.ok(spec.tenants.some((t) => t.quota.requestsCpu !== "4"));
    assert.deepEqual(spec.tenants.filter((t) => t.ingress.fromGateway).map((t) => t.name), ["acme"]);
    assert.equal(spec.install.ingressGateway, true);
    assert.equal(spec.layers.clusterNetworkPolicy && spec.layers.calico, true);
    assert.ok(spec.cluster.apiServerEndpoints.every((e) => !e.cidr.startsWith("10.96.0.1/")));
    assert.equal(spec.demoWorkloads, false);
  });
});
