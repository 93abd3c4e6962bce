// `kubectl get pods -A -o json` → what the check needs: where each workload's pods are, their IPs,
// readiness, and whether any of them carries a Kubernetes API token.
//
// The output is a `v1 List` whose items are Pods (apiVersion/kind on the list, each item a full Pod).
// API tokens: since Kubernetes 1.22 the automounted token is a projected volume `kube-api-access-*`
// whose `serviceAccountToken` source has no `audience` (= the API server's own audience), mounted at
// /var/run/secrets/kubernetes.io/serviceaccount. A pod can also project a token with an explicit
// audience — the API server's (e.g. https://kubernetes.default.svc.cluster.local) is just as good a
// credential — so every `serviceAccountToken` source counts except Istio's `istio-token` with
// `audience: istio-ca`, which the API server rejects. Legacy tokens come from a `secret` volume (or
// projected secret source) of a `kubernetes.io/service-account-token` Secret; the pod list does not
// carry the Secret's type, so such a volume counts when its Secret is known to be one (the caller's
// set), has the legacy generated name `<sa>-token-<5 chars>`, or projects the `token` key.
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
  /** API-server tokens found: "volume <name>[ (audience <a>| secret <s>)]" or "mount <path> in <container>". Empty = none. */
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

/** The audience of Istio's own projected token; the only token audience that is not an API credential here. */
export const ISTIO_TOKEN_AUDIENCE = "istio-ca";
/** Name kube-controller-manager gave legacy token Secrets (`<serviceaccount>-token-<random 5>`). */
const LEGACY_TOKEN_SECRET_NAME = /^.+-token-[a-z0-9]{5}$/;

function projectsTokenKey(secret: Json): boolean {
  return asArray(secret.items).some((item) => asString(asObject(item).key) === "token");
}

function isTokenSecret(namespace: string, secret: Json, knownTokenSecrets: ReadonlySet<string>): boolean {
  const name = asString(secret.secretName) ?? asString(secret.name) ?? "";
  return knownTokenSecrets.has(`${namespace}/${name}`) || LEGACY_TOKEN_SECRET_NAME.test(name) || projectsTokenKey(secret);
}

function volumeTokens(namespace: string, volume: Json, knownTokenSecrets: ReadonlySet<string>): string[] {
  const name = asString(volume.name) ?? "?";
  const found: string[] = [];
  for (const source of asArray(asObject(volume.projected).sources).map(asObject)) {
    if ("serviceAccountToken" in source) {
      const audience = asString(asObject(source.serviceAccountToken).audience) ?? "";
      if (audience !== ISTIO_TOKEN_AUDIENCE) found.push(audience === "" ? `volume ${name}` : `volume ${name} (audience ${audience})`);
    }
    if ("secret" in source && isTokenSecret(namespace, asObject(source.secret), knownTokenSecrets)) {
      found.push(`volume ${name} (secret ${asString(asObject(source.secret).name) ?? "?"})`);
    }
  }
  if ("secret" in volume && isTokenSecret(namespace, asObject(volume.secret), knownTokenSecrets)) {
    found.push(`volume ${name} (secret ${asString(asObject(volume.secret).secretName) ?? "?"})`);
  }
  return [...new Set(found)];
}

function apiTokenMounts(namespace: string, spec: Json, knownTokenSecrets: ReadonlySet<string>): string[] {
  const found = asArray(spec.volumes).flatMap((volume) => volumeTokens(namespace, asObject(volume), knownTokenSecrets));
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

export interface PodListOptions {
  /** `namespace/name` of Secrets known to be of type kubernetes.io/service-account-token. */
  serviceAccountTokenSecrets?: ReadonlySet<string>;
}

/** Parses `kubectl get pods [-A] -o json`. Throws a clear error on anything that is not a pod list. */
export function parsePodList(json: string, options: PodListOptions = {}): PodSummary[] {
  const knownTokenSecrets = options.serviceAccountTokenSecrets ?? new Set<string>();
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
    const namespace = asString(metadata.namespace) ?? "default";
    const conditions = asArray(status.conditions).map(asObject);
    return {
      namespace,
      name: asString(metadata.name) ?? "",
      app: labels[APP_LABEL],
      labels,
      serviceAccount: asString(spec.serviceAccountName) ?? "default",
      podIP: asString(status.podIP),
      phase: asString(status.phase) ?? "Unknown",
      ready: conditions.some((c) => c.type === "Ready" && c.status === "True"),
      containers: asArray(spec.containers).map((c) => asString(asObject(c).name) ?? ""),
      apiTokenMounts: apiTokenMounts(namespace, spec, knownTokenSecrets),
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
