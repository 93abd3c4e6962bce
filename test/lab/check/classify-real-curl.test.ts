// The live check's classification, driven through REAL curl with the lab's exact flags, `-w`
// format and per-pod batch script, against real servers in network namespaces. Needs root and
// `ip`/`curl`; skips with the reason otherwise.
import assert from "node:assert/strict";
import { attributeLayers, classifyConnectObservation, classifyDnsObservation, classifyObservation, type Classification } from "../../../lab/check/classify";
import type { CurlRequest } from "../../../lab/check/curl";
import { buildProbeScript, parseProbeOutput, type RawObservation } from "../../../lab/check/script";
import type { ProbeResult } from "../../../lab/probes/types";
import { NetnsPair, netnsSkipReason, SYMPTOM_PORTS, SYMPTOM_SERVER_CODE } from "../../support/netns";

const MAX_TIME_SECONDS = 2;
const NONCE = "realcurl0test";

describe("lab check classification against real curl in network namespaces", function () {
  const pair = new NetnsPair();
  const observed = new Map<string, RawObservation>();
  let stdout = "";

  const cases: Record<string, CurlRequest> = {};
  before(async function () {
    const reason = netnsSkipReason();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
    pair.create();
    await pair.startServer(SYMPTOM_SERVER_CODE, [pair.serverIp, "20000"]);
    const at = (host: string, port: number, path = "/"): string => `http://${host}:${port}${path}`;
    Object.assign(cases, {
      echo: { url: at(pair.serverIp, SYMPTOM_PORTS.echo, "/logs/ingest/acme/x"), method: "POST", headers: { "x-tenant-identity": "it's me" } },
      rbac: { url: at(pair.serverIp, SYMPTOM_PORTS.rbac), method: "GET", headers: {} },
      upstreamError: { url: at(pair.serverIp, SYMPTOM_PORTS.upstreamError), method: "GET", headers: {} },
      dropped: { url: at(pair.blackholeIp, SYMPTOM_PORTS.echo), method: "GET", headers: {} },
      refused: { url: at(pair.serverIp, SYMPTOM_PORTS.refused), method: "GET", headers: {} },
      reset: { url: at(pair.serverIp, SYMPTOM_PORTS.reset), method: "GET", headers: {} },
      dns: { url: "http://echo.tenant-globex.svc.cluster.local:80/", method: "GET", headers: {} },
      closed: { url: at(pair.serverIp, SYMPTOM_PORTS.closed), method: "GET", headers: {} },
      binary: { url: at(pair.serverIp, SYMPTOM_PORTS.binary), method: "GET", headers: {} },
    } satisfies Record<string, CurlRequest>);
    const names = Object.keys(cases);
    // batch size 4 → two batches, so the batching path runs too; bounded: 2 × MAX_TIME_SECONDS plus slack.
    const script = buildProbeScript(names.map((name) => cases[name]), { nonce: NONCE, batchSize: 4, maxTimeSeconds: MAX_TIME_SECONDS });
    const ran = await pair.inClient(["sh", "-c", script], 4 * MAX_TIME_SECONDS * 1000 + 5000);
    assert.equal(ran.code, 0, `the probe script failed: ${ran.stderr}`);
    stdout = ran.stdout;
    parseProbeOutput(stdout, NONCE, names.length).forEach((raw, index) => observed.set(names[index], raw));
  });

  after(() => pair.destroy());

  const classifyFromSidecar = (raw: RawObservation): Classification => classifyObservation(raw, "sidecar");
  const classify = (name: string, client: "sidecar" | "no-sidecar" | "bypass" = "no-sidecar"): Classification => {
    const raw = observed.get(name);
    assert.ok(raw, `no observation for ${name}`);
    return classifyObservation(raw, client);
  };

  it("reports every request of the batch script between its own delimiters", () => {
    assert.equal([...observed.values()].filter((raw) => raw.reported).length, Object.keys(cases).length);
    assert.ok(stdout.includes(`@@ht-probe ${NONCE} 6 END@@`));
  });

  it("classifies a 200 with the echo body as allowed, and the echo saw the method and the forged header", () => {
    const c = classify("echo");
    assert.deepEqual([c.verdict, c.layer, c.observation], ["allow", "none", "http 200"]);
    const body = JSON.parse(observed.get("echo")!.body) as { method: string; path: string };
    assert.equal(body.method, "POST");
    assert.equal(body.path, "/logs/ingest/acme/x");
  });

  it("classifies a 403 with `RBAC: access denied` as denied by the authorization layer", () => {
    const c = classify("rbac", "sidecar");
    assert.deepEqual([c.verdict, c.layer, c.observation], ["deny", "authorization", "http 403 RBAC: access denied"]);
  });

  it("classifies a sidecar client's 503 `upstream connect error` as network-or-mtls and names the layer the model predicted", () => {
    const c = classify("upstreamError", "sidecar");
    assert.deepEqual([c.verdict, c.layer, c.family], ["deny", "network-or-mtls", "network"]);
    const prediction: ProbeResult = {
      id: "p",
      verdict: "deny",
      layers: { networkPolicy: "allow", calico: "deny", peerAuthentication: "not-applicable", authorization: "deny" },
      observation: "http 503 upstream connect error",
    };
    assert.deepEqual(attributeLayers(c, prediction), ["calico"]);
  });

  it("classifies a silently dropped connection (curl exit 28 after --max-time) as a network-layer deny", () => {
    const raw = observed.get("dropped")!;
    assert.equal(raw.exitCode, 28);
    assert.equal(raw.httpCode, 0);
    const c = classify("dropped");
    assert.deepEqual([c.verdict, c.layer, c.observation], ["deny", "network", "curl exit 28"]);
  });

  it("classifies a refused connection (curl exit 7) as a network-layer deny", () => {
    const c = classify("refused");
    assert.deepEqual([c.verdict, c.layer, c.observation], ["deny", "network", "curl exit 7"]);
  });

  it("classifies a reset after connect (curl exit 56, http 000) as a peerAuthentication deny", () => {
    const raw = observed.get("reset")!;
    assert.deepEqual([raw.exitCode, raw.httpCode, raw.writeOutExitCode], [56, 0, 56]);
    const c = classify("reset", "bypass");
    assert.deepEqual([c.verdict, c.layer, c.observation], ["deny", "peerAuthentication", "curl exit 56"]);
  });

  it("classifies a lookup that outlives --max-time (curl exit 28 while resolving) as a DNS failure, not a network deny", async () => {
    const script = buildProbeScript([{ url: "http://echo.tenant-globex.svc.cluster.local:80/", method: "GET", headers: {} }], { nonce: NONCE, batchSize: 1, maxTimeSeconds: 1 });
    const ran = await pair.inServer(["sh", "-c", script], 8000);
    const [raw] = parseProbeOutput(ran.stdout, NONCE, 1);
    assert.equal(raw.exitCode, 28);
    assert.match(raw.errorMessage, /^Resolving timed out/);
    assert.deepEqual([classifyFromSidecar(raw).verdict, classifyFromSidecar(raw).layer], ["unknown", "dns"]);
    assert.equal(classifyDnsObservation(raw).verdict, "deny");
  });

  it("judges a TCP probe by its connection: connected to a server that closes without a reply, answers binary, resets or speaks HTTP; blocked when dropped or refused", () => {
    assert.equal(observed.get("closed")!.exitCode, 52);
    assert.deepEqual([observed.get("binary")!.exitCode, observed.get("binary")!.errorMessage], [1, "Received HTTP/0.9 when not allowed"]);
    for (const name of ["closed", "binary", "reset", "echo", "rbac"]) {
      const c = classifyConnectObservation(observed.get(name)!);
      assert.deepEqual([c.verdict, c.observation], ["allow", "connected"], `${name}: curl exit ${observed.get(name)!.exitCode} ${observed.get(name)!.errorMessage}`);
    }
    assert.deepEqual([classifyConnectObservation(observed.get("dropped")!).observation, classifyConnectObservation(observed.get("refused")!).observation], ["curl exit 28", "curl exit 7"]);
    assert.equal(classifyConnectObservation(observed.get("dns")!).verdict, "unknown");
  });

  it("classifies a DNS failure (curl exit 6) as unknown for an attack and as a failed DNS control", () => {
    const raw = observed.get("dns")!;
    assert.equal(raw.exitCode, 6);
    assert.deepEqual([classify("dns").verdict, classify("dns").layer], ["unknown", "dns"]);
    assert.equal(classifyDnsObservation(raw).verdict, "deny");
  });
});
