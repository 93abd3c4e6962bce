// The one place that talks to @kubernetes/client-node (an ES module, loaded with import() from this
// CommonJS package). Core kinds are listed through the typed API and turned back into the wire JSON
// with the client's own serializer (typed models rename fields, e.g. `from` → `_from`, and turn
// timestamps into Dates); every grouped kind comes as plain JSON from the custom-objects API, which
// is a plain GET on /apis/<group>/<version>/<plural> for built-in groups too (kinds.ts says why).
// Every failure surfaces as ApiError with the HTTP status, so callers can tell 403 from 404.
import type * as K8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { apiVersionOf, type AuditKind } from "./kinds";

type Json = Record<string, unknown>;

/** The serializer writes every optional field it knows as `undefined`: drop them as the wire does. */
function plain(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

export class ApiError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface ListPage {
  items: Json[];
  continue?: string;
}

/** The read-only calls the audit makes. */
export interface ClusterApi {
  /** "context NAME at https://…" */
  readonly target: string;
  /** Group versions the API server serves: "v1", "apps/v1", "security.istio.io/v1", … */
  servedGroupVersions(): Promise<Set<string>>;
  listPage(kind: AuditKind, version: string, limit: number, continueToken?: string): Promise<ListPage>;
  /** undefined when the object does not exist (404). */
  getConfigMap(namespace: string, name: string): Promise<Json | undefined>;
}

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
}

/** The status code and the server's message of a failed call, without headers or stack. */
function toApiError(err: unknown, what: string): ApiError {
  const e = err as { code?: unknown; body?: unknown; message?: string };
  const status = typeof e.code === "number" ? e.code : undefined;
  let reason = "";
  const body = typeof e.body === "string" ? safeJson(e.body) : e.body;
  if (body && typeof body === "object" && typeof (body as Json).message === "string") reason = (body as Json).message as string;
  else if (typeof e.body === "string") reason = e.body.trim().split("\n")[0];
  if (!reason) reason = (e.message ?? String(err)).split("\n")[0];
  return new ApiError(status, `${what}: ${status !== undefined ? `HTTP ${status}: ` : ""}${reason}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Opens the kubeconfig (default: $KUBECONFIG or ~/.kube/config) at the context (default: its current one). */
export async function connect(options: ConnectOptions): Promise<ClusterApi> {
  const k8s = await import("@kubernetes/client-node");
  // No "exports" map in the package: the generated serializer is reachable by its path.
  const { ObjectSerializer } = await import("@kubernetes/client-node/dist/gen/models/ObjectSerializer.js");
  const kc = new k8s.KubeConfig();
  if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      throw new ApiError(undefined, `--context ${options.context}: no such context in ${options.kubeconfig ?? "the default kubeconfig"}; contexts: ${kc.getContexts().map((c) => c.name).join(", ") || "none"}`);
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ApiError(undefined, `${options.kubeconfig ?? "kubeconfig"}: no current context/cluster; pass --context NAME`);
  const typedApis = { CoreV1Api: kc.makeApiClient(k8s.CoreV1Api) };
  const customObjects = kc.makeApiClient(k8s.CustomObjectsApi);
  const apis = kc.makeApiClient(k8s.ApisApi);
  const core = kc.makeApiClient(k8s.CoreApi);
  return {
    target: `context ${kc.getCurrentContext()} at ${cluster.server}`,
    async servedGroupVersions() {
      try {
        const [coreVersions, groups] = await Promise.all([core.getAPIVersions(), apis.getAPIVersions()]);
        return new Set([...coreVersions.versions, ...groups.groups.flatMap((g: K8s.V1APIGroup) => g.versions.map((v) => v.groupVersion))]);
      } catch (err) {
        throw toApiError(err, "API discovery");
      }
    },
    async listPage(kind, version, limit, continueToken) {
      const what = `list ${kind.plural}.${apiVersionOf(kind.group, version)}`;
      try {
        if (kind.typed) {
          const api = typedApis[kind.typed.api] as unknown as Record<string, (p: object) => Promise<{ items: object[]; metadata?: { _continue?: string } }>>;
          const list = await api[kind.typed.method].call(typedApis[kind.typed.api], { limit, ...(continueToken ? { _continue: continueToken } : {}) });
          const apiVersion = apiVersionOf(kind.group, version);
          // Items of a typed list carry no apiVersion/kind (the serializer writes them as undefined).
          const items = list.items.map((item) => ({ ...plain(ObjectSerializer.serialize(item, kind.typed!.model, "")), apiVersion, kind: kind.kind }));
          return { items, ...(list.metadata?._continue ? { continue: list.metadata._continue } : {}) };
        }
        const list = (await customObjects.listClusterCustomObject({ group: kind.group, version, plural: kind.plural, limit, ...(continueToken ? { _continue: continueToken } : {}) })) as { items?: Json[]; metadata?: { continue?: string } };
        // Items of a built-in kind's list carry no apiVersion/kind on the wire.
        const apiVersion = apiVersionOf(kind.group, version);
        const items = (list.items ?? []).map((item) => ({ ...item, apiVersion, kind: kind.kind }));
        return { items, ...(list.metadata?.continue ? { continue: list.metadata.continue } : {}) };
      } catch (err) {
        throw toApiError(err, what);
      }
    },
    async getConfigMap(namespace, name) {
      try {
        const cm = await typedApis.CoreV1Api.readNamespacedConfigMap({ namespace, name });
        return { ...plain(ObjectSerializer.serialize(cm, "V1ConfigMap", "")), apiVersion: "v1", kind: "ConfigMap" };
      } catch (err) {
        const e = toApiError(err, `get configmap ${namespace}/${name}`);
        if (e.status === 404) return undefined;
        throw e;
      }
    },
  };
}
