import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { loadStackSpec } from "../../../components/spec/stack-config";
import { applyArgv, objectRef, phaseYaml, planDeploy } from "../../../lab/local/deploy";
import { stackDemoWorkloads } from "../../../lab/workloads/demo";
import { syntheticConfig } from "../../fixtures/platform";
import { renderableObjects } from "../../../components/render";
import { join } from "node:path";

const REPO = join(__dirname, "..", "..", "..");

describe("local deploy plan", () => {
  const spec = loadStackSpec({ stack: "lab" }, REPO);
  const plan = planDeploy(spec);
  const names = plan.phases.map((p) => p.name);
  const phaseOf = (predicate: (ref: string) => boolean): number => plan.phases.findIndex((p) => p.objects.some((o) => predicate(objectRef(o))));

  it("applies every rendered object and demo workload exactly once, or lists it as skipped", () => {
    const all = renderableObjects(spec, stackDemoWorkloads).map(objectRef);
    const applied = plan.phases.flatMap((p) => p.objects.map(objectRef));
    assert.equal(new Set(applied).size, applied.length);
    const skipped = plan.skipped.map((s) => s.object);
    for (const ref of all) assert.ok(applied.includes(ref) || skipped.includes(ref), `${ref} is neither applied nor skipped`);
  });

  it("creates the mesh namespace (privileged Pod Security for istio-cni) first, as the Pulumi program does", () => {
    assert.equal(names[0], "mesh namespace");
    const ns = plan.phases[0].objects[0];
    assert.equal(ns.metadata.name, spec.meshNamespace);
    assert.equal(ns.metadata.labels?.["pod-security.kubernetes.io/enforce"], "privileged");
  });

  it("skips the Calico v3 objects with the reason (no Calico API server on the local backend) and nothing else", () => {
    assert.ok(plan.skipped.length > 0);
    for (const skip of plan.skipped) assert.match(skip.reason, /^projectcalico\.org\/v3 is served by the Calico API server/);
  });

  it("binds the admission policy only after the policy exists, and before any tenant namespace", () => {
    assert.ok(names.indexOf("admission policies") < names.indexOf("admission policy bindings"));
    assert.ok(names.indexOf("admission policy bindings") < names.findIndex((n) => n.startsWith("tenant ")));
  });

  it("per tenant: namespace, default-deny, the rest, RBAC, then workloads", () => {
    for (const tenant of spec.tenants) {
      const order = ["namespace", "default-deny", "policies, quotas, service accounts", "RBAC", "workloads"].map((part) => names.indexOf(`tenant ${tenant.name}: ${part}`));
      assert.ok(order.every((index) => index >= 0), JSON.stringify(order));
      assert.deepEqual([...order].sort((a, b) => a - b), order);
    }
    assert.ok(phaseOf((r) => r.startsWith("Deployment/shared-services/")) > names.indexOf("shared-services policies"));
  });

  it("fails on a workload outside every tenant and the shared namespace", () => {
    const small = validatePlatformConfig(syntheticConfig(1));
    const stray = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "elsewhere" } };
    assert.throws(() => planDeploy(small, [stray]), /ConfigMap\/elsewhere\/x are not in a tenant or shared-services namespace/);
  });

  it("sends each phase as multi-document YAML to a server-side apply with field manager hard-tenancy", () => {
    assert.deepEqual(applyArgv("ctx"), ["kubectl", "--context", "ctx", "apply", "--server-side", "--field-manager=hard-tenancy", "-f", "-"]);
    const docs = parseAllDocuments(phaseYaml(plan.phases[1]));
    assert.equal(docs.length, plan.phases[1].objects.length);
  });
});

describe("deploying Calico's v3 objects with the local dataplane", () => {
  const spec = loadStackSpec({ file: join(REPO, "stacks", "Pulumi.lab.yaml") });

  it("skips them, with the reason, when there is no dataplane", () => {
    const plan = planDeploy(spec);
    assert.ok(plan.skipped.some((s) => s.object.startsWith("Tier/")));
    assert.ok(plan.phases.every((p) => p.via === undefined));
  });

  it("writes them through calicoctl, right after their phase's Kubernetes objects and in order (a tier before its policies)", () => {
    const plan = planDeploy(spec, undefined, { calico: "calicoctl" });
    assert.deepEqual(plan.skipped, []);
    const calico = plan.phases.filter((p) => p.via === "calicoctl");
    assert.ok(calico.length > 0);
    for (const phase of calico) assert.ok(phase.objects.every((o) => o.apiVersion === "projectcalico.org/v3"));
    const first = calico[0].objects.map((o) => o.kind);
    assert.ok(first.indexOf("Tier") < first.indexOf("GlobalNetworkPolicy"), first.join(","));
  });
});
