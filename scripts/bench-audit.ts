// Audit benchmark (needs a live cluster, so not part of the offline `npm run bench`):
//   npm run bench:audit -- --kubeconfig FILE [--tenants 1000]
// Applies a synthetic platform of N tenants (syntheticConfig: namespaces, NetworkPolicies, Istio
// policies, Sidecars, demo Deployments and Services — the kinds the audit reads; Calico v3 objects
// only where served) by server-side apply, lets the controller-manager create ReplicaSets and Pods,
// then times what `verify --kubeconfig … --stack` does: the read (paginated) and the verdict with
// drift. Budget: read + verdict under 30 s for 1,000 tenants. Made for the local backend
// (`npm run lab -- --backend local`); it adds objects to the cluster it is given.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { renderableObjects } from "../components/render/cli";
import { validatePlatformConfig } from "../components/spec/validate";
import { runAudit } from "../lab/audit/audit";
import { connect } from "../lab/audit/client";
import { AUDIT_KINDS } from "../lab/audit/kinds";
import { readCluster } from "../lab/audit/read";
import { ensureTools } from "../lab/tools/build";
import { stackDemoWorkloads } from "../lab/workloads/demo";
import { syntheticConfig } from "../test/fixtures/platform";

export const AUDIT_BUDGET_MS = 30_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kubeconfig: { type: "string" }, tenants: { type: "string" }, "skip-apply": { type: "boolean" } } });
  if (!values.kubeconfig) throw new Error("bench:audit needs --kubeconfig FILE (e.g. .lab/local/kubeconfig after `npm run lab -- --backend local`)");
  const tenants = Number(values.tenants ?? 1000);
  const spec = validatePlatformConfig(syntheticConfig(tenants));
  const api = await connect({ kubeconfig: values.kubeconfig });
  const served = await api.servedGroupVersions();
  const readable = (o: { apiVersion: string; kind: string }) => AUDIT_KINDS.some((k) => k.kind === o.kind && k.versions.some((v) => (k.group ? `${k.group}/${v}` : v) === o.apiVersion)) && served.has(o.apiVersion);
  const objects = renderableObjects(spec, stackDemoWorkloads).filter(readable);
  if (!values["skip-apply"]) {
    const { layout } = await ensureTools({ repoRoot: join(__dirname, ".."), log: () => undefined });
    const kubectl = join(layout.bin, "kubectl");
    const started = Date.now();
    // Namespaces first, then everything else, in chunks kubectl sends as one stream.
    const ordered = [...objects.filter((o) => o.kind === "Namespace"), ...objects.filter((o) => o.kind !== "Namespace")];
    for (let i = 0; i < ordered.length; i += 1000) {
      const chunk = ordered.slice(i, i + 1000);
      execFileSync(kubectl, ["--kubeconfig", values.kubeconfig, "apply", "--server-side", "--force-conflicts", "--field-manager=hard-tenancy-bench", "-f", "-"], { input: chunk.map((o) => `---\n${stringify(o)}`).join(""), stdio: ["pipe", "ignore", "inherit"], maxBuffer: 1 << 28 });
      process.stderr.write(`applied ${Math.min(i + 1000, ordered.length)}/${ordered.length}\n`);
    }
    console.log(`applied ${ordered.length} objects for ${tenants} tenants in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const t0 = Date.now();
  const read = await readCluster(api, { meshNamespace: spec.meshNamespace });
  const readMs = Date.now() - t0;
  const result = runAudit(read, { spec, title: `synthetic ${tenants}`, mode: { kind: "verdict" }, ablate: [], drift: true });
  const totalMs = Date.now() - t0;
  const pods = read.kinds.find((k) => k.id === "Pod")?.count ?? 0;
  console.log(`${tenants} tenants: ${read.objects.length} objects read (${pods} pods) in ${(readMs / 1000).toFixed(1)} s; verdict + drift ${(result.evaluateMs / 1000).toFixed(1)} s; total ${(totalMs / 1000).toFixed(1)} s (budget ${AUDIT_BUDGET_MS / 1000} s) ${totalMs < AUDIT_BUDGET_MS ? "PASS" : "FAIL"}`);
  console.log(`  audit status ${result.status}: ${result.reasons.join("; ")}`);
  console.log(`  drift: ${result.drift?.items.length ?? 0} items; classes in the verdict: ${result.verdict?.classes.length}`);
  process.exitCode = totalMs < AUDIT_BUDGET_MS ? 0 : 1;
}

void main().catch((err: Error) => {
  console.error(`bench:audit: ${err.message}`);
  process.exitCode = 2;
});
