// Audit benchmark (needs a live cluster, so not part of the offline `npm run bench`):
//   npm run bench:audit -- --kubeconfig FILE [--tenants 1000] [--runs 3] [--edits 10] [--seed 1] [--skip-apply]
// Applies a platform of N tenants that differ (test/fixtures/heterogeneous-platform.ts: shared-service
// subsets, grants between tenants, extra namespace labels, custom quotas, gateway exposure; every
// rendered object the cluster serves, Calico v3 only where served) by server-side apply, lets the
// controller-manager create ReplicaSets and Pods, then hand-edits `--edits` tenants the ways tenants
// do (a NetworkPolicy admitting another tenant, a widened Sidecar, an app with its Service, a
// deleted cross-tenant DENY). Then times, `--runs` times, what `verify --kubeconfig … --config`
// does: the read (paginated), the verdict, and drift with its isolation impact, each run on its
// own line with the machine's load average, then the median. Budget: read + verdict under 30 s for
// 1,000 tenants. Made for the local backend (`npm run lab -- --backend local`); it adds objects to
// the cluster it is given. Later runs can pass --skip-apply (the objects are still there).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import type { K8sObject } from "../components/k8s/object";
import { renderableObjects } from "../components/render/cli";
import type { PlatformSpec } from "../components/spec/types";
import { validatePlatformConfig } from "../components/spec/validate";
import { runAudit } from "../lab/audit/audit";
import { connect } from "../lab/audit/client";
import { AUDIT_KINDS } from "../lab/audit/kinds";
import { readCluster } from "../lab/audit/read";
import { ensureTools } from "../lab/tools/build";
import { stackDemoWorkloads } from "../lab/workloads/demo";
import { heterogeneousConfig } from "../test/fixtures/heterogeneous-platform";

export const AUDIT_BUDGET_MS = 30_000;

/** The hand edits, one per tenant, every `stride`-th tenant: objects to apply and objects to delete. */
function handEdits(spec: PlatformSpec, count: number): { apply: K8sObject[]; remove: { kind: string; namespace: string; name: string }[] } {
  const apply: K8sObject[] = [];
  const remove: { kind: string; namespace: string; name: string }[] = [];
  const stride = Math.max(1, Math.floor(spec.tenants.length / Math.max(1, count)));
  for (let i = 0; i < count && i * stride < spec.tenants.length; i++) {
    const t = spec.tenants[i * stride];
    const other = spec.tenants[(i * stride + 7) % spec.tenants.length];
    const labels = { app: "shop" };
    switch (i % 4) {
      case 0:
        apply.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: `admit-${other.name}`, namespace: t.namespace }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": other.namespace } } }] }] } });
        break;
      case 1:
        apply.push({ apiVersion: "networking.istio.io/v1", kind: "Sidecar", metadata: { name: "default", namespace: t.namespace }, spec: { egress: [{ hosts: ["*/*"] }] } });
        break;
      case 2:
        apply.push(
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "shop", namespace: t.namespace },
            // Pod Security `restricted` admits it (the tenant namespaces enforce it).
            spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } }, containers: [{ name: "shop", image: "example/shop:1", ports: [{ containerPort: 3000 }], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }] } } },
          },
          { apiVersion: "v1", kind: "Service", metadata: { name: "shop", namespace: t.namespace }, spec: { selector: labels, ports: [{ port: 3000, targetPort: 3000 }] } },
        );
        break;
      default:
        remove.push({ kind: "authorizationpolicy.security.istio.io", namespace: t.namespace, name: "deny-cross-tenant" });
    }
  }
  return { apply, remove };
}

function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kubeconfig: { type: "string" }, tenants: { type: "string" }, runs: { type: "string" }, edits: { type: "string" }, seed: { type: "string" }, "skip-apply": { type: "boolean" } } });
  if (!values.kubeconfig) throw new Error("bench:audit needs --kubeconfig FILE (e.g. .lab/local/kubeconfig after `npm run lab -- --backend local`)");
  const kubeconfig = values.kubeconfig;
  const tenants = Number(values.tenants ?? 1000);
  const runs = Number(values.runs ?? 1);
  const edits = Number(values.edits ?? 10);
  const seed = Number(values.seed ?? 1);
  for (const [name, n] of [["--tenants", tenants], ["--runs", runs], ["--seed", seed]] as const) if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: a whole number ≥ 1`);
  if (!Number.isInteger(edits) || edits < 0) throw new Error("--edits: a whole number ≥ 0");
  const spec = validatePlatformConfig(heterogeneousConfig(tenants, { seed }));
  const api = await connect({ kubeconfig });
  const served = await api.servedGroupVersions();
  const readable = (o: { apiVersion: string; kind: string }) => AUDIT_KINDS.some((k) => k.kind === o.kind && k.versions.some((v) => (k.group ? `${k.group}/${v}` : v) === o.apiVersion)) && served.has(o.apiVersion);
  if (!values["skip-apply"]) {
    const { layout } = await ensureTools({ repoRoot: join(__dirname, ".."), log: () => undefined });
    const kubectl = join(layout.bin, "kubectl");
    const apply = (objects: K8sObject[]) => {
      for (let i = 0; i < objects.length; i += 1000) {
        const chunk = objects.slice(i, i + 1000);
        execFileSync(kubectl, ["--kubeconfig", kubeconfig, "apply", "--server-side", "--force-conflicts", "--field-manager=hard-tenancy-bench", "-f", "-"], { input: chunk.map((o) => `---\n${stringify(o)}`).join(""), stdio: ["pipe", "ignore", "inherit"], maxBuffer: 1 << 28 });
        process.stderr.write(`applied ${Math.min(i + 1000, objects.length)}/${objects.length}\n`);
      }
    };
    const started = Date.now();
    // Every rendered object the cluster serves, not only the kinds the audit reads: without their
    // ServiceAccounts (and ConfigMaps) the ReplicaSets could create no Pods.
    const objects = renderableObjects(spec, stackDemoWorkloads).filter((o) => served.has(o.apiVersion));
    // Namespaces the charts create (e.g. the ingress gateway's) hold rendered objects too.
    const rendered = new Set(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
    const charted = [...new Set(objects.map((o) => o.metadata.namespace).filter((ns): ns is string => ns !== undefined && !rendered.has(ns)))];
    const namespaces: K8sObject[] = [...objects.filter((o) => o.kind === "Namespace"), ...charted.map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } }))];
    // Namespaces first, then everything else, in chunks kubectl sends as one stream.
    apply([...namespaces, ...objects.filter((o) => o.kind !== "Namespace")]);
    const edited = handEdits(spec, edits);
    apply(edited.apply.filter((o) => served.has(o.apiVersion)));
    for (const r of edited.remove) execFileSync(kubectl, ["--kubeconfig", kubeconfig, "-n", r.namespace, "delete", r.kind, r.name, "--ignore-not-found"], { stdio: ["ignore", "ignore", "inherit"] });
    console.log(`applied ${objects.length} objects for ${tenants} tenants and ${edits} hand edits in ${seconds(Date.now() - started)} s (${objects.filter(readable).length} of kinds the audit reads)`);
  }
  const totals: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const loadBefore = loadAverage();
    const t0 = Date.now();
    const read = await readCluster(api, { meshNamespace: spec.meshNamespace });
    const readMs = Date.now() - t0;
    const result = runAudit(read, { spec, title: `heterogeneous ${tenants}`, mode: { kind: "verdict" }, ablate: [], drift: true });
    const totalMs = Date.now() - t0;
    const verdictMs = readMs + result.verdictMs;
    totals.push(verdictMs);
    const pods = read.kinds.find((k) => k.id === "Pod")?.count ?? 0;
    const v = result.verdict;
    console.log(
      `run ${run}/${runs}: ${read.objects.length} objects (${pods} pods) read in ${seconds(readMs)} s; verdict ${seconds(result.verdictMs)} s (${v?.classes.length} classes, ${v?.cells.length} cells, ${v?.cells.filter((c) => c.deviant).length} of them for ${v?.conformance?.deviating.length ?? "?"} deviating tenants); read + verdict ${seconds(verdictMs)} s; drift + impact ${seconds(result.evaluateMs - result.verdictMs)} s (${result.drift?.items.length ?? 0} items, ${result.impact?.probes ?? 0} probes); total ${seconds(totalMs)} s; load average ${loadBefore} before, ${loadAverage()} after`,
    );
    if (run === 1) console.log(`  audit status ${result.status}: ${result.reasons.join("; ")}`);
  }
  const m = median(totals);
  console.log(`${tenants} tenants, ${runs} run(s): read + verdict median ${seconds(m)} s (budget ${AUDIT_BUDGET_MS / 1000} s) ${m < AUDIT_BUDGET_MS ? "PASS" : "FAIL"}`);
  process.exitCode = m < AUDIT_BUDGET_MS ? 0 : 1;
}

void main().catch((err: Error) => {
  console.error(`bench:audit: ${err.message}`);
  process.exitCode = 2;
});
