// Which outbound listener a sidecar client's Envoy has on a port. Istio builds one outbound listener
// per port of every Service the proxy knows (its Sidecar egress scope): for an HTTP or
// protocol-sniffed port a wildcard `0.0.0.0:<port>` listener with an HTTP route (whose fallback is
// the PassthroughCluster), for a TCP-only port a listener on the Service's own address. Traffic to an
// address the proxy does not know goes through such a wildcard HTTP listener when one exists on the
// dialled port, else through the virtual outbound listener's TCP passthrough filter chain. So when a
// STRICT server resets the plaintext an unknown destination gets, the client sees its Envoy's
// `503 upstream connect error` only on a port with an HTTP outbound listener; elsewhere the TCP
// passthrough resets the connection (istio.io "Protocol Selection"; pilot
// `buildSidecarOutboundListeners`: HTTP ports bind 0.0.0.0, TCP ports the service VIP).
import { serviceSelects } from "./cluster";
import type { SidecarScopeLayer } from "./layers/sidecar-scope";
import type { ClusterModel, ServicePort, Workload } from "./types";

/** Istio protocol selection: a port named `tcp…`/`tls…` (or another TCP-only protocol) is not HTTP; unnamed ports are sniffed. */
export const NON_HTTP_PORT_PREFIXES = ["tcp", "tls", "mongo", "mysql", "redis"];

export function isNonHttpPortName(name: string | undefined): boolean {
  return name !== undefined && NON_HTTP_PORT_PREFIXES.some((p) => name === p || name.startsWith(`${p}-`));
}

/** Does Istio give this Service port a wildcard HTTP (or sniffing) outbound listener? */
export function servicePortIsHttp(port: ServicePort & { appProtocol?: string }): boolean {
  if (port.protocol !== "TCP") return false;
  if (port.appProtocol !== undefined) return !isNonHttpPortName(port.appProtocol.toLowerCase());
  return !isNonHttpPortName(port.name);
}

/** Does `client`'s Envoy have a wildcard HTTP (or sniffing) outbound listener on `port`? */
export function outboundHttpListenerLookup(model: ClusterModel, scope: SidecarScopeLayer): (client: Workload, port: number) => boolean {
  const cache = new Map<string, boolean>();
  return (client, port) => {
    const key = `${client.namespace}/${client.name}:${port}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const found = model.services.some(
      (service) => service.ports.some((p) => p.port === port && servicePortIsHttp(p)) && scope.knowsService(client, service).known && model.workloads.some((w) => serviceSelects(service, w)),
    );
    cache.set(key, found);
    return found;
  };
}
