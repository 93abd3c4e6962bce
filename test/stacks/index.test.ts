import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { DEFAULT_VERSIONS } from "../../components/spec/defaults";
import { Graph, recordGraph, settled } from "../components/pulumi/mock-graph";

const ROOT = join(__dirname, "..", "..");
const PROGRAM = join(ROOT, "stacks", "index.ts");

/** A stack file's `config:` as the Pulumi engine hands it to the program: strings, structured values as JSON. */
function stackConfig(stack: string): Record<string, string> {
  const document = parse(readFileSync(join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(document.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Runs the program under mocks, as `pulumi up` would load it (fresh module each time). */
async function runProgram(config: Record<string, string>, registrations = recordGraph(config)): Promise<{ outputs: Record<string, unknown>; graph: Graph }> {
  for (const file of Object.keys(require.cache)) if (file.startsWith(join(ROOT, "stacks"))) delete require.cache[file];
  // A fresh require of the program, as `pulumi up` loads it (an import would be cached once).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const outputs = require(PROGRAM) as Record<string, unknown>;
  await settled();
  return { outputs, graph: new Graph(registrations) };
}

describe("stacks/index.ts (the Pulumi program, under mocks)", function () {
  it("deploys the lab stack and exports its tenants, namespaces, layers and versions", async () => {
    const { outputs, graph } = await runProgram(stackConfig("lab"));
    assert.deepEqual(outputs.tenants, [
      { name: "acme", namespace: "tenant-acme", ingressFromGateway: false },
      { name: "globex", namespace: "tenant-globex", ingressFromGateway: false },
      { name: "initech", namespace: "tenant-initech", ingressFromGateway: false },
    ]);
    assert.deepEqual(outputs.namespaces, {
      tenants: ["tenant-acme", "tenant-globex", "tenant-initech"],
      mesh: "istio-system",
      sharedServices: "shared-services",
      ingressGateway: null,
    });
    assert.ok((outputs.layersEnabled as string[]).includes("networkPolicy"));
    assert.deepEqual(outputs.layersDisabled, ["clusterNetworkPolicy"]);
    assert.deepEqual(outputs.versions, { calico: DEFAULT_VERSIONS.calico, certManager: DEFAULT_VERSIONS.certManager, istio: DEFAULT_VERSIONS.istio });
    assert.equal(outputs.cluster, "hard-tenancy-lab");
    assert.equal(outputs.demoWorkloads, true);
    assert.equal((outputs.grants as string[]).length, 1);
    assert.match((outputs.grants as string[])[0], /^globex-to-acme-echo/);
    // The demo workloads went in: a Deployment in every tenant and in the shared namespace.
    const deploymentNamespaces = new Set(graph.kind("Deployment").map((r) => r.name.split("/")[0]));
    assert.deepEqual([...deploymentNamespaces].sort(), ["shared-services", "tenant-acme", "tenant-globex", "tenant-initech"]);
    assert.equal(graph.ofType("hard-tenancy:platform:Platform").length, 1);
  });

  it("exposes the production stack's ingress gateway through a LoadBalancer Service (the default of ingressGateway.serviceType)", async () => {
    const { graph } = await runProgram(stackConfig("production"));
    const gateway = graph.byName("kubernetes:helm.sh/v3:Release", "hard-tenancy-istio-gateway");
    assert.equal((gateway.inputs.values as { service: { type: string } }).service.type, "LoadBalancer");
  });

  it("gives the lab stack's ingress gateway a ClusterIP Service when it is installed (kind has no load balancer)", async () => {
    const { graph } = await runProgram({ ...stackConfig("lab"), "hard-tenancy:install": JSON.stringify({ ingressGateway: true }) });
    const gateway = graph.byName("kubernetes:helm.sh/v3:Release", "hard-tenancy-istio-gateway");
    assert.equal((gateway.inputs.values as { service: { type: string } }).service.type, "ClusterIP");
  });

  it("targets the stack's kube context with the explicit provider", async () => {
    const { graph } = await runProgram(stackConfig("lab"));
    const [provider] = graph.ofType("pulumi:providers:kubernetes");
    assert.equal(provider.inputs.context, "kind-hard-tenancy-lab");
  });

  it("rejects an unknown hard-tenancy key (a typo must not weaken isolation) and registers nothing", async () => {
    const config = { ...stackConfig("lab"), "hard-tenancy:layer": JSON.stringify({ networkPolicy: false }) };
    const registrations = recordGraph(config);
    await assert.rejects(runProgram(config, registrations), (e: Error) => pulumi.RunError.isInstance(e) && /unknown key "layer"/.test(e.message) && /"layers"/.test(e.message));
    await settled();
    assert.deepEqual(registrations, []);
  });

  it("rejects a misspelt config namespace instead of silently ignoring the tenants", async () => {
    const { ["hard-tenancy:tenants"]: tenants, ...rest } = stackConfig("lab");
    await assert.rejects(runProgram({ ...rest, "hard-tenacy:tenants": tenants }), (e: Error) => /hard-tenacy:tenants/.test(e.message));
  });

  it("reports every problem of a bad stack config at once", async () => {
    const config = { ...stackConfig("lab"), "hard-tenancy:tenants": JSON.stringify([{ name: "Bad_Name" }, { name: "x", quota: { pods: -1 } }]), "hard-tenancy:meshNamespace": "istio-system" };
    await assert.rejects(runProgram(config), (e: Error) => /tenants\[0\]\.name/.test(e.message) && /tenants\[1\]\.quota\.pods/.test(e.message));
  });
});
