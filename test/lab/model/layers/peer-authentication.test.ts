import assert from "node:assert/strict";
import { peerAuthenticationLayer } from "../../../../lab/model/layers/peer-authentication";
import { model, policy, workload } from "./istio-model";

const PA = "PeerAuthentication";
const finance = workload("foo", "finance");
const other = workload("foo", "other");
const meshStrict = policy(PA, "istio-system", "default", { mtls: { mode: "STRICT" } });
const nsPermissive = policy(PA, "foo", "default", { mtls: { mode: "PERMISSIVE" } });

describe("peerAuthentication layer (Istio PeerAuthentication)", () => {
  it("defaults to PERMISSIVE with no deciding policy when nothing is configured", () => {
    const layer = peerAuthenticationLayer(model({}));
    assert.equal(layer.mode(finance, 8080), "PERMISSIVE");
    assert.equal(layer.decidedBy(finance, 8080), undefined);
  });

  it("applies a root-namespace policy mesh-wide", () => {
    const layer = peerAuthenticationLayer(model({ policies: [meshStrict] }));
    assert.equal(layer.mode(finance, 8080), "STRICT");
    assert.deepEqual(layer.decidedBy(finance, 8080), { kind: PA, namespace: "istio-system", name: "default" });
  });

  it("lets a namespace policy override the mesh and a workload policy override the namespace", () => {
    const workloadStrict = policy(PA, "foo", "finance", { selector: { matchLabels: { app: "finance" } }, mtls: { mode: "STRICT" } });
    const layer = peerAuthenticationLayer(model({ policies: [meshStrict, nsPermissive, workloadStrict] }));
    assert.equal(layer.mode(other, 8080), "PERMISSIVE");
    assert.equal(layer.mode(finance, 8080), "STRICT");
    assert.equal(layer.decidedBy(finance, 8080)?.name, "finance");
  });

  it("overrides the mode per target port with portLevelMtls on a workload policy", () => {
    const portLevel = policy(PA, "foo", "finance", { selector: { matchLabels: { app: "finance" } }, mtls: { mode: "STRICT" }, portLevelMtls: { "8080": { mode: "DISABLE" } } });
    const layer = peerAuthenticationLayer(model({ policies: [portLevel] }));
    assert.equal(layer.mode(finance, 8080), "DISABLE");
    assert.equal(layer.mode(finance, 9090), "STRICT");
  });

  it("inherits an UNSET (or absent) mode from the namespace, then from the mesh", () => {
    const unsetWorkload = policy(PA, "foo", "finance", { selector: { matchLabels: { app: "finance" } }, mtls: { mode: "UNSET" }, portLevelMtls: { 9090: { mode: "DISABLE" } } });
    const layer = peerAuthenticationLayer(model({ policies: [meshStrict, nsPermissive, unsetWorkload] }));
    assert.equal(layer.mode(finance, 8080), "PERMISSIVE");
    assert.equal(layer.decidedBy(finance, 8080)?.namespace, "foo");
    assert.equal(layer.mode(finance, 9090), "DISABLE");
    const unsetNamespace = policy(PA, "foo", "default", {});
    const inherited = peerAuthenticationLayer(model({ policies: [meshStrict, unsetNamespace, unsetWorkload] }));
    assert.equal(inherited.mode(finance, 8080), "STRICT");
    assert.equal(inherited.decidedBy(finance, 8080)?.namespace, "istio-system");
  });

  it("ignores a selector policy in the root namespace and portLevelMtls without a selector, with warnings", () => {
    const m = model({
      policies: [
        policy(PA, "istio-system", "selected", { selector: { matchLabels: { app: "finance" } }, mtls: { mode: "DISABLE" } }),
        policy(PA, "foo", "default", { mtls: { mode: "STRICT" }, portLevelMtls: { 8080: { mode: "DISABLE" } } }),
      ],
    });
    const layer = peerAuthenticationLayer(m);
    assert.equal(layer.mode(finance, 8080), "STRICT");
    assert.ok(m.warnings.some((w) => w.includes("selected") && w.includes("root namespace")));
    assert.ok(m.warnings.some((w) => w.includes("portLevelMtls")));
  });

  it("takes the first namespace-wide policy by name when there are several, and warns", () => {
    const m = model({ policies: [policy(PA, "foo", "zz", { mtls: { mode: "DISABLE" } }), policy(PA, "foo", "aa", { mtls: { mode: "STRICT" } })] });
    const layer = peerAuthenticationLayer(m);
    assert.equal(layer.mode(finance, 8080), "STRICT");
    assert.ok(m.warnings.some((w) => w.includes("namespace foo has 2 PeerAuthentications")));
  });

  it("reports a malformed mode, naming the field, and treats it as UNSET", () => {
    const m = model({ policies: [meshStrict, policy(PA, "foo", "default", { mtls: { mode: "strict" } })] });
    assert.equal(peerAuthenticationLayer(m).mode(finance, 8080), "STRICT");
    assert.ok(m.warnings.some((w) => w.includes("spec.mtls.mode must be one of")));
  });
});
