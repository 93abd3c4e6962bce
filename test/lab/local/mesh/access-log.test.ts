import assert from "node:assert/strict";
import type { EnvoyAccessRecord } from "../../../../lab/check/compare";
import { entriesFor, parseAccessLogLine } from "../../../../lab/local/mesh/access-log";

// Lines as the local lab's sidecars (upstream Envoy 1.38.3, Istio 1.30.4's default format) wrote them.
const SERVER_403 = `[2026-12-02T17:37:21.373Z] "GET /api/admin HTTP/1.1" 403 - rbac_access_denied_matched_policy[ns[tenant-acme]-policy[deny-beyond-grants-globex-echo]-rule[0]] - "-" 0 19 0 - "-" "curl/7.88.1" "ht-7c2f-tenant-globex.client-13" "echo.tenant-acme.svc.cluster.local" "-" inbound|8080|| - 10.244.0.8:8080 10.244.0.10:55318 outbound_.80_._.echo.tenant-acme.svc.cluster.local default`;
const CLIENT_403 = `[2026-12-02T17:37:21.155Z] "POST /logs/ingest/initech/probe HTTP/1.1" 403 - via_upstream - "-" 0 19 0 0 "-" "curl/7.88.1" "ht-7c2f-tenant-globex.client-13" "log-collector.shared-services.svc.cluster.local:8080" "10.244.0.4:8080" outbound|8080||log-collector.shared-services.svc.cluster.local 10.244.0.6:34944 10.96.205.186:8080 10.244.0.6:53884 - default`;
const PLAINTEXT_RESET = `[2026-12-02T17:31:31.617Z] "- - -" 0 NR filter_chain_not_found - "-" 0 0 1 - "-" "-" "-" "-" "-" - - 10.244.0.8:8080 10.244.0.11:46452 - -`;

describe("the local sidecars' access logs", () => {
  it("reads the response code, flags, details, request id and upstream cluster of Istio's default format", () => {
    assert.deepEqual(parseAccessLogLine(SERVER_403), {
      responseCode: 403,
      responseFlags: "-",
      responseCodeDetails: "rbac_access_denied_matched_policy[ns[tenant-acme]-policy[deny-beyond-grants-globex-echo]-rule[0]]",
      requestId: "ht-7c2f-tenant-globex.client-13",
      upstreamCluster: "inbound|8080||",
    });
  });

  it("skips entries without a request id (a plaintext connection STRICT reset before any HTTP) and other log lines", () => {
    assert.equal(parseAccessLogLine(PLAINTEXT_RESET), undefined);
    assert.equal(parseAccessLogLine("2026-12-02T17:31:31.617Z info xdsproxy connected to upstream XDS server"), undefined);
  });

  it("collects the wanted requests' entries, the server's (inbound) entry first", () => {
    const found = new Map<string, EnvoyAccessRecord[]>();
    entriesFor(`${CLIENT_403}\n`, "tenant-globex/client-1", new Set(["ht-7c2f-tenant-globex.client-13"]), found);
    entriesFor(`noise\n${SERVER_403}\n${PLAINTEXT_RESET}\n`, "tenant-acme/echo-1", new Set(["ht-7c2f-tenant-globex.client-13"]), found);
    assert.deepEqual(found.get("ht-7c2f-tenant-globex.client-13")?.map((e) => [e.sidecar, e.responseCodeDetails.slice(0, 20)]), [
      ["tenant-acme/echo-1", "rbac_access_denied_m"],
      ["tenant-globex/client-1", "via_upstream"],
    ]);
    entriesFor(SERVER_403, "tenant-acme/echo-1", new Set(["another"]), found);
    assert.equal(found.size, 1);
  });
});
