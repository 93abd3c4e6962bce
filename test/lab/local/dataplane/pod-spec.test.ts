import { strict as assert } from "node:assert";
import { containerProcesses, processArgv, resolvConf, runningStatus, runsOnLocalNode, type PodObject } from "../../../../lab/local/dataplane/pod-spec";

function pod(overrides: Partial<PodObject["spec"]> = {}, metadata: Partial<PodObject["metadata"]> = {}): PodObject {
  return {
    metadata: { name: "echo-abc", namespace: "acme", uid: "u-1", ...metadata },
    spec: {
      serviceAccountName: "echo",
      securityContext: { runAsUser: 1000 },
      volumes: [{ name: "program", configMap: { name: "echo-server" } }],
      containers: [
        {
          name: "echo",
          command: ["node", "/app/server.js"],
          env: [
            { name: "PORT", value: "8080" },
            { name: "HT_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "HT_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
          ],
          ports: [{ containerPort: 8080 }],
          volumeMounts: [{ name: "program", mountPath: "/app" }],
          securityContext: { runAsUser: 1000, runAsGroup: 1000 },
        },
      ],
      ...overrides,
    },
  };
}

describe("the local node's reading of a pod", () => {
  it("runs unbound pods and pods bound to it, not other nodes', host-network, finished or deleting ones", () => {
    assert.equal(runsOnLocalNode(pod(), "n1"), true);
    assert.equal(runsOnLocalNode(pod({ nodeName: "n1" }), "n1"), true);
    assert.equal(runsOnLocalNode(pod({ nodeName: "n2" }), "n1"), false);
    assert.equal(runsOnLocalNode(pod({ hostNetwork: true }), "n1"), false);
    assert.equal(runsOnLocalNode(pod({}, { deletionTimestamp: "2026-01-01T00:00:00Z" }), "n1"), false);
    assert.equal(runsOnLocalNode({ ...pod(), status: { phase: "Succeeded" } }, "n1"), false);
  });

  it("runs a container's command with its mount paths mapped to host directories and the downward API resolved", () => {
    const [echo] = containerProcesses(pod(), "10.244.0.5", "/lab/pods/acme_echo-abc");
    assert.deepEqual(echo.argv, ["node", "/lab/pods/acme_echo-abc/volumes/program/server.js"]);
    assert.deepEqual(echo.env, { PORT: "8080", HT_POD_NAME: "echo-abc", HT_NAMESPACE: "acme" });
    assert.deepEqual(echo.volumes, [{ kind: "configMap", name: "echo-server", hostDir: "/lab/pods/acme_echo-abc/volumes/program", mountPath: "/app" }]);
    assert.equal(echo.uid, 1000);
    assert.equal(echo.gid, 1000);
  });

  it("refuses a container without a command (there is no image entrypoint here)", () => {
    const bad = pod();
    bad.spec.containers[0] = { ...bad.spec.containers[0], command: undefined };
    assert.throws(() => containerProcesses(bad, "10.244.0.5", "/d"), /acme\/echo-abc container echo: has no command/);
  });

  it("refuses a volume it cannot materialise, naming it", () => {
    const bad = pod({ volumes: [{ name: "program" }] });
    assert.throws(() => containerProcesses(bad, "10.244.0.5", "/d"), /volume program is not a ConfigMap, Secret or emptyDir/);
  });

  it("refuses an env source it does not resolve rather than starting the process without it", () => {
    const bad = pod();
    bad.spec.containers[0].env = [{ name: "X", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }];
    assert.throws(() => containerProcesses(bad, "10.244.0.5", "/d"), /fieldRef metadata.labels\['app'\] is not supported/);
  });

  it("starts the process in the pod's namespace as the container's user with only its added capabilities", () => {
    const [echo] = containerProcesses(pod(), "10.244.0.5", "/d");
    assert.deepEqual(processArgv("ht-pod-acme.echo-abc", echo), ["ip", "netns", "exec", "ht-pod-acme.echo-abc", "setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--", "node", "/d/volumes/program/server.js"]);
    const dns = { ...echo, addCapabilities: ["net_bind_service"] };
    assert.ok(processArgv("ns", dns).includes("--ambient-caps=+net_bind_service"));
  });

  it("writes the status a kubelet writes: Running, Ready, the pod IP", () => {
    const status = runningStatus(pod(), "10.244.0.5", "172.31.255.2", "2026-12-02T00:00:00Z").status as Record<string, unknown>;
    assert.equal(status.phase, "Running");
    assert.equal(status.podIP, "10.244.0.5");
    assert.deepEqual(status.podIPs, [{ ip: "10.244.0.5" }]);
    assert.ok((status.conditions as { type: string; status: string }[]).some((c) => c.type === "Ready" && c.status === "True"));
  });

  it("reports the pod IP before the pod is ready, so Felix lets a process reach the network before it listens", () => {
    const status = runningStatus(pod(), "10.244.0.5", "172.31.255.2", "2026-12-02T00:00:00Z", false).status as { podIP: string; conditions: { type: string; status: string }[]; containerStatuses: { ready: boolean }[] };
    assert.equal(status.podIP, "10.244.0.5");
    assert.equal(status.conditions.find((c) => c.type === "Ready")?.status, "False");
    assert.ok(status.containerStatuses.every((c) => !c.ready));
  });

  it("resolves names like a ClusterFirst pod", () => {
    assert.equal(resolvConf("acme", "10.96.0.10"), "search acme.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
  });
});

describe("the local node's path mapping", () => {
  it("maps an env value naming a file under a mount path, as it maps argv", () => {
    const p = pod();
    p.spec.containers[0].env = [{ name: "CONFIG", value: "/app/server.js" }, { name: "OTHER", value: "/elsewhere" }];
    const [echo] = containerProcesses(p, "10.244.0.5", "/d");
    assert.deepEqual(echo.env, { CONFIG: "/d/volumes/program/server.js", OTHER: "/elsewhere" });
  });
});
