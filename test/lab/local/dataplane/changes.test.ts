import assert from "node:assert/strict";
import { objectKey } from "../../../../components/k8s/object";
import { validatePlatformConfig } from "../../../../components/spec/validate";
import { layerObjects, meshLayerChange, renderedChange, touchesL34, touchesMesh } from "../../../../lab/local/dataplane/changes";
import { planDeploy } from "../../../../lab/local/deploy";
import { syntheticConfig } from "../../../fixtures/platform";

describe("live layer changes on the local backend", () => {
  const spec = validatePlatformConfig(syntheticConfig(3));

  it("turns the authorization layer off as the builders render it with layers.authorization false: every AuthorizationPolicy goes, nothing else", () => {
    const { removed, changed, added } = meshLayerChange(spec, "authorization");
    assert.ok(removed.length > 0);
    assert.deepEqual([...new Set(removed.map((o) => o.kind))], ["AuthorizationPolicy"]);
    assert.deepEqual([changed, added], [[], []]);
  });

  it("turns the peerAuthentication layer off by removing exactly the PeerAuthentications the stack deploys", () => {
    const { removed } = meshLayerChange(spec, "peerAuthentication");
    const deployed = planDeploy(spec, undefined, { calico: "calicoctl" }).phases.flatMap((p) => p.objects).filter((o) => o.kind === "PeerAuthentication");
    assert.deepEqual(removed.map(objectKey).sort(), deployed.map(objectKey).sort());
  });

  it("redeploys a changed spec object by object: the Lua identity filter added per shared service, nothing else touched", () => {
    const withShared = validatePlatformConfig({ ...syntheticConfig(2), sharedServices: { enabled: true, namespace: "shared", identityPropagation: "xfcc", services: [{ name: "log-collector", serviceAccount: "log-collector", port: 8080, pathPrefix: "/logs", methods: ["POST"] }] } });
    const lua = { ...withShared, sharedServices: { ...withShared.sharedServices, identityPropagation: "lua" as const } };
    const change = renderedChange(withShared, lua);
    assert.deepEqual(change.added.map(objectKey), ["EnvoyFilter/shared/tenant-identity-log-collector"]);
    assert.deepEqual([change.removed, change.changed], [[], []]);
    assert.deepEqual(renderedChange(lua, withShared).removed.map(objectKey), ["EnvoyFilter/shared/tenant-identity-log-collector"]);
  });

  it("tells which enforcer a change reaches: Felix for L3/4 objects, the sidecars for Istio's", () => {
    const { removed } = meshLayerChange(spec, "authorization");
    assert.deepEqual([touchesMesh(removed), touchesL34(removed)], [true, false]);
    const policies = layerObjects(planDeploy(spec, undefined, { calico: "calicoctl" }), "networkPolicy");
    assert.deepEqual([touchesMesh(policies), touchesL34(policies)], [false, true]);
  });

  it("refuses to treat a mesh layer as an L3/4 one", () => {
    assert.throws(() => layerObjects(planDeploy(spec, undefined, { calico: "calicoctl" }), "authorization"), /authorization is a mesh layer: meshLayerChange/);
  });
});
