// The lab's demo workloads, as plain Kubernetes objects (pure: no Pulumi, no I/O).
//
// Per tenant namespace: `echo` (Deployment + Service + ServiceAccount, the echo server), and three
// probe sources, each a Deployment + ServiceAccount: `client` (meshed), `debug` (no sidecar) and
// `bypass` (meshed, but its curl runs as the proxy's UID so its own sidecar never sees its traffic).
// In the shared-services namespace: one echo server per shared service (the log collector), so a
// tenant's ingest request echoes the identity the collector saw. Every namespace that runs an echo
// server also gets the ConfigMap carrying its program.
//
// Every pod complies with Pod Security `restricted`, has requests and limits (tenant LimitRange and
// ResourceQuota apply), its own ServiceAccount (own SPIFFE identity) and no service-account token.
import { createHash } from "node:crypto";
import type { K8sObject } from "../../components/k8s/object";
import { APP_LABEL, ISTIO_PROXY_UID, TENANT_LABEL, managedBy } from "../../components/spec/labels";
import { parseQuantity } from "../../components/spec/quantity";
import type { PlatformSpec, SharedServiceSpec, TenantSpec } from "../../components/spec/types";
import {
  ECHO_SERVER_CONFIGMAP,
  ECHO_SERVER_ENV,
  ECHO_SERVER_FILE,
  ECHO_SERVER_MOUNT_PATH,
  ECHO_SERVER_PROGRAM,
} from "./echo-server";
import { IMAGE_USERS, resolveLabImages, type LabImages } from "./images";
import { BYPASS, CLIENT, DEBUG, ECHO } from "./names";

export interface DemoWorkloadOptions {
  /** Image overrides (mirrors, local builds); defaults are the digest-pinned `DEFAULT_LAB_IMAGES`. */
  images?: Partial<LabImages>;
  /**
   * The objects are the isolation model's probe stand-ins, never deployed: skip the check that the
   * demo containers fit each tenant's LimitRange (admission never sees them).
   */
  standIns?: boolean;
}

/** Pod label Istio's injector honours per pod (the label form; the annotation is deprecated). */
export const SIDECAR_INJECT_LABEL = "sidecar.istio.io/inject";
/** Per-pod ProxyConfig override annotation. */
export const PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config";
/**
 * `holdApplicationUntilProxyStarts`: the injector puts istio-proxy first and blocks the app
 * container's start until the proxy is ready, so a probe never runs before its sidecar can route
 * (Istio ProxyConfig reference).
 */
export const HOLD_UNTIL_PROXY_STARTS = JSON.stringify({ holdApplicationUntilProxyStarts: true });
/** Pod-template annotation carrying the echo program's hash, so a changed program rolls the pods. */
export const ECHO_PROGRAM_HASH_ANNOTATION = "hard-tenancy.io/echo-server-sha256";

/**
 * The curl containers keep a read-only root filesystem; the probe script (lab/check/script.ts)
 * writes its per-request files under /tmp, so each gets a small disk-backed emptyDir there
 * (emptyDir is among the volume types Pod Security `restricted` allows).
 */
export const PROBE_TMP = { volume: "tmp", mountPath: "/tmp", sizeLimit: "16Mi" } as const;

/** Requests/limits of the demo containers (well under the default LimitRange and quota). */
export const DEMO_RESOURCES = {
  echoServer: { requests: { cpu: "20m", memory: "48Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
  curl: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
} as const;

type Resources = (typeof DEMO_RESOURCES)[keyof typeof DEMO_RESOURCES];

/** Keeps a probe source alive for `kubectl exec`, and exits at once on SIGTERM (PID 1 ignores it otherwise). */
const IDLE_COMMAND = ["sh", "-c", "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done"];

interface Placement {
  namespace: string;
  /** Tenant name; undefined in the shared-services namespace. */
  tenant?: string;
}

interface WorkloadShape {
  name: string;
  serviceAccount: string;
  meshed: boolean;
  container: Record<string, unknown>;
  volumes?: Record<string, unknown>[];
  podAnnotations?: Record<string, string>;
}

/** Every demo object for every tenant and the shared-services namespace. Ignores `spec.demoWorkloads` (callers decide). */
export function buildDemoWorkloads(spec: PlatformSpec, options: DemoWorkloadOptions = {}): K8sObject[] {
  const images = resolveLabImages(options.images);
  const objects = spec.tenants.flatMap((tenant, index) => {
    if (spec.layers.quotas && !options.standIns) assertDemoFitsLimitRange(tenant, index);
    return tenantWorkloads(tenant, images);
  });
  if (spec.sharedServices.enabled) {
    objects.push(...sharedServiceWorkloads(spec.sharedServices.namespace, spec.sharedServices.services, images));
  }
  return objects;
}

/** The demo objects in one namespace (a tenant's, or the shared-services one). */
export function demoWorkloadsFor(spec: PlatformSpec, namespace: string, options: DemoWorkloadOptions = {}): K8sObject[] {
  const index = spec.tenants.findIndex((t) => t.namespace === namespace);
  const images = resolveLabImages(options.images);
  if (index >= 0) {
    if (spec.layers.quotas) assertDemoFitsLimitRange(spec.tenants[index], index);
    return tenantWorkloads(spec.tenants[index], images);
  }
  if (spec.sharedServices.enabled && spec.sharedServices.namespace === namespace) {
    return sharedServiceWorkloads(namespace, spec.sharedServices.services, images);
  }
  const known = [
    ...spec.tenants.map((t) => t.namespace),
    ...(spec.sharedServices.enabled ? [spec.sharedServices.namespace] : []),
  ];
  throw new Error(
    `demoWorkloadsFor: namespace "${namespace}" has no demo workloads; use a tenant's namespace or the shared-services namespace (${known.join(", ")})`,
  );
}

/** The tenant's LimitRange would reject a demo container whose limit exceeds its max: say so up front. */
function assertDemoFitsLimitRange(tenant: TenantSpec, index: number): void {
  const checks = [
    ["cpu", "maxCpu"],
    ["memory", "maxMemory"],
  ] as const;
  for (const [container, r] of Object.entries(DEMO_RESOURCES)) {
    for (const [resource, field] of checks) {
      const max = parseQuantity(tenant.limits[field]);
      const needed = parseQuantity(r.limits[resource]);
      if (max !== undefined && needed !== undefined && needed > max) {
        throw new Error(
          `tenants[${index}].limits.${field}: ${tenant.limits[field]} is below the demo ${container} container's ${resource} limit ${r.limits[resource]}; raise it to at least ${r.limits[resource]} or turn off demoWorkloads`,
        );
      }
    }
  }
}

function tenantWorkloads(tenant: TenantSpec, images: LabImages): K8sObject[] {
  const at: Placement = { namespace: tenant.namespace, tenant: tenant.name };
  return [
    echoProgramConfigMap(at),
    ...workload(at, echoServerShape(at, ECHO.name, ECHO.serviceAccount, ECHO.containerPort, images)),
    service(at, ECHO.name, ECHO.servicePort),
    ...workload(at, curlShape(CLIENT.name, CLIENT.serviceAccount, { meshed: true, uid: IMAGE_USERS.curl }, images)),
    ...workload(at, curlShape(DEBUG.name, DEBUG.serviceAccount, { meshed: false, uid: IMAGE_USERS.curl }, images)),
    // Istio's iptables rules (ISTIO_OUTPUT: `-m owner --uid-owner 1337 -j RETURN`, same for
    // --gid-owner; istio-cni installs the same rules) exempt the proxy's own traffic from redirection,
    // so a process running as UID/GID 1337 sends straight to the network, past its own sidecar:
    // plaintext and without the pod's identity.
    ...workload(at, curlShape(BYPASS.name, BYPASS.serviceAccount, { meshed: true, uid: ISTIO_PROXY_UID }, images)),
  ];
}

function sharedServiceWorkloads(namespace: string, services: SharedServiceSpec[], images: LabImages): K8sObject[] {
  if (services.length === 0) return [];
  const at: Placement = { namespace };
  return [
    echoProgramConfigMap(at),
    ...services.flatMap((svc) => [
      ...workload(at, echoServerShape(at, svc.name, svc.serviceAccount, svc.port, images)),
      service(at, svc.name, svc.port),
    ]),
  ];
}

function labelsFor(at: Placement, app?: string): Record<string, string> {
  return managedBy({
    ...(app === undefined ? {} : { [APP_LABEL]: app }),
    ...(at.tenant === undefined ? {} : { [TENANT_LABEL]: at.tenant }),
  });
}

function echoProgramConfigMap(at: Placement): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: ECHO_SERVER_CONFIGMAP, namespace: at.namespace, labels: labelsFor(at) },
    data: { [ECHO_SERVER_FILE]: ECHO_SERVER_PROGRAM },
  };
}

function echoServerShape(at: Placement, name: string, serviceAccount: string, port: number, images: LabImages): WorkloadShape {
  const fieldEnv = (envName: string, fieldPath: string) => ({ name: envName, valueFrom: { fieldRef: { fieldPath } } });
  return {
    name,
    serviceAccount,
    meshed: true,
    podAnnotations: { [ECHO_PROGRAM_HASH_ANNOTATION]: createHash("sha256").update(ECHO_SERVER_PROGRAM).digest("hex") },
    volumes: [{ name: "program", configMap: { name: ECHO_SERVER_CONFIGMAP, defaultMode: 0o444 } }],
    container: {
      name,
      image: images.echoServer,
      command: ["node", `${ECHO_SERVER_MOUNT_PATH}/${ECHO_SERVER_FILE}`],
      // Named `http`: Istio picks the protocol from the port name / appProtocol; L7 rules need HTTP.
      ports: [{ name: ECHO.portName, containerPort: port, protocol: "TCP" }],
      env: [
        { name: ECHO_SERVER_ENV.port, value: String(port) },
        { name: ECHO_SERVER_ENV.tenant, value: at.tenant ?? "" },
        fieldEnv(ECHO_SERVER_ENV.namespace, "metadata.namespace"),
        { name: ECHO_SERVER_ENV.workload, value: name },
        fieldEnv(ECHO_SERVER_ENV.pod, "metadata.name"),
      ],
      volumeMounts: [{ name: "program", mountPath: ECHO_SERVER_MOUNT_PATH, readOnly: true }],
      readinessProbe: { httpGet: { path: "/healthz", port: ECHO.portName }, periodSeconds: 5 },
      resources: resources(DEMO_RESOURCES.echoServer),
      securityContext: restrictedContainerSecurity(IMAGE_USERS.echoServer),
    },
  };
}

function curlShape(
  name: string,
  serviceAccount: string,
  mode: { meshed: boolean; uid: number },
  images: LabImages,
): WorkloadShape {
  return {
    name,
    serviceAccount,
    meshed: mode.meshed,
    volumes: [{ name: PROBE_TMP.volume, emptyDir: { sizeLimit: PROBE_TMP.sizeLimit } }],
    container: {
      name,
      image: images.curl,
      command: IDLE_COMMAND,
      volumeMounts: [{ name: PROBE_TMP.volume, mountPath: PROBE_TMP.mountPath }],
      resources: resources(DEMO_RESOURCES.curl),
      securityContext: restrictedContainerSecurity(mode.uid),
    },
  };
}

function resources(r: Resources): Record<string, Record<string, string>> {
  return { requests: { ...r.requests }, limits: { ...r.limits } };
}

/** Pod Security `restricted` at container level; the UID doubles as GID. */
function restrictedContainerSecurity(uid: number): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

function workload(at: Placement, shape: WorkloadShape): K8sObject[] {
  const labels = labelsFor(at, shape.name);
  const podLabels = { ...labels, [SIDECAR_INJECT_LABEL]: shape.meshed ? "true" : "false" };
  const podAnnotations = {
    ...(shape.meshed ? { [PROXY_CONFIG_ANNOTATION]: HOLD_UNTIL_PROXY_STARTS } : {}),
    ...shape.podAnnotations,
  };
  const serviceAccount: K8sObject = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: shape.serviceAccount, namespace: at.namespace, labels },
    automountServiceAccountToken: false,
  };
  const deployment: K8sObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: shape.name, namespace: at.namespace, labels },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 2,
      selector: { matchLabels: { [APP_LABEL]: shape.name } },
      template: {
        metadata: { labels: podLabels, ...(Object.keys(podAnnotations).length > 0 ? { annotations: podAnnotations } : {}) },
        spec: {
          serviceAccountName: shape.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 10,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [shape.container],
          ...(shape.volumes ? { volumes: shape.volumes } : {}),
        },
      },
    },
  };
  return [serviceAccount, deployment];
}

function service(at: Placement, name: string, port: number): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: at.namespace, labels: labelsFor(at, name) },
    spec: {
      type: "ClusterIP",
      selector: { [APP_LABEL]: name },
      ports: [{ name: ECHO.portName, appProtocol: "http", port, targetPort: ECHO.portName, protocol: "TCP" }],
    },
  };
}

/** Names the demo builder gives a tenant's own workloads (a grant naming one of them needs no stand-in). */
export const TENANT_DEMO_WORKLOAD_NAMES: readonly string[] = [ECHO.name, CLIENT.name, DEBUG.name, BYPASS.name];

/**
 * Stand-in servers for the workloads grants name that the demo does not provide (e.g. a grant to
 * acme's `api-gateway`), so the model can probe a grant on any platform: per granted
 * (namespace, workload), a meshed echo server Deployment + ServiceAccount named after the
 * workload, pod label `app: <workload>`, listening on every granted port, and a Service of the
 * same name exposing each granted port as itself. They mount the echo program ConfigMap that
 * `buildDemoWorkloads` puts in every tenant namespace; use the two together.
 */
export function grantTargetStandIns(spec: PlatformSpec, options: Pick<DemoWorkloadOptions, "images"> = {}): K8sObject[] {
  const images = resolveLabImages(options.images);
  const portsOf = new Map<string, { tenant: TenantSpec; workload: string; ports: number[] }>();
  const tenants = new Map(spec.tenants.map((t) => [t.name, t] as const));
  for (const grant of spec.grants) {
    if (TENANT_DEMO_WORKLOAD_NAMES.includes(grant.workload)) continue;
    const tenant = tenants.get(grant.to);
    if (!tenant) throw new Error(`grantTargetStandIns: grant ${grant.id} names destination "${grant.to}", which is not a tenant`);
    const key = `${tenant.namespace}/${grant.workload}`;
    const entry = portsOf.get(key) ?? { tenant, workload: grant.workload, ports: [] };
    if (!entry.ports.includes(grant.port)) entry.ports.push(grant.port);
    portsOf.set(key, entry);
  }
  return [...portsOf.values()].flatMap(({ tenant, workload: name, ports }) => {
    const at: Placement = { namespace: tenant.namespace, tenant: tenant.name };
    const shape = echoServerShape(at, name, name, ports[0], images);
    // The echo program listens on the first port; further granted ports are declared (named
    // http-<port>) so the Service and the policies resolve them as the model needs.
    const containerPorts = ports.map((port, i) => ({ name: standInPortName(i, port), containerPort: port, protocol: "TCP" }));
    return [...workload(at, { ...shape, container: { ...shape.container, ports: containerPorts } }), serviceOnPorts(at, name, ports)];
  });
}

function standInPortName(index: number, port: number): string {
  return index === 0 ? ECHO.portName : `${ECHO.portName}-${port}`;
}

function serviceOnPorts(at: Placement, name: string, ports: number[]): K8sObject {
  const svc = service(at, name, ports[0]);
  const spec = svc.spec as { ports: Record<string, unknown>[] };
  spec.ports = ports.map((port, i) => ({ name: standInPortName(i, port), appProtocol: "http", port, targetPort: standInPortName(i, port), protocol: "TCP" }));
  return svc;
}

/** The demo workloads a stack deploys: all of them when `spec.demoWorkloads`, none otherwise. */
export function stackDemoWorkloads(spec: PlatformSpec): K8sObject[] {
  return spec.demoWorkloads ? buildDemoWorkloads(spec) : [];
}
