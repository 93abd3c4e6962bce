// kube-proxy in the node namespace, iptables mode: Service VIPs (the `kubernetes` Service's
// 10.96.0.1:443 included) are DNATed there before Felix's forward-chain policy sees the packet — so
// a NetworkPolicy must allow the API server's real endpoint, not the VIP (DESIGN §4), and here it
// is tested on real packets.
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { startDaemon, waitUntilReady, type Daemon } from "../processes";
import { NODE_NETNS, UPLINK } from "./topology";

export const KUBE_PROXY_HEALTH_PORT = 10256;

export function kubeProxyConfiguration(options: { kubeconfig: string; nodeName: string; podCidr: string }): Record<string, unknown> {
  return {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    clientConnection: { kubeconfig: options.kubeconfig },
    hostnameOverride: options.nodeName,
    mode: "iptables",
    clusterCIDR: options.podCidr,
    // NodePorts only on the node's own (uplink) address, not on every local address.
    nodePortAddresses: ["primary"],
    bindAddress: UPLINK.nodeAddress,
    healthzBindAddress: `${UPLINK.nodeAddress}:${KUBE_PROXY_HEALTH_PORT}`,
    metricsBindAddress: `${UPLINK.nodeAddress}:10249`,
    // conntrack limits are host-wide sysctls: leave them as the host has them.
    conntrack: { maxPerCore: 0, min: 0 },
    iptables: { masqueradeAll: false, syncPeriod: "10s", minSyncPeriod: "0s" },
  };
}

async function kubeProxyHealthy(): Promise<boolean> {
  const response = await fetch(`http://${UPLINK.nodeAddress}:${KUBE_PROXY_HEALTH_PORT}/healthz`, { signal: AbortSignal.timeout(2_000) });
  return response.status === 200;
}

export async function startKubeProxy(options: { binary: string; configFile: string; kubeconfig: string; nodeName: string; podCidr: string; logDir: string; pidDir: string; timeoutMs?: number }): Promise<{ daemon: Daemon; readyMs: number }> {
  writeFileSync(options.configFile, stringify(kubeProxyConfiguration(options)));
  const daemon = startDaemon({
    name: "kube-proxy",
    binary: "ip",
    args: ["netns", "exec", NODE_NETNS, options.binary, `--config=${options.configFile}`, "--v=1"],
    logDir: options.logDir,
    pidDir: options.pidDir,
  });
  const readyMs = await waitUntilReady(daemon, kubeProxyHealthy, { timeoutMs: options.timeoutMs ?? 60_000, what: `kube-proxy /healthz on ${UPLINK.nodeAddress}:${KUBE_PROXY_HEALTH_PORT} (Services and EndpointSlices synced into iptables)` });
  return { daemon, readyMs };
}
