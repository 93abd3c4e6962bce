// Config an upstream review found accepted though it must not be: each exits 2 with the field and the fix.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../../components/spec/problems";
import { readStackConfigFile } from "../../../components/spec/stack-config";
import { checkPlatformConfig } from "../../../components/spec/validate";
import { syntheticConfig } from "../../fixtures/platform";
import { baseConfig, problemsOf, tenant, type Raw } from "./support";

function withEndpoint(cidr: string, cluster: Raw = {}): Raw {
  const raw = baseConfig();
  raw.cluster = { ...(raw.cluster as Raw), ...cluster, apiServerEndpoints: [{ cidr, port: 6443 }] };
  return raw;
}

describe("config the review found accepted", () => {
  it("refuses API server endpoints wider than /24 (IPv4) or /64 (IPv6), and 0.0.0.0/0", () => {
    assert.deepEqual(problemsOf(withEndpoint("0.0.0.0/0")), ["cluster.apiServerEndpoints[0].cidr: 0.0.0.0/0 is every address: it would open egress to the whole network on this port"]);
    assert.deepEqual(problemsOf(withEndpoint("172.18.0.0/16")), ["cluster.apiServerEndpoints[0].cidr: 172.18.0.0/16 is wider than /24: the allowance would open egress to 65536 addresses on this port"]);
    assert.deepEqual(problemsOf(withEndpoint("172.18.0.0/24")), []);
    const v6 = { podCidr: "fd00:10:244::/56", serviceCidr: "fd00:10:96::/112" };
    assert.match(problemsOf(withEndpoint("fd00:1::/48", v6))[0], /fd00:1::\/48 is wider than \/64/);
    assert.deepEqual(problemsOf(withEndpoint("fd00:1::/64", v6)), []);
  });

  it("refuses an endpoint inside the service CIDR (Calico never sees the VIP) or the pod CIDR (that would open pods, not the API)", () => {
    assert.match(problemsOf(withEndpoint("10.96.0.1/32"))[0], /^cluster\.apiServerEndpoints\[0\]\.cidr: 10\.96\.0\.1\/32 lies in cluster\.serviceCidr 10\.96\.0\.0\/16: .*after DNAT/);
    assert.match(problemsOf(withEndpoint("10.244.3.0/24"))[0], /lies in cluster\.podCidr 10\.244\.0\.0\/16: it would open egress to pods/);
  });

  it("refuses pod and service CIDRs of different address families", () => {
    const raw = baseConfig();
    raw.cluster = { ...(raw.cluster as Raw), serviceCidr: "fd00:10:96::/112" };
    assert.deepEqual(problemsOf(raw), ["cluster.serviceCidr: fd00:10:96::/112 is IPv6 but cluster.podCidr 10.244.0.0/16 is IPv4"]);
  });

  it("refuses a grant identical to an earlier one (methods and paths in any order)", () => {
    const config = syntheticConfig(2);
    const grant = { ...config.grants![0], methods: ["GET", "HEAD"], paths: ["/a/*", "/b"] };
    const raw = { ...config, grants: [grant, { ...grant, methods: ["HEAD", "GET"], paths: ["/b", "/a/*"], reason: "again" }] };
    const { problems } = checkPlatformConfig(raw);
    assert.deepEqual(problems.map((p) => `${p.field}: ${p.message}`), ["grants[1]: opens exactly what grants[0] opens (same from, to, workload, port, methods and paths)"]);
  });

  it("refuses grant paths with ? or #, which Istio's path match never sees", () => {
    const config = syntheticConfig(2);
    for (const path of ["/api?debug=1", "/api#top"]) {
      const raw = { ...config, grants: [{ ...config.grants![0], paths: [path] }] };
      assert.match(checkPlatformConfig(raw).problems[0].message, /contains "\?" or "#"/, path);
    }
  });

  it("refuses counts and quantities beyond what Kubernetes holds", () => {
    const raw = baseConfig();
    tenant(raw, 0).quota = { pods: 1e29, limitsMemory: "1e30" };
    assert.deepEqual(problemsOf(raw), [
      "tenants[0].quota.limitsMemory: \"1e30\" is beyond 2^63−1, the largest quantity Kubernetes represents (larger ones are capped, so the cluster would hold another value)",
      `tenants[0].quota.pods: 1e+29 is beyond the largest exact whole number (${Number.MAX_SAFE_INTEGER}); Kubernetes would not hold the count you wrote`,
    ]);
  });

  describe("a plain PlatformConfig file", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "ht-plain-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("is told it lacks the stack file's config: wrapper, instead of 'tenants is required'", () => {
      const file = join(dir, "platform.yaml");
      writeFileSync(file, "tenants:\n  - name: acme\ncluster:\n  apiServerEndpoints: [{ cidr: 10.0.0.10/32, port: 6443 }]\n");
      assert.throws(
        () => readStackConfigFile(file),
        (error: unknown) => error instanceof ConfigError && /plain PlatformConfig .* no config: key/.test(error.problems[0].message) && /wrap it as a stack file: config:/.test(error.problems[0].fix),
      );
    });
  });
});
