// `kubectl get pods -A -o json` → what the check needs: where each workload's pods are, their IPs,
// readiness, and whether any of them carries a Kubernetes API token.
//
// The output is a `v1 List` whose items are Pods (apiVersion/kind on the list, each item a full Pod).
// API tokens: since Kubernetes 1.22 the automounted token is a projected volume `kube-api-access-*`
// whose `serviceAccountToken` source has no `audience` (= the API server's own audience), mounted at
// /var/run/secrets/kubernetes.io/serviceaccount. Istio's sidecar adds a projected `istio-token`
// with `audience: istio-ca`: the API server rejects that audience, so it is not an API credential.
import { APP_LABEL } from "../../components/spec/labels";

export const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface PodSummary {
  namespace: string;
  name: string;
  /** `app` label (the workload name of the demo pods). */
  app?: string;
  labels: Record<string, string>;
  serviceAccount: string;
  podIP?: string;
  phase: string;
  ready: boolean;
  containers: string[];
  /** API-server tokens found: "volume <name>" or "mount <path> in <container>". Empty = none. */
  apiTokenMounts: string[];
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}
function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
function asStringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(asObject(value)).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

function apiTokenMounts(spec: Json): string[] {
  const found: string[] = [];
  for (const volume of asArray(spec.volumes).map(asObject)) {
    const sources = asArray(asObject(volume.projected).sources).map(asObject);
    const apiToken = sources.some((source) => {
      const token = asObject(source.serviceAccountToken);
      return "serviceAccountToken" in source && (asString(token.audience) ?? "") === "";
    });
    if (apiToken) found.push(`volume ${asString(volume.name) ?? "?"}`);
  }
  const containers = [...asArray(spec.containers), ...asArray(spec.initContainers)].map(asObject);
  for (const container of containers) {
    for (const mount of asArray(container.volumeMounts).map(asObject)) {
      if (asString(mount.mountPath)?.replace(/\/$/, "") === SERVICE_ACCOUNT_MOUNT_PATH) {
        found.push(`mount ${SERVICE_ACCOUNT_MOUNT_PATH} in ${asString(container.name) ?? "?"}`);
      }
    }
  }
  return found;
}

/** Parses `kubectl get pods [-A] -o json`. Throws a clear error on anything that is not a pod list. */
export function parsePodList(json: string): PodSummary[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new Error(`kubectl get pods -o json: output is not JSON (${(error as Error).message}); run it by hand to see what kubectl printed`);
  }
  const list = asObject(parsed);
  if (list.kind !== "List" && list.kind !== "PodList") {
    throw new Error(`kubectl get pods -o json: expected kind List, got ${JSON.stringify(list.kind)}`);
  }
  return asArray(list.items).map((item) => {
    const pod = asObject(item);
    const metadata = asObject(pod.metadata);
    const spec = asObject(pod.spec);
    const status = asObject(pod.status);
    const labels = asStringMap(metadata.labels);
    const conditions = asArray(status.conditions).map(asObject);
    return {
      namespace: asString(metadata.namespace) ?? "default",
      name: asString(metadata.name) ?? "",
      app: labels[APP_LABEL],
      labels,
      serviceAccount: asString(spec.serviceAccountName) ?? "default",
      podIP: asString(status.podIP),
      phase: asString(status.phase) ?? "Unknown",
      ready: conditions.some((c) => c.type === "Ready" && c.status === "True"),
      containers: asArray(spec.containers).map((c) => asString(asObject(c).name) ?? ""),
      apiTokenMounts: apiTokenMounts(spec),
    };
  });
}

/** Ready pods of workload `ns/app`, by name. */
export function podsOf(pods: readonly PodSummary[], workload: string): PodSummary[] {
  const [namespace, app] = workload.split("/");
  return pods
    .filter((pod) => pod.namespace === namespace && pod.app === app && pod.phase === "Running")
    .sort((a, b) => a.name.localeCompare(b.name));
}
