// Istio's real control plane and one real sidecar as host processes against the local control
// plane: istiod (pilot-discovery) with the platform's mesh config, and pilot-agent + upstream Envoy
// for one workload identity. No containers: each process gets a working directory laid out like its
// image (Istio resolves ./etc/... and ./var/... against it), the sidecar's token is minted through
// the TokenRequest API for the `istio-ca` audience (what the injected projected volume holds) and
// its root certificate is the `istio-ca-root-cert` ConfigMap istiod writes into every namespace.
//
// What this does NOT do yet (issue 15): run istiod as a pod, inject sidecars through istiod's
// webhook, or redirect a pod's traffic through Envoy (istio-iptables in the pod's namespace). It
// proves that the real istiod turns the platform's rendered Istio objects into Envoy configuration
// that upstream Envoy accepts, and issues SPIFFE certificates for the platform's trust domain.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { MeshSpec } from "../../../components/builders/istio-values";
import { pidFileOf, startDaemon, stopDaemon, waitUntilReady, type Daemon } from "../processes";
import { ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY, ISTIOD_PORTS, labMeshConfig, podLabelsFile, sidecarEnv, SIDECAR_PORTS, type SidecarIdentity } from "./config";

export interface MeshBinaries {
  pilotDiscovery: string;
  pilotAgent: string;
  envoy: string;
  /** Istio's Envoy bootstrap template (tools cache files/envoy_bootstrap_tmpl.json). */
  bootstrapTemplate: string;
}

export interface HostMeshContext {
  /** Directory for the processes' working directories. */
  dir: string;
  logDir: string;
  pidDir: string;
  /** Admin kubeconfig of the local control plane. */
  kubeconfig: string;
  kubectl(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export const ISTIOD_DAEMON = "istiod";

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return response.ok;
}

/**
 * Starts istiod with the platform's mesh config. It serves xDS and its CA on 15012 with a serving
 * certificate for istiod.<ns>.svc and `localhost` (ISTIOD_CUSTOM_HOST), so host sidecars can reach it.
 */
export async function startIstiod(ctx: HostMeshContext, spec: MeshSpec, binaries: MeshBinaries): Promise<{ daemon: Daemon; readyMs: number }> {
  const root = join(ctx.dir, "istiod");
  mkdirSync(join(root, "etc", "istio", "config"), { recursive: true });
  writeFileSync(join(root, "etc", "istio", "config", "mesh"), stringify(labMeshConfig(spec, { envoyPath: binaries.envoy })));
  const daemon = startDaemon({
    name: ISTIOD_DAEMON,
    binary: binaries.pilotDiscovery,
    args: [
      "discovery",
      "--meshConfig", "./etc/istio/config/mesh",
      "--kubeconfig", ctx.kubeconfig,
      "--httpAddr", `127.0.0.1:${ISTIOD_PORTS.http}`,
      "--monitoringAddr", `127.0.0.1:${ISTIOD_PORTS.monitoring}`,
      "--grpcAddr", `127.0.0.1:${ISTIOD_PORTS.plaintextXds}`,
      "--secureGRPCAddr", `:${ISTIOD_PORTS.secureXds}`,
      "--domain", "cluster.local",
    ],
    env: {
      POD_NAMESPACE: spec.meshNamespace,
      POD_NAME: "istiod-lab",
      REVISION: "default",
      CLUSTER_ID: "Kubernetes",
      JWT_POLICY: "third-party-jwt",
      PILOT_CERT_PROVIDER: "istiod",
      ISTIOD_CUSTOM_HOST: "localhost",
      ...ISTIOD_FLAGS_FOR_UPSTREAM_ENVOY,
    },
    cwd: root,
    logDir: ctx.logDir,
    pidDir: ctx.pidDir,
  });
  const readyMs = await waitUntilReady(daemon, () => httpOk(`http://127.0.0.1:${ISTIOD_PORTS.http}/ready`), { timeoutMs: 120_000, what: "istiod /ready" });
  return { daemon, readyMs };
}

export function sidecarDaemonName(identity: Pick<SidecarIdentity, "namespace" | "pod">): string {
  return `sidecar_${identity.namespace}_${identity.pod}`;
}

/** Polls until `get` succeeds (istiod writes istio-ca-root-cert shortly after it starts). */
async function eventually<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not there after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Starts pilot-agent (and through it Envoy) for one workload identity; waits for /healthz/ready. */
export async function startHostSidecar(ctx: HostMeshContext, spec: MeshSpec, binaries: MeshBinaries, identity: SidecarIdentity): Promise<{ daemon: Daemon; readyMs: number }> {
  const root = join(ctx.dir, sidecarDaemonName(identity));
  for (const dir of ["var/run/secrets/tokens", "var/run/secrets/istio", "var/lib/istio/envoy", "etc/istio/proxy", "etc/istio/pod"]) mkdirSync(join(root, dir), { recursive: true });
  const token = await ctx.kubectl(["create", "token", identity.serviceAccount, "-n", identity.namespace, "--audience", "istio-ca", "--duration", "1h"]);
  if (token.code !== 0) throw new Error(`minting the istio-ca token of ${identity.namespace}/${identity.serviceAccount}: ${token.stderr.trim()}`);
  writeFileSync(join(root, "var/run/secrets/tokens/istio-token"), token.stdout.trim(), { mode: 0o600 });
  const rootCert = await eventually(`ConfigMap ${identity.namespace}/istio-ca-root-cert`, async () => {
    const got = await ctx.kubectl(["get", "configmap", "istio-ca-root-cert", "-n", identity.namespace, "-o", "jsonpath={.data.root-cert\\.pem}"]);
    return got.code === 0 && got.stdout.includes("BEGIN CERTIFICATE") ? got.stdout : undefined;
  });
  writeFileSync(join(root, "var/run/secrets/istio/root-cert.pem"), rootCert);
  copyFileSync(binaries.bootstrapTemplate, join(root, "var/lib/istio/envoy/envoy_bootstrap_tmpl.json"));
  writeFileSync(join(root, "etc/istio/pod/labels"), podLabelsFile(identity.labels));
  const daemon = startDaemon({
    name: sidecarDaemonName(identity),
    binary: binaries.pilotAgent,
    args: ["proxy", "sidecar", "--domain", `${identity.namespace}.svc.cluster.local`],
    env: sidecarEnv(identity, spec, { envoyPath: binaries.envoy, discoveryAddress: `localhost:${ISTIOD_PORTS.secureXds}` }),
    cwd: root,
    logDir: ctx.logDir,
    pidDir: ctx.pidDir,
  });
  const readyMs = await waitUntilReady(daemon, () => httpOk(`http://127.0.0.1:${SIDECAR_PORTS.ready}/healthz/ready`), { timeoutMs: 60_000, what: "the sidecar's /healthz/ready" });
  return { daemon, readyMs };
}

export async function stopHostMesh(ctx: Pick<HostMeshContext, "pidDir">, daemons: string[]): Promise<void> {
  for (const name of daemons) await stopDaemon(pidFileOf(ctx.pidDir, name), 10_000);
}
