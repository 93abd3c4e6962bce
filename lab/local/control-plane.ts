// The local backend's control plane: etcd, kube-apiserver and kube-controller-manager, built from
// their Go modules (lab/tools), run as plain processes with everything under .lab/local/.
//
// kube-apiserver runs as kind's does (kubeadm's flags): RBAC (+Node) authorization, client
// certificates, the default admission chain (NamespaceLifecycle, LimitRanger, ServiceAccount,
// PodSecurity, ResourceQuota, ValidatingAdmissionPolicy, …) plus NodeRestriction, service-account
// token signing, and the aggregation layer's front-proxy certificates. kube-controller-manager runs
// the controllers a tenant meets (quota, namespace, service accounts and their tokens, garbage
// collector, deployments/replicasets, endpoints) but not the node lifecycle controller: with no
// kubelet it would mark the Node NotReady, taint it and evict every pod.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { stringify } from "yaml";
import { ensurePki, type Pki } from "./pki";
import { LOCAL_CONTEXT, type LocalPaths } from "./paths";
import { freePort, isAlive, pidFileOf, portTaken, readPid, startDaemon, stopDaemon, waitUntilReady, type Daemon } from "./processes";

export interface ControlPlaneOptions {
  paths: LocalPaths;
  /** Directory of the built binaries (etcd, kube-apiserver, kube-controller-manager, kubectl). */
  binDir: string;
  serviceCidr: string;
  /** Address the API server binds and advertises. */
  bindAddress: string;
  /** Fixed API server port; default: a free one. A taken port is an error. */
  apiServerPort?: number;
  log: (line: string) => void;
  startTimeoutMs?: number;
}

export interface ControlPlaneState {
  apiServer: { address: string; port: number; url: string };
  etcd: { clientPort: number; peerPort: number };
  controllerManager: { port: number };
  serviceCidr: string;
  startedAt: string;
}

export interface ControlPlane {
  state: ControlPlaneState;
  pki: Pki;
  kubeconfig: string;
  /** ms from the first process start to every component ready. */
  startMs: number;
}

/** The order daemons start in; `down` stops them in reverse. */
export const DAEMONS = ["etcd", "kube-apiserver", "kube-controller-manager"] as const;

/**
 * kube-controller-manager runs every on-by-default controller (quota, namespace, service accounts
 * and their tokens, garbage collector, deployments/replicasets, endpoints, the admission policies'
 * type checker, …) except those that assume kubelets, a cloud or node IPAM: with no kubelet the
 * node lifecycle controller would mark the Node NotReady, taint it and evict every pod.
 */
export const DISABLED_CONTROLLERS = [
  "node-lifecycle-controller",
  "taint-eviction-controller",
  "device-taint-eviction-controller",
  "cloud-node-lifecycle-controller",
  "node-ipam-controller",
  "node-route-controller",
  "service-lb-controller",
];
export const CONTROLLERS = ["*", ...DISABLED_CONTROLLERS.map((c) => `-${c}`)];

function kubeconfigYaml(server: string, caFile: string, user: string, client: { cert: string; key: string }): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: LOCAL_CONTEXT, cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: user, user: { "client-certificate": client.cert, "client-key": client.key } }],
    contexts: [{ name: LOCAL_CONTEXT, context: { cluster: LOCAL_CONTEXT, user } }],
    "current-context": LOCAL_CONTEXT,
  });
}

/**
 * GET an HTTPS path with a client certificate; true on 200. `ca: undefined` skips server
 * verification: only for kube-controller-manager's health port on loopback, whose serving
 * certificate it makes up itself at start.
 */
function httpsOk(url: string, tls: { ca?: string; cert: string; key: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: "GET",
        ...(tls.ca ? { ca: readFileSync(tls.ca) } : { rejectUnauthorized: false }),
        cert: readFileSync(tls.cert),
        key: readFileSync(tls.key),
        timeout: 2000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode === 200));
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

export function readControlPlaneState(paths: LocalPaths): ControlPlaneState | undefined {
  if (!existsSync(paths.state)) return undefined;
  return JSON.parse(readFileSync(paths.state, "utf8")) as ControlPlaneState;
}

/** Daemons whose pid file names a live process. */
export function runningDaemons(paths: LocalPaths): string[] {
  return DAEMONS.filter((name) => {
    const pid = readPid(pidFileOf(paths.pids, name));
    return pid !== undefined && isAlive(pid);
  });
}

async function pickPort(fixed: number | undefined, host: string, what: string): Promise<number> {
  if (fixed === undefined) return freePort(host);
  if (await portTaken(fixed, host)) throw new Error(`${what}: port ${host}:${fixed} is already in use; stop what listens there or choose another port`);
  return fixed;
}

/**
 * Starts (or finds running) the control plane. Reuses etcd's data and the PKI of an earlier run;
 * a component that dies during start-up fails the call with the tail of its log.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { paths, log } = options;
  const bin = (name: string): string => join(options.binDir, name);
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const running = runningDaemons(paths);
  const previous = readControlPlaneState(paths);
  if (running.length === DAEMONS.length && previous) {
    const pki = await ensurePki({ dir: paths.certs, apiServerIps: [previous.apiServer.address] });
    log(`control plane already running (${previous.apiServer.url})`);
    return { state: previous, pki, kubeconfig: paths.kubeconfig, startMs: 0 };
  }
  if (running.length > 0) {
    log(`control plane partly running (${running.join(", ")}): restarting it`);
    for (const name of [...DAEMONS].reverse()) await stopDaemon(pidFileOf(paths.pids, name));
  }
  for (const dir of [paths.root, paths.logs, paths.pids]) mkdirSync(dir, { recursive: true });
  const serviceVip = firstServiceIp(options.serviceCidr);
  const pki = await ensurePki({ dir: paths.certs, apiServerIps: [options.bindAddress, serviceVip] });

  const started = Date.now();
  const etcdClientPort = await freePort();
  const etcdPeerPort = await freePort();
  const apiPort = await pickPort(options.apiServerPort, options.bindAddress, "kube-apiserver");
  const kcmPort = await freePort();
  const daemonDirs = { logDir: paths.logs, pidDir: paths.pids };

  const etcd = startDaemon({
    ...daemonDirs,
    name: "etcd",
    binary: bin("etcd"),
    args: [
      "--name=hard-tenancy-local",
      `--data-dir=${paths.etcdData}`,
      `--listen-client-urls=https://127.0.0.1:${etcdClientPort}`,
      `--advertise-client-urls=https://127.0.0.1:${etcdClientPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=hard-tenancy-local=http://127.0.0.1:${etcdPeerPort}`,
      `--cert-file=${pki.etcdServer.cert}`,
      `--key-file=${pki.etcdServer.key}`,
      `--trusted-ca-file=${pki.etcdCa.cert}`,
      "--client-cert-auth=true",
      "--listen-metrics-urls=",
      "--log-level=warn",
      "--quota-backend-bytes=4294967296",
    ],
  });
  const etcdMs = await waitUntilReady(etcd, () => httpsOk(`https://127.0.0.1:${etcdClientPort}/health`, { ca: pki.etcdCa.cert, cert: pki.apiServerEtcdClient.cert, key: pki.apiServerEtcdClient.key }), {
    timeoutMs,
    what: "etcd /health",
  });
  log(`  etcd ready in ${(etcdMs / 1000).toFixed(1)} s (https://127.0.0.1:${etcdClientPort})`);

  const apiUrl = `https://${options.bindAddress}:${apiPort}`;
  const apiServer = startDaemon({
    ...daemonDirs,
    name: "kube-apiserver",
    binary: bin("kube-apiserver"),
    args: [
      `--etcd-servers=https://127.0.0.1:${etcdClientPort}`,
      `--etcd-cafile=${pki.etcdCa.cert}`,
      `--etcd-certfile=${pki.apiServerEtcdClient.cert}`,
      `--etcd-keyfile=${pki.apiServerEtcdClient.key}`,
      `--bind-address=${options.bindAddress}`,
      `--advertise-address=${options.bindAddress}`,
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.apiServer.cert}`,
      `--tls-private-key-file=${pki.apiServer.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--service-cluster-ip-range=${options.serviceCidr}`,
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction",
      "--allow-privileged=true",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccount.pub}`,
      `--service-account-signing-key-file=${pki.serviceAccount.key}`,
      `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
      "--requestheader-allowed-names=front-proxy-client",
      "--requestheader-username-headers=X-Remote-User",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
      `--proxy-client-key-file=${pki.frontProxyClient.key}`,
      "--enable-aggregator-routing=true",
      "--profiling=false",
      `--cert-dir=${join(paths.certs, "apiserver-generated")}`,
    ],
  });
  const admin = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
  const apiMs = await waitUntilReady(apiServer, () => httpsOk(`${apiUrl}/readyz`, admin), { timeoutMs, what: `${apiUrl}/readyz` });
  log(`  kube-apiserver ready in ${(apiMs / 1000).toFixed(1)} s (${apiUrl})`);

  writeFileSync(paths.kubeconfig, kubeconfigYaml(apiUrl, pki.ca.cert, "hard-tenancy-admin", pki.admin), { mode: 0o600 });
  const kcmKubeconfig = join(paths.root, "controller-manager.kubeconfig");
  writeFileSync(kcmKubeconfig, kubeconfigYaml(apiUrl, pki.ca.cert, "system:kube-controller-manager", pki.controllerManager), { mode: 0o600 });

  const controllerManager = startDaemon({
    ...daemonDirs,
    name: "kube-controller-manager",
    binary: bin("kube-controller-manager"),
    args: [
      `--kubeconfig=${kcmKubeconfig}`,
      `--authentication-kubeconfig=${kcmKubeconfig}`,
      `--authorization-kubeconfig=${kcmKubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${kcmPort}`,
      `--controllers=${CONTROLLERS.join(",")}`,
      "--use-service-account-credentials=true",
      `--service-account-private-key-file=${pki.serviceAccount.key}`,
      `--root-ca-file=${pki.ca.cert}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
      `--service-cluster-ip-range=${options.serviceCidr}`,
      "--leader-elect=false",
      "--profiling=false",
      `--cert-dir=${join(paths.certs, "controller-manager-generated")}`,
    ],
  });
  const kcmMs = await waitUntilReady(controllerManager, () => httpsOk(`https://127.0.0.1:${kcmPort}/healthz`, { cert: pki.admin.cert, key: pki.admin.key }), {
    timeoutMs,
    what: `https://127.0.0.1:${kcmPort}/healthz`,
  });
  log(`  kube-controller-manager ready in ${(kcmMs / 1000).toFixed(1)} s`);

  const state: ControlPlaneState = {
    apiServer: { address: options.bindAddress, port: apiPort, url: apiUrl },
    etcd: { clientPort: etcdClientPort, peerPort: etcdPeerPort },
    controllerManager: { port: kcmPort },
    serviceCidr: options.serviceCidr,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`);
  return { state, pki, kubeconfig: paths.kubeconfig, startMs: Date.now() - started };
}

/** Stops every daemon it started (by pid file), newest first. Idempotent. */
export async function stopControlPlane(paths: LocalPaths, log: (line: string) => void): Promise<void> {
  for (const name of [...DAEMONS].reverse()) {
    const outcome = await stopDaemon(pidFileOf(paths.pids, name));
    log(`  ${name}: ${outcome}`);
  }
}

/** Removes everything under .lab/local (data, certs, logs, kubeconfig). */
export function removeLocalData(paths: LocalPaths): void {
  rmSync(paths.root, { recursive: true, force: true });
}

/** The first usable address of an IPv4 CIDR: the `kubernetes` Service VIP (10.96.0.1 for 10.96.0.0/16). */
export function firstServiceIp(cidr: string): string {
  const [base] = cidr.split("/");
  const octets = base.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new Error(`serviceCidr: ${cidr} is not an IPv4 CIDR`);
  const value = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3] + 1;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

export type { Daemon };
