// What the local "kubelet" reads from a Pod: which pods it runs, and for each container the process
// to start (its command and args, env with the downward API resolved, ConfigMap volumes mapped to
// files on the host, its UID/GID and added capabilities). Pure, so it is tested without a cluster.
// There is no container runtime: a container's command runs as a host process inside the pod's
// network namespace, so the command's program must exist on the host (node, sh, coredns, …).

export interface PodObject {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: {
    nodeName?: string;
    hostNetwork?: boolean;
    serviceAccountName?: string;
    securityContext?: SecurityContext;
    volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string }; emptyDir?: Record<string, unknown> }[];
    containers: ContainerSpec[];
  };
  status?: { phase?: string; podIP?: string };
}

interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  capabilities?: { add?: string[]; drop?: string[] };
}

interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { containerPort: number; protocol?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: SecurityContext;
}

export interface ContainerProcess {
  container: string;
  /** argv after mount paths are mapped to host directories. */
  argv: string[];
  env: Record<string, string>;
  uid: number;
  gid: number;
  /** Linux capability names without CAP_, lower case (setpriv's spelling), e.g. net_bind_service. */
  addCapabilities: string[];
  /** ConfigMap, Secret and emptyDir volumes this container mounts, each materialised into a host directory. */
  volumes: { kind: "configMap" | "secret" | "emptyDir"; name: string; hostDir: string; mountPath: string }[];
}

/** Pods the local node runs: bound to it or unbound, not host-networked, not being deleted, not finished. */
export function runsOnLocalNode(pod: PodObject, nodeName: string): boolean {
  if (pod.spec.hostNetwork || pod.metadata.deletionTimestamp) return false;
  if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return false;
  return pod.spec.nodeName === undefined || pod.spec.nodeName === "" || pod.spec.nodeName === nodeName;
}

function downwardValue(pod: PodObject, fieldPath: string, podIp: string): string {
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace;
    case "metadata.uid":
      return pod.metadata.uid;
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName ?? "default";
    case "spec.nodeName":
      return pod.spec.nodeName ?? "";
    case "status.podIP":
      return podIp;
    default:
      throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name}: env fieldRef ${fieldPath} is not supported by the local node (supported: metadata.name, metadata.namespace, metadata.uid, spec.serviceAccountName, spec.nodeName, status.podIP)`);
  }
}

/**
 * The process each container of `pod` runs; `podDir` is the host directory for its volumes. With no
 * mount namespace, a path under a volume's mount path (in argv or an env value) is rewritten to the
 * host directory the volume was materialised in; file contents are not rewritten.
 */
export function containerProcesses(pod: PodObject, podIp: string, podDir: string): ContainerProcess[] {
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  return pod.spec.containers.map((container) => {
    const where = `pod ${pod.metadata.namespace}/${pod.metadata.name} container ${container.name}`;
    const argv = [...(container.command ?? []), ...(container.args ?? [])];
    if (argv.length === 0) throw new Error(`${where}: has no command; the local node runs a container's command on the host (there is no image entrypoint to fall back to)`);
    const materialised: ContainerProcess["volumes"] = [];
    const mounts: { mountPath: string; hostDir: string }[] = [];
    for (const mount of container.volumeMounts ?? []) {
      const volume = volumes.get(mount.name);
      const source = volume?.configMap
        ? { kind: "configMap" as const, name: volume.configMap.name }
        : volume?.secret
          ? { kind: "secret" as const, name: volume.secret.secretName }
          : volume?.emptyDir
            ? { kind: "emptyDir" as const, name: mount.name }
            : undefined;
      if (!source) throw new Error(`${where}: volume ${mount.name} is not a ConfigMap, Secret or emptyDir; the local node mounts only those (mount paths are mapped onto host directories)`);
      const hostDir = `${podDir}/volumes/${mount.name}`;
      materialised.push({ ...source, hostDir, mountPath: mount.mountPath.replace(/\/$/, "") });
      mounts.push({ mountPath: mount.mountPath.replace(/\/$/, ""), hostDir });
    }
    const mapPath = (arg: string): string => {
      const mount = mounts.find((m) => arg === m.mountPath || arg.startsWith(`${m.mountPath}/`));
      return mount ? mount.hostDir + arg.slice(mount.mountPath.length) : arg;
    };
    const env: Record<string, string> = {};
    for (const variable of container.env ?? []) {
      // An empty value is dropped by the API server: no value and no valueFrom means "".
      // A value naming a file under a mount path is mapped like argv (e.g. a config file's path).
      if (variable.valueFrom === undefined) env[variable.name] = mapPath(variable.value ?? "");
      else if (variable.valueFrom.fieldRef) env[variable.name] = downwardValue(pod, variable.valueFrom.fieldRef.fieldPath, podIp);
      else throw new Error(`${where}: env ${variable.name} uses a source the local node does not resolve (only value and fieldRef)`);
    }
    const security = { ...pod.spec.securityContext, ...container.securityContext };
    const uid = security.runAsUser ?? 0;
    return {
      container: container.name,
      argv: argv.map(mapPath),
      env,
      uid,
      gid: security.runAsGroup ?? uid,
      addCapabilities: (container.securityContext?.capabilities?.add ?? []).map((c) => c.toLowerCase().replace(/^cap_/, "")),
      volumes: materialised,
    };
  });
}

/** argv that runs `process` inside `netns` as its user, with only its added capabilities. */
export function processArgv(netns: string, process: ContainerProcess): string[] {
  const caps = process.addCapabilities.map((c) => `+${c}`).join(",");
  return [
    "ip", "netns", "exec", netns,
    "setpriv", `--reuid=${process.uid}`, `--regid=${process.gid}`, "--clear-groups",
    ...(caps ? [`--inh-caps=${caps}`, `--ambient-caps=${caps}`] : []),
    "--", ...process.argv,
  ];
}

/**
 * The status a kubelet writes for a pod whose containers started: Running with its IP at once (Felix
 * programs a workload from its IP, so a process that needs the network before it listens — istiod
 * syncing with the API server — gets it), Ready once its ports listen.
 */
export function runningStatus(pod: PodObject, podIp: string, hostIp: string, startedAt: string, ready = true): Record<string, unknown> {
  const condition = (type: string) => ({ type, status: ready || type === "PodScheduled" || type === "Initialized" ? "True" : "False", lastTransitionTime: startedAt });
  return {
    status: {
      phase: "Running",
      hostIP: hostIp,
      hostIPs: [{ ip: hostIp }],
      podIP: podIp,
      podIPs: [{ ip: podIp }],
      startTime: startedAt,
      conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map(condition),
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image ?? "",
        imageID: "",
        ready,
        started: true,
        restartCount: 0,
        state: { running: { startedAt } },
      })),
    },
  };
}

/** resolv.conf a kubelet writes for a ClusterFirst pod. */
export function resolvConf(namespace: string, dnsIp: string, clusterDomain = "cluster.local"): string {
  return `search ${namespace}.svc.${clusterDomain} svc.${clusterDomain} ${clusterDomain}\nnameserver ${dnsIp}\noptions ndots:5\n`;
}
