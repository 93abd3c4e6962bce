import { strict as assert } from "node:assert";
import { validatePlatformConfig } from "../../../components/spec/validate";
import { buildProbeCatalogue } from "../../../lab/probes/catalogue";
import { ISTIOD, l34Catalogue, l34ControlProbes, l34PairProbes, NEEDS_MESH, type L34Catalogue } from "../../../lab/probes/l34-catalogue";
import type { CataloguedProbe } from "../../../lab/probes/types";
import { labConfig } from "../../fixtures/platform";
import { labSpec } from "../workloads/lab-spec";

function probe(catalogue: L34Catalogue, id: string): CataloguedProbe {
  const found = catalogue.probes.find((p) => p.id === id);
  assert.ok(found, `${id} is not run; run: ${catalogue.probes.map((p) => p.id).join(", ")}`);
  return found;
}

function notRun(catalogue: L34Catalogue, id: string): L34Catalogue["notRun"][number] {
  const found = catalogue.notRun.find((n) => n.probe.id === id);
  assert.ok(found, `${id} is not listed as not run`);
  return found;
}

describe("the L3/4-observable catalogue (no mesh)", () => {
  const spec = labSpec();
  const full = buildProbeCatalogue(spec);
  const l34 = l34Catalogue(spec);
  const grant = spec.grants[0];

  it("sends every probe from the tenant's sidecar-free debug pod, and no L3/4 request twice", () => {
    for (const p of l34.probes) {
      assert.equal(p.client, "no-sidecar", p.id);
      assert.match(p.from, /\/debug$/, p.id);
    }
    const requests = l34.probes.map((p) => JSON.stringify([p.from, p.to, p.protocol]));
    assert.equal(new Set(requests).size, requests.length);
    assert.equal(new Set(l34.probes.map((p) => p.id)).size, l34.probes.length);
  });

  it("accounts for every probe of the full catalogue: run (sidecar-free) or listed as not run", () => {
    const notRunIds = new Set(l34.notRun.map((n) => n.probe.id));
    const runIds = new Set(l34.probes.map((p) => p.id));
    for (const p of full) {
      assert.ok(notRunIds.has(p.id) || runIds.has(p.id.replace(/\/(sidecar|bypass)$/, "/no-sidecar")), `${p.id} is neither run nor listed`);
      assert.ok(!(notRunIds.has(p.id) && runIds.has(p.id)), `${p.id} is both run and listed as not run`);
    }
    const added = l34.probes.filter((p) => ["kube-dns/tcp", "istiod/15012", "istiod/15017"].some((kind) => p.id.endsWith(kind))).length;
    assert.equal(added, 3 * spec.tenants.length);
    assert.equal(l34.probes.length, full.length - l34.notRun.length + added);
    for (const n of l34.notRun) assert.ok(runIds.has(n.sameRequestAs), `${n.probe.id} names ${n.sameRequestAs}, which runs`);
  });

  it("collapses the sidecar and bypass clients' cross-tenant call into the sidecar-free one, saying the rest needs the mesh", () => {
    const kept = probe(l34, "acme->globex/by-name/no-sidecar");
    assert.deepEqual(kept, full.find((p) => p.id === "acme->globex/by-name/no-sidecar"), "the sidecar-free probe runs as catalogued");
    for (const id of ["acme->globex/by-name/sidecar", "acme->globex/by-name/bypass"]) {
      const n = notRun(l34, id);
      assert.equal(n.sameRequestAs, "acme->globex/by-name/no-sidecar");
      assert.ok(n.reason.startsWith(`${NEEDS_MESH}: `), n.reason);
      assert.match(n.reason, /its client \((sidecar|bypass) from tenant-acme\/(client|bypass): mTLS identity\)/);
    }
  });

  it("turns the meshed client's direct-to-pod attack into a sidecar-free one to the pod IP", () => {
    const p = probe(l34, "acme->globex/pod-direct/no-sidecar");
    assert.equal(p.from, "tenant-acme/debug");
    assert.deepEqual(p.to, { workload: "tenant-globex/echo", port: 8080 });
    assert.equal(p.intent, "deny");
    assert.match(p.description, /sent sidecar-free from debug: no mesh on this backend/);
  });

  it("does not run the shared-service spoofing probes: at L3/4 they are the tenant's own shared-service call", () => {
    const own = probe(l34, "acme->shared-services/log-collector/own-path");
    assert.equal(own.intent, "allow");
    assert.equal(own.from, "tenant-acme/debug");
    for (const kind of ["path-spoof", "header-spoof", "path-traversal-encoded", "path-traversal-backslash", "path-traversal-dot"]) {
      const n = notRun(l34, `acme->globex/log-collector/${kind}`);
      assert.equal(n.sameRequestAs, own.id);
      assert.ok(n.reason.startsWith(NEEDS_MESH), n.reason);
    }
    assert.match(notRun(l34, "acme->globex/log-collector/path-spoof").reason, /path \/logs\/ingest\/globex\/probe/);
    assert.match(notRun(l34, "acme->globex/log-collector/header-spoof").reason, /headers x-tenant-identity/);
  });

  it("runs a grant's granted request as the positive control of its port, and its other workload as an attack; the rest needs the mesh", () => {
    const prefix = `globex->acme/grant/${grant.id}`;
    assert.equal(probe(l34, `${prefix}/within`).intent, "allow");
    assert.equal(probe(l34, `${prefix}/within`).from, "tenant-globex/debug");
    assert.equal(probe(l34, `${prefix}/beyond-workload`).intent, "deny");
    for (const kind of ["beyond-source-no-sidecar", "beyond-path", "beyond-method", "beyond-path-traversal-encoded"]) {
      const n = notRun(l34, `${prefix}/${kind}`);
      assert.equal(n.sameRequestAs, `${prefix}/within`);
      assert.ok(n.reason.startsWith(NEEDS_MESH), n.reason);
    }
    // The grant opens acme's echo port to globex: a by-name call there is the granted request at L3/4.
    assert.equal(notRun(l34, "globex->acme/by-name/no-sidecar").sameRequestAs, `${prefix}/within`);
    assert.equal(probe(l34, "globex->acme/pod-direct/no-sidecar").intent, "deny");
  });

  it("adds per tenant DNS over TCP, istiod's 15012 (allowed) and its webhook port (denied), and keeps the API-server probe", () => {
    const tcp = probe(l34, "acme->kube-system/kube-dns/tcp");
    assert.deepEqual([tcp.protocol, tcp.intent, tcp.category], ["TCP", "allow", "dns"]);
    assert.deepEqual(tcp.to, { service: "kube-system/kube-dns", port: 53 });
    const xds = probe(l34, `acme->${spec.meshNamespace}/istiod/15012`);
    assert.deepEqual([xds.protocol, xds.intent, xds.category], ["TCP", "allow", "istiod"]);
    const webhook = probe(l34, `acme->${spec.meshNamespace}/istiod/15017`);
    assert.deepEqual(webhook.to, { service: `${spec.meshNamespace}/istiod`, port: ISTIOD.webhookServicePort });
    assert.equal(webhook.intent, "deny");
    assert.equal(probe(l34, "acme->kube-system/kube-dns/udp").from, "tenant-acme/debug");
    assert.equal(probe(l34, "acme->kube-apiserver/debug").intent, "deny");
    const ids = l34.probes.map((p) => p.id);
    assert.equal(ids.indexOf("acme->kube-system/kube-dns/tcp"), ids.indexOf("acme->kube-system/kube-dns/udp") + 1, "added right after the tenant's UDP control");
  });

  it("adds no istiod probes where the platform does not install Istio", () => {
    const config = labConfig();
    config.install = { ...config.install, istio: false };
    const withoutIstio = l34Catalogue(validatePlatformConfig(config));
    assert.equal(withoutIstio.probes.filter((p) => p.category === "istiod").length, 0);
  });

  it("gives a tenant that may not use a shared service one probe of it, into which its spoofing probes collapse", () => {
    const config = labConfig();
    config.tenants = config.tenants.map((t) => (t.name === "acme" ? { ...t, sharedServices: [] } : t));
    const restricted = l34Catalogue(validatePlatformConfig(config));
    const unlisted = probe(restricted, "acme->shared-services/log-collector/unlisted");
    assert.deepEqual([unlisted.intent, unlisted.category, unlisted.from], ["deny", "shared-service-spoof", "tenant-acme/debug"]);
    assert.equal(notRun(restricted, "acme->globex/log-collector/path-spoof").sameRequestAs, unlisted.id);
    assert.equal(notRun(restricted, "acme->initech/log-collector/path-spoof").sameRequestAs, unlisted.id);
  });

  it("derives the same probes cell by cell as from the whole catalogue (the verdict evaluates per cell)", () => {
    const perCell: CataloguedProbe[] = [];
    for (const t of spec.tenants) perCell.push(...l34ControlProbes(spec, t));
    for (const a of spec.tenants) for (const v of spec.tenants) if (a !== v) perCell.push(...l34PairProbes(spec, a, v));
    assert.deepEqual(perCell, l34.probes);
  });
});
