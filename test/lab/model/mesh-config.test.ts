import { strict as assert } from "node:assert";
import type { K8sObject } from "../../../components/k8s/object";
import { buildClusterModel } from "../../../lab/model/cluster";
import { readMeshSettings } from "../../../lab/model/mesh-config";

/** The istiod chart's mesh ConfigMap as a cluster dump holds it. */
function meshConfigMap(mesh: string, name = "istio", namespace = "istio-system"): K8sObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { mesh, meshNetworks: "networks: {}" } };
}

const HARDENED = `
defaultConfig:
  discoveryAddress: istiod.mesh-control.svc:15012
rootNamespace: mesh-root
trustDomain: prod.example.com
pathNormalization:
  normalization: DECODE_AND_MERGE_SLASHES
`;

describe("mesh config from a cluster dump", () => {
  it("sets the model's root namespace, trust domain and path normalization from the istio ConfigMap's mesh key", () => {
    const model = buildClusterModel([meshConfigMap(HARDENED, "istio", "mesh-control")]);
    assert.equal(model.rootNamespace, "mesh-root");
    assert.equal(model.trustDomain, "prod.example.com");
    assert.equal(model.pathNormalization, "DECODE_AND_MERGE_SLASHES");
    assert.deepEqual(model.warnings, []);
  });

  it("reads Envoy's connectTimeout as seconds (it decides whether a meshed client sees its Envoy's 503 or its own timeout), and warns on one it cannot read", () => {
    assert.equal(buildClusterModel([meshConfigMap("connectTimeout: 2s")]).envoyConnectTimeoutSeconds, 2);
    assert.equal(buildClusterModel([meshConfigMap("connectTimeout: 500ms")]).envoyConnectTimeoutSeconds, 0.5);
    assert.equal(buildClusterModel([meshConfigMap("trustDomain: x")]).envoyConnectTimeoutSeconds, undefined, "unset: Istio's 10 s default applies");
    const warnings: string[] = [];
    assert.equal(readMeshSettings([meshConfigMap("connectTimeout: soon")], warnings)?.connectTimeoutSeconds, undefined);
    assert.match(warnings.join("\n"), /mesh.connectTimeout "soon" is not a duration such as "10s"; assuming Istio's default \(10s\)/);
  });

  it("falls back to Istio's defaults for unset fields: the control plane's namespace as root, cluster.local, BASE", () => {
    const settings = readMeshSettings([meshConfigMap("accessLogFile: /dev/stdout\n", "istio-1-30", "mesh-control")], []);
    assert.deepEqual(settings, { source: "mesh-control/istio-1-30", rootNamespace: "mesh-control", trustDomain: "cluster.local", pathNormalization: "BASE" });
    assert.equal(readMeshSettings([meshConfigMap("pathNormalization:\n  normalization: DEFAULT\n")], [])?.pathNormalization, "BASE");
  });

  it("lets explicit options override what the dump says", () => {
    const model = buildClusterModel([meshConfigMap(HARDENED)], { rootNamespace: "istio-system", pathNormalization: "BASE" });
    assert.equal(model.rootNamespace, "istio-system");
    assert.equal(model.pathNormalization, "BASE");
    assert.equal(model.trustDomain, "prod.example.com");
  });

  it("leaves the settings at their defaults when the dump has no mesh ConfigMap", () => {
    const other: K8sObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio-ca-root-cert", namespace: "istio-system" }, data: { "root-cert.pem": "x" } };
    const model = buildClusterModel([other]);
    assert.equal(model.rootNamespace, "istio-system");
    assert.equal(model.trustDomain, "cluster.local");
    assert.equal(model.pathNormalization, undefined);
  });

  it("warns on unparseable mesh YAML or an unknown normalization and assumes Istio's defaults", () => {
    const broken = buildClusterModel([meshConfigMap("trustDomain: [unclosed\n")]);
    assert.equal(broken.trustDomain, "cluster.local");
    assert.equal(broken.pathNormalization, "BASE");
    assert.match(broken.warnings.join("\n"), /ConfigMap istio-system\/istio: data\.mesh is not a readable MeshConfig/);
    const unknown = buildClusterModel([meshConfigMap("pathNormalization:\n  normalization: DECODE_EVERYTHING\n")]);
    assert.equal(unknown.pathNormalization, "BASE");
    assert.match(unknown.warnings.join("\n"), /"DECODE_EVERYTHING" is not one of NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES/);
  });

  it("prefers the default revision's istio ConfigMap over a revisioned one, and says it read only one", () => {
    const warnings: string[] = [];
    const settings = readMeshSettings([meshConfigMap("trustDomain: canary.example\n", "istio-canary"), meshConfigMap("trustDomain: stable.example\n")], warnings);
    assert.equal(settings?.trustDomain, "stable.example");
    assert.match(warnings.join("\n"), /several Istio mesh ConfigMaps .*reads istio-system\/istio only/);
  });
});
