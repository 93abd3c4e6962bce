// A real sidecar in a meshed pod of the local dataplane (opt-in: `lab up --backend local --mesh
// sidecars`): what Istio's injection and istio-cni do for a pod, done by the local kubelet with
// Istio's own binaries — `pilot-agent istio-iptables` redirects the pod's traffic through Envoy in
// the pod's network namespace (istio-cni runs the same iptables builder there), then pilot-agent
// and upstream Envoy run as UID 1337 with the pod's identity: a TokenRequest token for the
// `istio-ca` audience (the injected projected volume), the `istio-ca-root-cert` ConfigMap, the pod's
// labels. The pod is labelled as istiod's injection labels it (`security.istio.io/tlsMode: istio`,
// `service.istio.io/canonical-name`), which is what turns on auto-mTLS towards it.
// Not Istio's webhook: the injected container spec is not rendered from the injection template.
import { chownSync, copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MeshSpec } from "../../../components/builders/istio-values";
import { ISTIO_PROXY_UID } from "../../../components/spec/labels";
import { logFileOf, startDaemon, stopDaemon, waitUntilReady } from "../processes";
import { inNetns } from "../dataplane/command";
import type { PodObject } from "../dataplane/pod-spec";
import { podLabelsFile, sidecarEnv, SIDECAR_PORTS } from "./config";
import type { MeshBinaries } from "./host-mesh";

const INJECT_LABEL = "sidecar.istio.io/inject";

export interface SidecarContext {
  binaries: MeshBinaries;
  spec: MeshSpec;
  logDir: string;
  pidDir: string;
  kubectl(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Istio's injection policy: the namespace has `istio-injection=enabled` and the pod does not opt out. */
export function wantsSidecar(pod: PodObject, namespaceLabels: Record<string, string>): boolean {
  return namespaceLabels["istio-injection"] === "enabled" && pod.metadata.labels?.[INJECT_LABEL] !== "false";
}

/** The workload name Istio derives (the Deployment's): `app` label, else the pod name without its hashes. */
export function canonicalName(pod: PodObject): string {
  return pod.metadata.labels?.app ?? pod.metadata.name.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, "");
}

/**
 * istio-iptables as Istio's injection template passes it for a sidecar: every outbound TCP to 15001,
 * every inbound port to 15006, UID 1337 exempt, the agent's and Envoy's own ports left alone.
 */
export function istioIptablesArgs(): string[] {
  return ["istio-iptables", "-p", String(SIDECAR_PORTS.outbound), "-z", String(SIDECAR_PORTS.inbound), "-u", String(ISTIO_PROXY_UID), "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", [SIDECAR_PORTS.prometheus, SIDECAR_PORTS.ready, SIDECAR_PORTS.agentStatus].join(",")];
}

/** Step 1, right after the pod's network is plumbed (as istio-cni does): the traffic redirection. */
export async function redirectPodTraffic(ctx: SidecarContext, netns: string): Promise<void> {
  const result = await inNetns(netns, [ctx.binaries.pilotAgent, ...istioIptablesArgs()], { allowFailure: true });
  if (result.code !== 0) throw new Error(`istio-iptables in ${netns} failed (exit ${result.code}): ${result.stderr.trim().split("\n").slice(-5).join("\n")}`);
}

async function rootCertificate(ctx: SidecarContext, namespace: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await ctx.kubectl(["get", "configmap", "istio-ca-root-cert", "-n", namespace, "-o", "jsonpath={.data.root-cert\\.pem}"]);
    if (got.code === 0 && got.stdout.includes("BEGIN CERTIFICATE")) return got.stdout;
    if (Date.now() > deadline) throw new Error(`istiod has not written ConfigMap ${namespace}/istio-ca-root-cert after ${timeoutMs / 1000} s (is the istiod pod running?)`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Step 2, after the app's containers started: pilot-agent + Envoy as UID 1337, waited for until ready. */
export async function startPodSidecar(ctx: SidecarContext, pod: PodObject, netns: string, podIp: string, podDir: string): Promise<string> {
  const { namespace, name } = pod.metadata;
  const workload = canonicalName(pod);
  const labels = { ...pod.metadata.labels, "security.istio.io/tlsMode": "istio", "service.istio.io/canonical-name": workload };
  await ctx.kubectl(["label", "pod", name, "-n", namespace, "--overwrite", "security.istio.io/tlsMode=istio", `service.istio.io/canonical-name=${workload}`]);
  const root = join(podDir, "root", "istio-proxy");
  for (const dir of ["var/run/secrets/tokens", "var/run/secrets/istio", "var/lib/istio/envoy", "etc/istio/proxy", "etc/istio/pod", "usr/local/bin"]) mkdirSync(join(root, dir), { recursive: true });
  const serviceAccount = pod.spec.serviceAccountName ?? "default";
  const token = await ctx.kubectl(["create", "token", serviceAccount, "-n", namespace, "--audience", "istio-ca", "--duration", "24h"]);
  if (token.code !== 0) throw new Error(`pod ${namespace}/${name}: minting its istio-ca token failed: ${token.stderr.trim()}`);
  writeFileSync(join(root, "var/run/secrets/tokens/istio-token"), token.stdout.trim(), { mode: 0o600 });
  writeFileSync(join(root, "var/run/secrets/istio/root-cert.pem"), await rootCertificate(ctx, namespace));
  copyFileSync(ctx.binaries.bootstrapTemplate, join(root, "var/lib/istio/envoy/envoy_bootstrap_tmpl.json"));
  writeFileSync(join(root, "etc/istio/pod/labels"), podLabelsFile(labels));
  // Envoy is exec'd by pilot-agent as UID 1337, which cannot search the tools cache (under a 0700
  // home): a hard link in the pod's root (a copy across file systems) is what it runs.
  const envoy = join(root, "usr/local/bin/envoy");
  if (!existsSync(envoy)) {
    // bin/envoy is a symlink into the virtualenv: link the file it names, not the link.
    const binary = realpathSync(ctx.binaries.envoy);
    try {
      linkSync(binary, envoy);
    } catch {
      copyFileSync(binary, envoy);
    }
  }
  chownRecursive(root, ISTIO_PROXY_UID, envoy);
  const daemon = `pod_${namespace}_${name}_istio-proxy`;
  // Envoy opens /dev/stdout for access logs: the log file must be writable by UID 1337, as a
  // container runtime's stdout pipe is.
  const logFile = logFileOf(ctx.logDir, daemon);
  writeFileSync(logFile, "", { flag: "a" });
  chownSync(logFile, ISTIO_PROXY_UID, ISTIO_PROXY_UID);
  const env = sidecarEnv({ namespace, pod: name, serviceAccount, ip: podIp, workload, labels }, ctx.spec, { envoyPath: envoy, discoveryAddress: `istiod.${ctx.spec.meshNamespace}.svc:15012` });
  const started = startDaemon({
    name: daemon,
    binary: "ip",
    args: ["netns", "exec", netns, "setpriv", `--reuid=${ISTIO_PROXY_UID}`, `--regid=${ISTIO_PROXY_UID}`, "--clear-groups", "--", ctx.binaries.pilotAgent, "proxy", "sidecar", "--domain", `${namespace}.svc.cluster.local`],
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/tmp", ...env },
    cleanEnv: true,
    cwd: root,
    logDir: ctx.logDir,
    pidDir: ctx.pidDir,
  });
  try {
    await waitUntilReady(started, async () => (await inNetns(netns, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", `http://127.0.0.1:${SIDECAR_PORTS.ready}/healthz/ready`], { allowFailure: true })).stdout === "200", { timeoutMs: 90_000, what: `the sidecar of ${namespace}/${name} (/healthz/ready)` });
  } catch (error) {
    await stopDaemon(started.pidFile, 5_000);
    throw error;
  }
  return daemon;
}

/** chown of the sidecar's root for UID 1337, except `keep` (the Envoy link shares the cache's inode). */
function chownRecursive(path: string, uid: number, keep: string): void {
  chownSync(path, uid, uid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownRecursive(child, uid, keep);
    else if (entry.isFile() && child !== keep) chownSync(child, uid, uid);
  }
}
