import assert from "node:assert/strict";
import type { K8sObject } from "../../../components/k8s/object";
import { APP_LABEL, ISTIO_PROXY_UID, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TENANT_LABEL } from "../../../components/spec/labels";
import type { PlatformSpec } from "../../../components/spec/types";
import {
  HOLD_UNTIL_PROXY_STARTS,
  PROBE_TMP,
  PROXY_CONFIG_ANNOTATION,
  SIDECAR_INJECT_LABEL,
  buildDemoWorkloads,
  demoWorkloadsFor,
  grantTargetStandIns,
} from "../../../lab/workloads/demo";
import { ECHO_SERVER_CONFIGMAP, ECHO_SERVER_FILE, ECHO_SERVER_PROGRAM } from "../../../lab/workloads/echo-server";
import { DEFAULT_LAB_IMAGES, isPinnedByDigest } from "../../../lab/workloads/images";
import { BYPASS, CLIENT, DEBUG, ECHO, PROBE_SOURCES } from "../../../lab/workloads/names";
import { labSpec } from "./lab-spec";
import { restrictedViolations } from "./pod-security";

type Json = Record<string, unknown>;

const spec = labSpec();
/** ConfigMap + (ServiceAccount + Deployment) × 4 workloads + the echo Service. */
const PER_TENANT_OBJECTS = 1 + 4 * 2 + 1;
const objects = buildDemoWorkloads(spec);

function ofKind(list: K8sObject[], kind: string): K8sObject[] {
  return list.filter((o) => o.kind === kind);
}
function names(list: K8sObject[]): string[] {
  return list.map((o) => o.metadata.name).sort();
}
function podTemplate(deployment: K8sObject): { metadata: Json; spec: Json } {
  const template = (deployment.spec as Json).template as { metadata: Json; spec: Json };
  return template;
}
function containersOf(deployment: K8sObject): Json[] {
  return podTemplate(deployment).spec.containers as Json[];
}
function deployment(namespace: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === "Deployment" && o.metadata.namespace === namespace && o.metadata.name === name);
  assert.ok(found, `Deployment ${namespace}/${name} exists`);
  return found;
}
/** Parse a quantity in cores or bytes (enough for the demo's own figures). */
function quantity(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(text);
  assert.ok(match, `${text} is a quantity`);
  const factor = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[match[2] ?? ""] ?? 1;
  return Number(match[1]) * factor;
}

function loadModel(kind: string): new (data: unknown) => { validate(): void } {
  const path = {
    Deployment: "kubernetes-models/apps/v1/Deployment",
    Service: "kubernetes-models/v1/Service",
    ServiceAccount: "kubernetes-models/v1/ServiceAccount",
    ConfigMap: "kubernetes-models/v1/ConfigMap",
  }[kind];
  assert.ok(path, `a kubernetes-models schema is known for ${kind}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as Record<string, new (data: unknown) => { validate(): void }>;
  return mod[kind];
}

describe("demo workloads", () => {
  it("every pod template passes the Pod Security restricted checks", () => {
    const deployments = ofKind(objects, "Deployment");
    assert.ok(deployments.length > 0);
    for (const d of deployments) {
      assert.deepEqual(restrictedViolations(podTemplate(d).spec), [], `${d.metadata.namespace}/${d.metadata.name}`);
    }
  });

  it("the restricted checker rejects a root, privileged, hostPath pod (so the check above can fail)", () => {
    const violations = restrictedViolations({
      hostNetwork: true,
      volumes: [{ name: "root", hostPath: { path: "/" } }],
      containers: [{ name: "bad", securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } } }],
    });
    for (const expected of ["hostNetwork", "hostPath", "privileged", "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser", "seccompProfile", "drop must include ALL", "NET_ADMIN"]) {
      assert.ok(violations.some((v) => v.includes(expected)), `flags ${expected}: ${violations.join("; ")}`);
    }
  });

  it("every object validates against the upstream Kubernetes schemas", () => {
    for (const o of objects) {
      const Model = loadModel(o.kind);
      assert.doesNotThrow(() => new Model(o).validate(), `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    }
  });

  it("each tenant gets exactly the workloads named in names.ts", () => {
    const expectedWorkloads = [ECHO.name, CLIENT.name, DEBUG.name, BYPASS.name].sort();
    for (const tenant of spec.tenants) {
      const inNamespace = objects.filter((o) => o.metadata.namespace === tenant.namespace);
      assert.deepEqual(names(ofKind(inNamespace, "Deployment")), expectedWorkloads);
      assert.deepEqual(
        names(ofKind(inNamespace, "ServiceAccount")),
        [ECHO.serviceAccount, CLIENT.serviceAccount, DEBUG.serviceAccount, BYPASS.serviceAccount].sort(),
      );
      assert.deepEqual(names(ofKind(inNamespace, "Service")), [ECHO.name]);
      assert.deepEqual(names(ofKind(inNamespace, "ConfigMap")), [ECHO_SERVER_CONFIGMAP]);
      assert.equal(inNamespace.length, PER_TENANT_OBJECTS);
    }
    for (const source of PROBE_SOURCES) {
      assert.ok(expectedWorkloads.includes(source.workload), `probe source ${source.workload} is deployed`);
    }
  });

  it("the echo Service maps port 80 to the container port named http (8080)", () => {
    const tenant = spec.tenants[0];
    const svc = objects.find((o) => o.kind === "Service" && o.metadata.namespace === tenant.namespace);
    assert.ok(svc);
    const svcSpec = svc.spec as { selector: Json; ports: Json[] };
    assert.deepEqual(svcSpec.selector, { [APP_LABEL]: ECHO.name });
    assert.deepEqual(svcSpec.ports.map((p) => [p.name, p.port, p.targetPort, p.appProtocol]), [["http", 80, "http", "http"]]);
    const ports = containersOf(deployment(tenant.namespace, ECHO.name))[0].ports as Json[];
    assert.deepEqual(ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
  });

  it("the shared-services namespace gets one echo-server workload per shared service, named per the spec", () => {
    const shared = objects.filter((o) => o.metadata.namespace === spec.sharedServices.namespace);
    const expected = spec.sharedServices.services;
    assert.ok(expected.some((s) => s.name === "log-collector"));
    assert.deepEqual(names(ofKind(shared, "Deployment")), expected.map((s) => s.name).sort());
    assert.deepEqual(names(ofKind(shared, "ServiceAccount")), expected.map((s) => s.serviceAccount).sort());
    for (const svc of expected) {
      const d = deployment(spec.sharedServices.namespace, svc.name);
      assert.equal(podTemplate(d).spec.serviceAccountName, svc.serviceAccount);
      const [container] = containersOf(d);
      assert.deepEqual(container.ports, [{ name: "http", containerPort: svc.port, protocol: "TCP" }]);
      assert.ok((container.env as Json[]).some((e) => e.name === "PORT" && e.value === String(svc.port)));
      const service = ofKind(shared, "Service").find((s) => s.metadata.name === svc.name);
      assert.ok(service, `Service ${svc.name} exists`);
      assert.deepEqual((service.spec as { ports: Json[] }).ports.map((p) => [p.port, p.targetPort]), [[svc.port, "http"]]);
    }
    assert.deepEqual(names(ofKind(shared, "ConfigMap")), [ECHO_SERVER_CONFIGMAP]);
  });

  it("a spec with shared services disabled yields no objects in the shared namespace", () => {
    const disabled: PlatformSpec = { ...spec, sharedServices: { ...spec.sharedServices, enabled: false } };
    const built = buildDemoWorkloads(disabled);
    assert.equal(built.filter((o) => o.metadata.namespace === spec.sharedServices.namespace).length, 0);
    assert.equal(built.length, spec.tenants.length * PER_TENANT_OBJECTS);
  });

  it("no ServiceAccount and no pod automounts a service-account token", () => {
    for (const sa of ofKind(objects, "ServiceAccount")) assert.equal(sa.automountServiceAccountToken, false, sa.metadata.name);
    for (const d of ofKind(objects, "Deployment")) assert.equal(podTemplate(d).spec.automountServiceAccountToken, false, d.metadata.name);
  });

  it("every workload runs as its own ServiceAccount, which exists in its namespace", () => {
    for (const namespace of new Set(objects.map((o) => o.metadata.namespace))) {
      const inNamespace = objects.filter((o) => o.metadata.namespace === namespace);
      const accounts = ofKind(inNamespace, "Deployment").map((d) => String(podTemplate(d).spec.serviceAccountName));
      assert.equal(new Set(accounts).size, accounts.length, `distinct identities in ${namespace}`);
      for (const account of accounts) assert.ok(names(ofKind(inNamespace, "ServiceAccount")).includes(account), `${namespace}/${account}`);
    }
  });

  it("tenant objects and pods carry the app, tenant and managed-by labels", () => {
    for (const tenant of spec.tenants) {
      for (const o of objects.filter((x) => x.metadata.namespace === tenant.namespace)) {
        assert.equal(o.metadata.labels?.[TENANT_LABEL], tenant.name, `${o.kind} ${o.metadata.name}`);
        assert.equal(o.metadata.labels?.[MANAGED_BY_LABEL], MANAGED_BY_VALUE);
        if (o.kind === "Deployment") {
          const labels = podTemplate(o).metadata.labels as Record<string, string>;
          assert.equal(labels[APP_LABEL], o.metadata.name);
          assert.equal(labels[TENANT_LABEL], tenant.name);
          assert.equal(labels[MANAGED_BY_LABEL], MANAGED_BY_VALUE);
          assert.deepEqual((o.spec as { selector: Json }).selector, { matchLabels: { [APP_LABEL]: o.metadata.name } });
        }
      }
    }
  });

  it("only debug opts out of the sidecar, and meshed pods hold the app until the proxy is ready", () => {
    const ns = spec.tenants[1].namespace;
    for (const name of [ECHO.name, CLIENT.name, BYPASS.name]) {
      const meta = podTemplate(deployment(ns, name)).metadata;
      assert.equal((meta.labels as Json)[SIDECAR_INJECT_LABEL], "true", name);
      assert.equal((meta.annotations as Json)[PROXY_CONFIG_ANNOTATION], HOLD_UNTIL_PROXY_STARTS, name);
    }
    assert.deepEqual(JSON.parse(HOLD_UNTIL_PROXY_STARTS), { holdApplicationUntilProxyStarts: true });
    const debugMeta = podTemplate(deployment(ns, DEBUG.name)).metadata;
    assert.equal((debugMeta.labels as Json)[SIDECAR_INJECT_LABEL], "false");
    assert.equal((debugMeta.annotations as Json | undefined)?.[PROXY_CONFIG_ANNOTATION], undefined);
  });

  it("every container keeps a read-only root filesystem; only the curl probe sources get a size-limited emptyDir at /tmp", () => {
    const probeSources: string[] = [CLIENT.name, DEBUG.name, BYPASS.name];
    for (const d of ofKind(objects, "Deployment")) {
      const where = `${d.metadata.namespace}/${d.metadata.name}`;
      const [container] = containersOf(d);
      assert.equal((container.securityContext as Json).readOnlyRootFilesystem, true, where);
      const mounts = ((container.volumeMounts as Json[] | undefined) ?? []).filter((m) => m.mountPath === "/tmp");
      const volumes = (podTemplate(d).spec.volumes as Json[] | undefined) ?? [];
      if (probeSources.includes(d.metadata.name)) {
        assert.deepEqual(mounts, [{ name: PROBE_TMP.volume, mountPath: "/tmp" }], where);
        const tmp = volumes.find((v) => v.name === PROBE_TMP.volume);
        assert.deepEqual(tmp, { name: PROBE_TMP.volume, emptyDir: { sizeLimit: "16Mi" } }, where);
      } else {
        assert.deepEqual(mounts, [], where);
        assert.equal(volumes.some((v) => "emptyDir" in v), false, where);
      }
    }
  });

  it("only the bypass container runs as the proxy UID 1337", () => {
    for (const d of ofKind(objects, "Deployment")) {
      const sc = containersOf(d)[0].securityContext as Json;
      const isBypass = d.metadata.name === BYPASS.name;
      assert.equal(sc.runAsUser === ISTIO_PROXY_UID, isBypass, `${d.metadata.namespace}/${d.metadata.name} runAsUser ${String(sc.runAsUser)}`);
      if (isBypass) assert.equal(sc.runAsGroup, ISTIO_PROXY_UID);
    }
  });

  it("every container has requests and limits within the tenant LimitRange maximum", () => {
    for (const tenant of spec.tenants) {
      for (const d of ofKind(objects, "Deployment").filter((x) => x.metadata.namespace === tenant.namespace)) {
        for (const c of containersOf(d)) {
          const r = c.resources as { requests: Record<string, string>; limits: Record<string, string> };
          for (const resource of ["cpu", "memory"]) {
            assert.ok(r.requests[resource] && r.limits[resource], `${d.metadata.name} ${resource} set`);
            assert.ok(quantity(r.requests[resource]) <= quantity(r.limits[resource]), `${d.metadata.name} ${resource} request <= limit`);
          }
          assert.ok(quantity(r.limits.cpu) <= quantity(tenant.limits.maxCpu), `${d.metadata.name} cpu within max`);
          assert.ok(quantity(r.limits.memory) <= quantity(tenant.limits.maxMemory), `${d.metadata.name} memory within max`);
        }
      }
    }
  });

  it("a tenant whose LimitRange max is below a demo container's limit is rejected, naming the field", () => {
    const tight: PlatformSpec = {
      ...spec,
      tenants: spec.tenants.map((t, i) => (i === 1 ? { ...t, limits: { ...t.limits, maxMemory: "100Mi" } } : t)),
    };
    assert.throws(() => buildDemoWorkloads(tight), /tenants\[1\]\.limits\.maxMemory: 100Mi is below .*128Mi/);
    assert.throws(() => demoWorkloadsFor(tight, tight.tenants[1].namespace), /tenants\[1\]\.limits\.maxMemory/);
    assert.doesNotThrow(() => demoWorkloadsFor(tight, tight.tenants[0].namespace));
    const noQuotas: PlatformSpec = { ...tight, layers: { ...tight.layers, quotas: false } };
    assert.doesNotThrow(() => buildDemoWorkloads(noQuotas));
    // The model's stand-ins are never deployed, so admission never sees them.
    assert.deepEqual(buildDemoWorkloads(tight, { standIns: true }), objects);
  });

  it("every image is pinned by digest, and overrides replace it", () => {
    for (const d of ofKind(objects, "Deployment")) {
      for (const c of containersOf(d)) assert.ok(isPinnedByDigest(String(c.image)), `${d.metadata.name}: ${String(c.image)}`);
    }
    const mirror = "registry.example:5000/mirror/curl:8.11.1@sha256:" + "a".repeat(64);
    const overridden = buildDemoWorkloads(spec, { images: { curl: mirror } });
    const images = ofKind(overridden, "Deployment").map((d) => [d.metadata.name, String(containersOf(d)[0].image)]);
    for (const [name, image] of images) {
      assert.equal(image, [ECHO.name, "log-collector"].includes(name) ? DEFAULT_LAB_IMAGES.echoServer : mirror, name);
    }
    assert.throws(() => buildDemoWorkloads(spec, { images: { curl: "not an image" } }), /images\.curl/);
  });

  it("the echo pods run the program from the ConfigMap and learn their identity from env and the downward API", () => {
    const ns = spec.tenants[0].namespace;
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.namespace === ns);
    assert.equal((cm?.data as Json)[ECHO_SERVER_FILE], ECHO_SERVER_PROGRAM);
    const [container] = containersOf(deployment(ns, ECHO.name));
    assert.deepEqual(container.command, ["node", `/app/${ECHO_SERVER_FILE}`]);
    const env = Object.fromEntries((container.env as Json[]).map((e) => [e.name, e.value ?? (e.valueFrom as Json)]));
    assert.equal(env.HT_TENANT, spec.tenants[0].name);
    assert.equal(env.HT_WORKLOAD, ECHO.name);
    assert.deepEqual(env.HT_POD_NAME, { fieldRef: { fieldPath: "metadata.name" } });
    assert.deepEqual(env.HT_NAMESPACE, { fieldRef: { fieldPath: "metadata.namespace" } });
  });

  it("demoWorkloadsFor returns exactly the objects of one namespace", () => {
    for (const namespace of [...spec.tenants.map((t) => t.namespace), spec.sharedServices.namespace]) {
      assert.deepEqual(demoWorkloadsFor(spec, namespace), objects.filter((o) => o.metadata.namespace === namespace));
    }
  });

  it("demoWorkloadsFor rejects a namespace without demo workloads, naming it and the valid ones", () => {
    assert.throws(() => demoWorkloadsFor(spec, "kube-system"), (e: Error) => e.message.includes('"kube-system"') && e.message.includes(spec.tenants[0].namespace));
  });

  it("building is pure: the spec is not mutated and two builds are equal", () => {
    const before = JSON.stringify(spec);
    assert.deepEqual(buildDemoWorkloads(spec), buildDemoWorkloads(spec));
    assert.equal(JSON.stringify(spec), before);
  });
});

describe("grant target stand-ins", () => {
  const grant = (workload: string, port: number, to = "acme", from = "globex") => ({ id: `${from}-to-${to}-${workload}-${port}`, from, to, workload, port, methods: ["GET"], paths: ["/api/*"], reason: "test" });
  const withGrants = (grants: ReturnType<typeof grant>[]): PlatformSpec => ({ ...spec, grants });

  it("builds a meshed, restricted-compliant echo server and a Service named after each granted workload, on the granted port", () => {
    const built = grantTargetStandIns(withGrants([grant("api-gateway", 9443)]));
    assert.deepEqual(built.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`), [
      "ServiceAccount/tenant-acme/api-gateway",
      "Deployment/tenant-acme/api-gateway",
      "Service/tenant-acme/api-gateway",
    ]);
    const deployment = built[1];
    const template = podTemplate(deployment);
    assert.deepEqual(restrictedViolations(template.spec), []);
    const labels = template.metadata.labels as Record<string, string>;
    assert.equal(labels[APP_LABEL], "api-gateway");
    assert.equal(labels[SIDECAR_INJECT_LABEL], "true");
    const container = (template.spec.containers as Json[])[0];
    assert.deepEqual(container.ports, [{ name: ECHO.portName, containerPort: 9443, protocol: "TCP" }]);
    assert.ok((container.env as Json[]).some((e) => e.name === "PORT" && e.value === "9443"));
    const service = built[2].spec as Json;
    assert.deepEqual(service.selector, { [APP_LABEL]: "api-gateway" });
    assert.deepEqual(service.ports, [{ name: ECHO.portName, appProtocol: "http", port: 9443, targetPort: ECHO.portName, protocol: "TCP" }]);
  });

  it("builds one server per granted workload, with every port its grants name, and none for a demo workload", () => {
    const built = grantTargetStandIns(withGrants([grant("api", 8080), grant("api", 9090, "acme", "initech"), grant("api", 8080, "acme", "initech"), grant("echo", 8080)]));
    assert.deepEqual(ofKind(built, "Deployment").map((d) => d.metadata.name), ["api"]);
    const ports = (ofKind(built, "Service")[0].spec as Json).ports as Json[];
    assert.deepEqual(ports.map((p) => [p.port, p.targetPort]), [[8080, "http"], [9090, "http-9090"]]);
    assert.deepEqual(grantTargetStandIns(withGrants([grant(CLIENT.name, 8080)])), []);
  });
});
