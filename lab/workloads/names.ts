// Names of the lab's demo workloads. The demo builder, the probe catalogue, the model and the
// live check all use these, so a probe always names something that exists.

/** HTTP echo server in every tenant: answers with tenant, workload, pod and the XFCC it received. */
export const ECHO = { name: "echo", serviceAccount: "echo", containerPort: 8080, portName: "http", servicePort: 80 } as const;
/** Meshed curl client (traffic goes through its own sidecar). */
export const CLIENT = { name: "client", serviceAccount: "client" } as const;
/** Sidecar-free debug pod (`sidecar.istio.io/inject: "false"`): plaintext, no identity. */
export const DEBUG = { name: "debug", serviceAccount: "debug" } as const;
/** Meshed pod whose curl runs as the proxy's UID 1337, so iptables does not redirect it: bypasses its own sidecar. */
export const BYPASS = { name: "bypass", serviceAccount: "bypass" } as const;

/** Source workloads the live check runs probes from, and how each one sends. */
export const PROBE_SOURCES = [
  { workload: CLIENT.name, client: "sidecar" },
  { workload: DEBUG.name, client: "no-sidecar" },
  { workload: BYPASS.name, client: "bypass" },
] as const;
