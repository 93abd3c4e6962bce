import assert from "node:assert/strict";
import { parsePodList, podsOf } from "../../../lab/check/pods";

/** `kubectl get pods -A -o json` as kubectl prints it (abridged to the fields that matter, real names and shapes). */
function podList(): string {
  const meshedPod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "client-7c9d8b6f5-x2kqz", namespace: "tenant-acme", labels: { app: "client", "pod-template-hash": "7c9d8b6f5", "security.istio.io/tlsMode": "istio" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "client-7c9d8b6f5", controller: true }] },
    spec: {
      automountServiceAccountToken: false,
      serviceAccountName: "client",
      containers: [
        { name: "client", image: "curlimages/curl:8.11.1", volumeMounts: [] },
        { name: "istio-proxy", image: "docker.io/istio/proxyv2:1.30.2", volumeMounts: [{ mountPath: "/var/run/secrets/tokens", name: "istio-token" }, { mountPath: "/var/run/secrets/istio", name: "istiod-ca-cert" }] },
      ],
      volumes: [
        { name: "workload-socket", emptyDir: {} },
        { name: "istio-envoy", emptyDir: { medium: "Memory" } },
        { name: "istio-podinfo", downwardAPI: { defaultMode: 420, items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels" }, path: "labels" }] } },
        { name: "istio-token", projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: "istio-ca", expirationSeconds: 43200, path: "istio-token" } }] } },
        { name: "istiod-ca-cert", configMap: { defaultMode: 420, name: "istio-ca-root-cert" } },
      ],
    },
    status: { phase: "Running", podIP: "10.244.1.12", podIPs: [{ ip: "10.244.1.12" }], conditions: [{ type: "Initialized", status: "True" }, { type: "Ready", status: "True" }, { type: "ContainersReady", status: "True" }] },
  };
  const tokenPod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "intruder", namespace: "tenant-globex", labels: { app: "intruder" } },
    spec: {
      serviceAccountName: "default",
      containers: [{ name: "main", image: "busybox", volumeMounts: [{ mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", name: "kube-api-access-9xk2p", readOnly: true }] }],
      volumes: [
        {
          name: "kube-api-access-9xk2p",
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { items: [{ key: "ca.crt", path: "ca.crt" }], name: "kube-root-ca.crt" } },
              { downwardAPI: { items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" }] } },
            ],
          },
        },
      ],
    },
    status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }] },
  };
  return JSON.stringify({ apiVersion: "v1", items: [meshedPod, tokenPod], kind: "List", metadata: { resourceVersion: "" } }, null, 4);
}

/** A pod that carries API tokens in every other shape: explicit API audience, legacy token Secrets, a projected secret `token` key. */
function sneakyTokenList(): string {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "sneaky-5f7b9c-q8wzt", namespace: "tenant-globex", labels: { app: "sneaky" } },
    spec: {
      automountServiceAccountToken: false,
      serviceAccountName: "sneaky",
      containers: [
        {
          name: "main",
          image: "busybox",
          volumeMounts: [
            { mountPath: "/var/run/secrets/api", name: "api-token" },
            { mountPath: "/var/run/secrets/legacy", name: "legacy" },
            { mountPath: "/etc/config", name: "config" },
            { mountPath: "/var/run/secrets/ci", name: "ci" },
            { mountPath: "/var/run/secrets/known", name: "known" },
            { mountPath: "/var/run/secrets/vault", name: "vault-token" },
          ],
        },
      ],
      volumes: [
        { name: "api-token", projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: "https://kubernetes.default.svc.cluster.local", expirationSeconds: 3600, path: "token" } }] } },
        { name: "legacy", secret: { defaultMode: 420, secretName: "sneaky-token-x7k2q" } },
        { name: "config", secret: { defaultMode: 420, secretName: "app-config" } },
        { name: "ci", projected: { defaultMode: 420, sources: [{ secret: { name: "ci-bot", items: [{ key: "token", path: "token" }] } }] } },
        { name: "known", secret: { defaultMode: 420, secretName: "deployer" } },
        { name: "vault-token", projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: "vault", expirationSeconds: 600, path: "token" } }] } },
      ],
    },
    status: { phase: "Running", podIP: "10.244.2.9", conditions: [{ type: "Ready", status: "True" }] },
  };
  return JSON.stringify({ apiVersion: "v1", items: [pod], kind: "List", metadata: { resourceVersion: "" } });
}

describe("lab check pod list parsing", () => {
  it("reads namespace, app, service account, IP and readiness from kubectl's List output", () => {
    const [client, intruder] = parsePodList(podList());
    assert.deepEqual(
      { ns: client.namespace, app: client.app, sa: client.serviceAccount, ip: client.podIP, ready: client.ready, containers: client.containers },
      { ns: "tenant-acme", app: "client", sa: "client", ip: "10.244.1.12", ready: true, containers: ["client", "istio-proxy"] },
    );
    assert.deepEqual([intruder.podIP, intruder.ready, intruder.phase], [undefined, false, "Pending"]);
  });

  it("does not count Istio's istio-ca token as an API token, but flags kube-api-access volumes and the serviceaccount mount", () => {
    const [client, intruder] = parsePodList(podList());
    assert.deepEqual(client.apiTokenMounts, []);
    assert.deepEqual(intruder.apiTokenMounts, ["volume kube-api-access-9xk2p", "mount /var/run/secrets/kubernetes.io/serviceaccount in main"]);
  });

  it("counts a projected token with an explicit audience other than istio-ca, and secret volumes of service-account-token Secrets", () => {
    const [sneaky] = parsePodList(sneakyTokenList(), { serviceAccountTokenSecrets: new Set(["tenant-globex/deployer"]) });
    assert.deepEqual(sneaky.apiTokenMounts, [
      "volume api-token (audience https://kubernetes.default.svc.cluster.local)",
      "volume legacy (secret sneaky-token-x7k2q)",
      "volume ci (secret ci-bot)",
      "volume known (secret deployer)",
      "volume vault-token (audience vault)",
    ]);
  });

  it("does not count an ordinary secret volume, nor a Secret known as a token only in another namespace", () => {
    const [sneaky] = parsePodList(sneakyTokenList(), { serviceAccountTokenSecrets: new Set(["tenant-acme/deployer"]) });
    assert.equal(sneaky.apiTokenMounts.some((m) => m.includes("app-config") || m.includes("deployer")), false);
  });

  it("finds a workload's running pods by namespace/app", () => {
    const pods = parsePodList(podList());
    assert.deepEqual(podsOf(pods, "tenant-acme/client").map((p) => p.name), ["client-7c9d8b6f5-x2kqz"]);
    assert.deepEqual(podsOf(pods, "tenant-globex/intruder"), []);
  });

  it("explains output that is not a pod list", () => {
    assert.throws(() => parsePodList("error: You must be logged in to the server (Unauthorized)"), /output is not JSON/);
    assert.throws(() => parsePodList(JSON.stringify({ kind: "Status", status: "Failure" })), /expected kind List, got "Status"/);
  });
});
