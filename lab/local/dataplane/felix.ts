// Calico in Kubernetes-datastore (KDD) mode without calico-node: the objects calico-node's startup
// and kube-controllers would have written (ClusterInformation marked ready, the default tiers, the
// IP pool = the pod CIDR), then calico-felix itself, run in the node namespace with the iptables
// dataplane. Why iptables (nft backend) rather than Felix's nftables mode: it is the dataplane every
// Calico release has shipped as default, and kube-proxy's iptables mode (also through iptables-nft,
// Debian's default `iptables`) is what Calico documents it alongside; both write the same kernel
// nf_tables through the same binary family, so neither clobbers the other's tables.
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";
import { startDaemon, waitUntilReady, type Daemon } from "../processes";
import { run, type CommandResult } from "./command";
import { CALICO_INTERFACE_PREFIX, NODE_NETNS, UPLINK } from "./topology";

/** Felix's health port (FELIX_HEALTHPORT default), bound on the node's uplink address. */
export const FELIX_HEALTH_PORT = 9099;
/** The Calico release the pinned module commit is (lab/tools/pins.yaml modules.calico). */
export const CALICO_RELEASE = "v3.30.1";

/**
 * Written as crd.projectcalico.org/v1 directly: calicoctl refuses to edit ClusterInformation
 * (calico-node's startup owns it). Felix waits, doing nothing, until datastoreReady is true.
 */
export function clusterInformation(): Record<string, unknown> {
  return {
    apiVersion: "crd.projectcalico.org/v1",
    kind: "ClusterInformation",
    metadata: { name: "default" },
    spec: { datastoreReady: true, calicoVersion: CALICO_RELEASE, clusterType: "k8s,kdd,hard-tenancy-local", clusterGUID: randomBytes(16).toString("hex") },
  };
}

/**
 * The v3 objects calico-node/kube-controllers/the Calico API server create on a real cluster: the
 * three tiers Calico 3.30 always has (policies without a tier live in "default"; Felix places
 * Kubernetes NetworkPolicies there and the AdminNetworkPolicy tiers around it) and the IP pool.
 */
export function calicoBootstrapObjects(podCidr: string): Record<string, unknown>[] {
  const tier = (name: string, order: number, defaultAction: "Deny" | "Pass") => ({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name }, spec: { order, defaultAction } });
  return [
    tier("adminnetworkpolicy", 1000, "Pass"),
    tier("default", 1_000_000, "Deny"),
    tier("baselineadminnetworkpolicy", 10_000_000, "Pass"),
    {
      apiVersion: "projectcalico.org/v3",
      kind: "IPPool",
      metadata: { name: "default-ipv4-ippool" },
      // One node, no overlay: pods are routed on the node; nothing leaves the cluster, so no NAT.
      spec: { cidr: podCidr, blockSize: 26, ipipMode: "Never", vxlanMode: "Never", natOutgoing: false, nodeSelector: "all()" },
    },
  ];
}

export interface CalicoClients {
  kubeconfig: string;
  calicoctl: string;
}

export function calicoctlEnv(kubeconfig: string): Record<string, string> {
  return { DATASTORE_TYPE: "kubernetes", KUBECONFIG: kubeconfig };
}

/** `calicoctl apply` of v3 objects (written into the crd.projectcalico.org/v1 CRDs). */
export function calicoctlApply(clients: CalicoClients, objects: readonly Record<string, unknown>[]): Promise<CommandResult> {
  return run([clients.calicoctl, "apply", "--allow-version-mismatch", "-f", "-"], { input: objects.map((o) => stringify(o)).join("---\n"), env: calicoctlEnv(clients.kubeconfig), timeoutMs: 120_000 });
}

export function calicoctlDelete(clients: CalicoClients, objects: readonly Record<string, unknown>[]): Promise<CommandResult> {
  return run([clients.calicoctl, "delete", "--allow-version-mismatch", "--skip-not-exists", "-f", "-"], { input: objects.map((o) => stringify(o)).join("---\n"), env: calicoctlEnv(clients.kubeconfig), timeoutMs: 120_000 });
}

/** Felix's environment: KDD, this node, iptables through nft, health on the uplink, no extras. */
export function felixEnv(nodeName: string, kubeconfig: string): Record<string, string> {
  return {
    FELIX_DATASTORETYPE: "kubernetes",
    KUBECONFIG: kubeconfig,
    FELIX_FELIXHOSTNAME: nodeName,
    FELIX_INTERFACEPREFIX: CALICO_INTERFACE_PREFIX,
    FELIX_IPTABLESBACKEND: "NFT",
    FELIX_IPV6SUPPORT: "false",
    FELIX_HEALTHENABLED: "true",
    FELIX_HEALTHHOST: UPLINK.nodeAddress,
    FELIX_HEALTHPORT: String(FELIX_HEALTH_PORT),
    // As upstream's calico.yaml: pods may reach their own node (kube-proxy health, node-local DNS).
    FELIX_DEFAULTENDPOINTTOHOSTACTION: "ACCEPT",
    FELIX_LOGSEVERITYSCREEN: "Info",
    FELIX_LOGFILEPATH: "none",
    FELIX_LOGSEVERITYFILE: "none",
    FELIX_USAGEREPORTINGENABLED: "false",
    FELIX_XDPENABLED: "false",
    FELIX_BPFENABLED: "false",
    FELIX_WIREGUARDENABLED: "false",
    FELIX_PROMETHEUSMETRICSENABLED: "false",
    // In iptables mode Felix first removes a BPF connect-time load balancer a previous BPF-mode run
    // may have left (int_dataplane.go → bpf/nat RemoveConnectTimeLoadBalancer). That path needs the
    // cgo libbpf; a CGO_ENABLED=0 build links libbpf_stub.go, whose DetachCTLBProgramsLegacy panics
    // ("LIBBPF syscall stub"). No BPF mode ever ran on this node, so there is nothing to remove; the
    // env var below is the switch upstream's own functional tests use to skip that cleanup.
    FELIX_DebugSkipCTLBCleanup: "true",
  };
}

async function felixReady(): Promise<boolean> {
  const response = await fetch(`http://${UPLINK.nodeAddress}:${FELIX_HEALTH_PORT}/readiness`, { signal: AbortSignal.timeout(2_000) });
  return response.status === 200;
}

export interface FelixOptions {
  binary: string;
  configFile: string;
  nodeName: string;
  kubeconfig: string;
  logDir: string;
  pidDir: string;
  timeoutMs?: number;
}

/** Starts Felix in the node namespace and waits for its readiness (datastore in sync, dataplane programmed). */
export async function startFelix(options: FelixOptions): Promise<{ daemon: Daemon; readyMs: number }> {
  const daemon = startDaemon({
    name: "calico-felix",
    binary: "ip",
    args: ["netns", "exec", NODE_NETNS, options.binary, "--config-file", options.configFile],
    env: felixEnv(options.nodeName, options.kubeconfig),
    logDir: options.logDir,
    pidDir: options.pidDir,
  });
  const readyMs = await waitUntilReady(daemon, felixReady, {
    timeoutMs: options.timeoutMs ?? 90_000,
    what: `Felix readiness (http://${UPLINK.nodeAddress}:${FELIX_HEALTH_PORT}/readiness: in sync with the Kubernetes datastore — every Calico CRD served, ClusterInformation datastoreReady — and the iptables dataplane programmed)`,
  });
  return { daemon, readyMs };
}
