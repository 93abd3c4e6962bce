// The audit against a real API server (npm run test:live): the lab stack applied by the local
// backend, then three hand-made drifts — (a) one tenant's default-deny edited, (b) a tenant's
// cross-tenant DENY AuthorizationPolicy deleted, (c) tenant NetworkPolicies admitting another
// tenant — each reported as drift, with exactly the paths the model says they open.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { runAuditCli } from "../../lab/audit/cli";
import { localPaths } from "../../lab/local/paths";
import { workingStackConfigPath } from "../../lab/plan/config-copy";
import type { LabSettings } from "../../lab/plan/settings";
import { kubectl } from "../../lab/plan/steps";
import type { LabIO } from "../../lab/run/execute";
import { useLiveLab } from "./local-lab";


interface AuditJson {
  status: string;
  exitCode: number;
  layers: { layer: string; seen: boolean; reasons: string[] }[];
  kinds: { id: string; status: string }[];
  drift: { items: { type: string; ref: string; changes?: { path: string; desired?: unknown; live?: unknown }[] }[] };
  impact: { opened: { probe: string; openedLayers: string[]; stillDeniedBy: string[] }[]; perItem: { ref: string; opened: unknown[] }[] };
  verdict: { summary: unknown; conformance?: { conforming: number; deviating: { tenant: string; ingress: boolean; egress: boolean }[] } };
}

describe("audit of a live cluster (local backend, lab stack)", function () {
  this.timeout(30 * 60_000);
  const lab = useLiveLab("ht-live-audit-", { dataplane: "off" });
  let labDir: string;
  let settings: LabSettings;
  let io: LabIO;
  before(() => ({ labDir, settings, io } = lab()));

  async function audit(...extra: string[]): Promise<{ code: number; json: AuditJson }> {
    let out = "";
    const code = await runAuditCli(["--kubeconfig", localPaths(labDir).kubeconfig, "--config", workingStackConfigPath(settings), "--format", "json", "--quiet", ...extra], { stdout: (t) => (out += t), stderr: () => undefined });
    return { code, json: JSON.parse(out) as AuditJson };
  }

  async function run(args: string[], stdin?: string): Promise<void> {
    const result = await io.run(kubectl(settings, ...args), { timeoutMs: 60_000, ...(stdin ? { stdin } : {}) });
    assert.equal(result.code, 0, result.stderr);
  }

  it("reads the freshly deployed stack without drift, reports Calico v3 as not served and never passes that layer (exit 2)", async () => {
    const dump = join(labDir, "dump");
    const { code, json } = await audit("--dump", dump);
    assert.deepEqual(json.drift.items, []);
    const calico = json.layers.find((l) => l.layer === "calico")!;
    assert.equal(calico.seen, false);
    assert.match(calico.reasons.join(" "), /projectcalico\.org\/v3 not served/);
    assert.ok(json.layers.filter((l) => l.layer !== "calico").every((l) => l.seen));
    assert.equal(json.status, "incomplete");
    assert.equal(code, 2);
    assert.ok(readdirSync(dump).includes("NetworkPolicy.networking.k8s.io.yaml"));
    // What the API server and its controllers added (uids, clusterIPs, ReplicaSets, hashed Pods) is no deviation.
    const grouped = await audit("--grouping", "on");
    assert.deepEqual(grouped.json.verdict.conformance, { conforming: 3, deviating: [] });
  });

  describe("after (a) an edited default-deny, (b) a deleted cross-tenant DENY, (c) NetworkPolicies admitting another tenant", () => {
    let result: { code: number; json: AuditJson };
    before(async () => {
      await run(["-n", "tenant-initech", "patch", "networkpolicy", "default-deny", "--type", "merge", "-p", '{"spec":{"policyTypes":["Egress"]}}']);
      await run(["-n", "tenant-globex", "delete", "authorizationpolicy", "deny-cross-tenant"]);
      const admit = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: admit-acme, namespace: tenant-globex}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tenant-acme}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-to-globex, namespace: tenant-acme}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tenant-globex}}}]}]
`;
      await run(["apply", "-f", "-"], admit);
      result = await audit();
    });

    it("reports each as drift: the field changed, the policy missing, the two policies extra", () => {
      const items = result.json.drift.items.map((i) => `${i.type} ${i.ref}`);
      assert.deepEqual(items, [
        "missing AuthorizationPolicy.security.istio.io tenant-globex/deny-cross-tenant",
        "changed NetworkPolicy.networking.k8s.io tenant-initech/default-deny",
        "extra NetworkPolicy.networking.k8s.io tenant-acme/egress-to-globex",
        "extra NetworkPolicy.networking.k8s.io tenant-globex/admit-acme",
      ]);
      const changed = result.json.drift.items.find((i) => i.type === "changed")!;
      assert.deepEqual(changed.changes, [{ path: "spec.policyTypes", desired: ["Ingress", "Egress"], live: ["Egress"] }]);
    });

    it("shows exactly the paths that open: acme to globex at the NetworkPolicy layer, still denied by the mesh layers", () => {
      const opened = result.json.impact.opened.map((o) => `${o.probe} [${o.openedLayers.join(",")}] still denied by ${o.stillDeniedBy.join(",")}`).sort();
      assert.deepEqual(opened, [
        "acme->globex/by-name/bypass [networkPolicy] still denied by peerAuthentication,authorization",
        "acme->globex/by-name/no-sidecar [networkPolicy] still denied by peerAuthentication,authorization",
        "acme->globex/by-name/sidecar [networkPolicy] still denied by peerAuthentication,authorization",
        "acme->globex/pod-direct/sidecar [networkPolicy] still denied by peerAuthentication,authorization",
      ]);
    });

    it("opens nothing through (a) or (b) alone: the tenants' other policies still isolate them", () => {
      for (const ref of ["AuthorizationPolicy.security.istio.io tenant-globex/deny-cross-tenant", "NetworkPolicy.networking.k8s.io tenant-initech/default-deny"]) {
        assert.deepEqual(result.json.impact.perItem.find((p) => p.ref === ref)?.opened, [], ref);
      }
    });

    it("groups by conformance with the stack: acme deviates outbound, globex inbound, initech both ways; the verdict is every pair's", async () => {
      const grouped = await audit("--grouping", "on");
      assert.deepEqual(grouped.json.verdict.conformance?.deviating.map((d) => `${d.tenant} ${d.ingress ? "in" : ""}${d.egress ? "out" : ""}`), ["acme out", "globex in", "initech inout"]);
      const everyPair = await audit("--grouping", "off");
      assert.deepEqual(grouped.json.verdict.summary, everyPair.json.verdict.summary);
    });

    it("fails the audit (exit 1): drift that widens access", () => {
      assert.equal(result.json.status, "findings");
      assert.equal(result.code, 1);
    });
  });
});
