// The API-server probe of each tenant: its sidecar-free `debug` pod calls every API server endpoint
// (post-DNAT address and port, as Calico and NetworkPolicy see it). A tenant without
// `apiServerAccess` must find it blocked (by NetworkPolicy and Calico both); a tenant with it must
// reach it. Sent from the sidecar-free pod so no Envoy answers in the API server's place: an open
// path reaches the API server itself, which answers plain HTTP on its TLS port with Go's
// "400 Client sent an HTTP request to an HTTPS server" (lab/check/classify.ts reads that as reached).
import { formatIp, parseCidr } from "../../components/spec/cidr";
import type { PlatformSpec, TenantSpec } from "../../components/spec/types";
import { DEBUG } from "../workloads/names";
import type { CataloguedProbe } from "./types";

/** Victim name of API probes in the catalogue and its reports. */
export const API_SERVER_VICTIM = "kube-apiserver";

/**
 * An address inside an endpoint CIDR: the address itself for a single host (/32, /128), else the
 * first host after the network address (the model only needs one inside the CIDR; `lab up`
 * narrows the lab's CIDR to the control-plane node /32 before the live check).
 */
export function endpointAddress(cidr: string): string {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`apiServerEndpoints: ${JSON.stringify(cidr)} is not a CIDR`);
  const bits = parsed.family === 4 ? 32 : 128;
  return formatIp(parsed.family, parsed.prefixLength >= bits - 1 ? parsed.network : parsed.network + 1n);
}

export function apiServerProbes(spec: PlatformSpec, tenant: TenantSpec): CataloguedProbe[] {
  const endpoints = spec.cluster.apiServerEndpoints;
  return endpoints.map((endpoint, i) => {
    const ip = endpointAddress(endpoint.cidr);
    const suffix = endpoints.length > 1 ? `/${i}` : "";
    return {
      id: `${tenant.name}->${API_SERVER_VICTIM}/${DEBUG.name}${suffix}`,
      from: `${tenant.namespace}/${DEBUG.name}`,
      to: { ip, port: endpoint.port },
      protocol: "HTTP",
      method: "GET",
      path: "/",
      client: "no-sidecar",
      intent: tenant.apiServerAccess ? "allow" : "deny",
      category: "api-server",
      attacker: tenant.name,
      victim: API_SERVER_VICTIM,
      description: tenant.apiServerAccess
        ? `${tenant.name} (apiServerAccess) reaches the API server at ${ip}:${endpoint.port}`
        : `${tenant.name} has no apiServerAccess: its pods must not reach the API server at ${ip}:${endpoint.port}`,
    };
  });
}
