import assert from "node:assert/strict";
import { grantId, grantPathError } from "../../../components/spec/validate-grants";
import { checkPlatformConfig } from "../../../components/spec/validate";
import { isDnsLabel } from "../../../components/spec/names";
import { syntheticConfig } from "../../fixtures/platform";
import { baseConfig, onlyFix, problemsOf, type Raw } from "./support";

const VALID_GRANT = { from: "t0002", to: "t0001", workload: "echo", port: 8080, methods: ["GET"], paths: ["/api/v1/public/*"], reason: "fixture" };

function withGrant(patch: Raw): Raw {
  const raw = baseConfig();
  raw.grants = [{ ...VALID_GRANT, ...patch }];
  return raw;
}

describe("cross-tenant grants", () => {
  it("rejects a grant from a tenant that does not exist, naming the tenants that do", () => {
    const raw = withGrant({ from: "nobody" });
    assert.deepEqual(problemsOf(raw), ['grants[0].from: "nobody" is not a configured tenant']);
    assert.equal(onlyFix(raw), "use one of: t0001, t0002");
  });

  it("rejects a grant to a tenant that does not exist", () => {
    assert.deepEqual(problemsOf(withGrant({ to: "acme" })), ['grants[0].to: "acme" is not a configured tenant']);
  });

  it("rejects a grant from a tenant to itself", () => {
    assert.deepEqual(problemsOf(withGrant({ to: "t0002" })), ['grants[0].to: is the same tenant as from ("t0002"); traffic inside a tenant needs no grant']);
  });

  it("rejects a workload that is not a DNS-1123 label", () => {
    assert.deepEqual(problemsOf(withGrant({ workload: "Echo_Server" })), ['grants[0].workload: "Echo_Server" is not a DNS-1123 label']);
  });

  it("rejects a grant port outside 1–65535", () => {
    assert.deepEqual(problemsOf(withGrant({ port: 0 })), ["grants[0].port: must be a port number 1–65535, got number 0"]);
  });

  it("rejects a lowercase HTTP method and suggests the uppercase one", () => {
    const raw = withGrant({ methods: ["get"] });
    assert.deepEqual(problemsOf(raw), ['grants[0].methods[0]: "get" is not an uppercase HTTP method']);
    assert.equal(onlyFix(raw), 'write "GET" (methods are matched case-sensitively)');
  });

  it("rejects an empty method list, which Istio would read as every method", () => {
    assert.deepEqual(problemsOf(withGrant({ methods: [] })), ["grants[0].methods: must not be empty (Istio treats an empty list as every method)"]);
  });

  it("rejects a path that does not start with a slash", () => {
    assert.deepEqual(problemsOf(withGrant({ paths: ["api/v1"] })), ['grants[0].paths[0]: "api/v1" must start with "/" (or be a "*suffix" pattern)']);
  });

  it("rejects a * in the middle of a path because Istio matches it literally", () => {
    assert.deepEqual(problemsOf(withGrant({ paths: ["/api/*/public"] })), [
      'grants[0].paths[0]: "/api/*/public" uses "*" in the middle, which Istio matches literally (only "prefix*", "*suffix" or exact paths are patterns)',
    ]);
  });

  it("rejects Istio path-template braces, which not every layer would read the same way", () => {
    assert.deepEqual(problemsOf(withGrant({ paths: ["/api/{*}/public"] })), ['grants[0].paths[0]: "/api/{*}/public" uses path-template braces ({*}, {**}), which grants do not support']);
  });

  it("names at most ten tenants in the fix for an unknown tenant", () => {
    const raw = syntheticConfig(25);
    raw.grants = [{ ...VALID_GRANT, to: "t9999" }];
    assert.equal(onlyFix(raw), "use one of: t0001, t0002, t0003, t0004, t0005, t0006, t0007, t0008, t0009, t0010, … (15 more)");
  });

  it("rejects a path of * alone, which would open every path", () => {
    assert.deepEqual(problemsOf(withGrant({ paths: ["*"] })), ['grants[0].paths[0]: "*" matches every path; a grant must name the paths it opens']);
  });

  it("rejects an empty path list, which Istio would read as every path", () => {
    assert.deepEqual(problemsOf(withGrant({ paths: [] })), ["grants[0].paths: must not be empty (Istio treats an empty list as every path)"]);
  });

  it("rejects a grant without a reason, and one with a blank reason", () => {
    assert.deepEqual(problemsOf(withGrant({ reason: undefined })), ["grants[0].reason: is required"]);
    assert.deepEqual(problemsOf(withGrant({ reason: "  " })), ["grants[0].reason: must not be empty"]);
  });

  it("rejects an unknown grant key such as a misspelt path list", () => {
    const raw = withGrant({ path: ["/x"] });
    assert.deepEqual(problemsOf(raw), ['grants[0].path: unknown key "path"']);
    assert.equal(onlyFix(raw), 'did you mean "paths"?');
  });

  it("accepts Istio's exact, prefix and suffix path forms", () => {
    assert.equal(grantPathError("/api/v1/status"), undefined);
    assert.equal(grantPathError("/api/v1/public/*"), undefined);
    assert.equal(grantPathError("*.json"), undefined);
    assert.deepEqual(problemsOf(withGrant({ paths: ["/api/v1/status", "/api/v1/public/*", "*.json"] })), []);
  });

  it("numbers grant ids per from/to/workload so adding an unrelated grant renames nothing", () => {
    const raw = baseConfig();
    raw.grants = [VALID_GRANT, { ...VALID_GRANT, workload: "api" }, { ...VALID_GRANT, paths: ["/health"] }];
    assert.deepEqual(checkPlatformConfig(raw).spec?.grants.map((g) => g.id), ["t0002-to-t0001-echo-0", "t0002-to-t0001-api-0", "t0002-to-t0001-echo-1"]);
  });

  it("shortens ids over 63 characters with a hash suffix, keeping them DNS-1123 labels and unique", () => {
    const from = "f".repeat(40);
    const to = "t".repeat(40);
    const first = grantId(from, to, "echo", 0);
    const second = grantId(from, to, "echo", 1);
    assert.ok(first.length <= 63 && isDnsLabel(first), first);
    assert.ok(isDnsLabel(second), second);
    assert.notEqual(first, second);
    assert.equal(grantId("a", "b", "echo", 0), "a-to-b-echo-0");
  });
});
