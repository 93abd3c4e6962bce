import assert from "node:assert/strict";
import {
  ISTIO_DEFAULT_PATH_NORMALIZATION,
  normalizeRequestPath,
  PATH_NORMALIZATIONS,
  removeDotSegments,
  type PathNormalization,
} from "../../../../../lab/model/layers/authz/path-normalization";

const normalized = (path: string, mode: PathNormalization): string | undefined => normalizeRequestPath(path, mode).path;

describe("Istio path normalization (the path AuthorizationPolicy paths are matched against)", () => {
  it("defaults to BASE, as Istio does when meshConfig.pathNormalization is unset", () => {
    assert.equal(ISTIO_DEFAULT_PATH_NORMALIZATION, "BASE");
  });

  // Each row: request path, then the expected path under NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES.
  // Examples from https://istio.io/latest/docs/reference/config/security/normalization/ and the
  // per-mode examples of the pathNormalization reference.
  const table: [string, string, string, string, string][] = [
    ["/a/../b", "/a/../b", "/b", "/b", "/b"],
    ["/public/./data/abc/../xyz", "/public/./data/abc/../xyz", "/public/data/xyz", "/public/data/xyz", "/public/data/xyz"],
    ["/some\\data", "/some\\data", "/some/data", "/some/data", "/some/data"],
    ["/a//b", "/a//b", "/a//b", "/a/b", "/a/b"],
    ["/some//data///abc", "/some//data///abc", "/some//data///abc", "/some/data/abc", "/some/data/abc"],
    ["/a%2fb", "/a%2fb", "/a%2fb", "/a%2fb", "/a/b"],
    ["/some%2fdata/%61%62%63", "/some%2fdata/%61%62%63", "/some%2fdata/abc", "/some%2fdata/abc", "/some/data/abc"],
    ["/a%5Cb", "/a%5Cb", "/a%5Cb", "/a%5Cb", "/a/b"],
    ["/%7e%5f%2d%2e%30", "/%7e%5f%2d%2e%30", "/~_-.0", "/~_-.0", "/~_-.0"],
    ["/foo?v=1&next=/../x", "/foo", "/foo", "/foo", "/foo"],
    ["/logs/ingest/acme/..%2Fglobex/x", "/logs/ingest/acme/..%2Fglobex/x", "/logs/ingest/acme/..%2Fglobex/x", "/logs/ingest/acme/..%2Fglobex/x", "/logs/ingest/globex/x"],
    ["/logs/ingest/acme/%2e%2e%2fglobex", "/logs/ingest/acme/%2e%2e%2fglobex", "/logs/ingest/acme/..%2fglobex", "/logs/ingest/acme/..%2fglobex", "/logs/ingest/globex"],
    ["/logs/ingest/acme/%2e%2e/globex/x", "/logs/ingest/acme/%2e%2e/globex/x", "/logs/ingest/globex/x", "/logs/ingest/globex/x", "/logs/ingest/globex/x"],
    ["/logs/ingest/acme/..%5Cglobex/x", "/logs/ingest/acme/..%5Cglobex/x", "/logs/ingest/acme/..%5Cglobex/x", "/logs/ingest/acme/..%5Cglobex/x", "/logs/ingest/globex/x"],
    ["//logs/ingest/globex", "//logs/ingest/globex", "//logs/ingest/globex", "/logs/ingest/globex", "/logs/ingest/globex"],
  ];
  for (const [input, ...expected] of table) {
    it(`normalizes ${input} per mode as upstream documents`, () => {
      const actual = PATH_NORMALIZATIONS.map((mode) => normalized(input, mode));
      assert.deepEqual(actual, expected);
    });
  }

  it("decodes only once: an encoded percent sign never becomes a slash", () => {
    assert.equal(normalized("/a/%252F..%252Fb", "DECODE_AND_MERGE_SLASHES"), "/a/%252F..%252Fb");
    assert.equal(normalized("/a/%%32%46b", "DECODE_AND_MERGE_SLASHES"), "/a/%2Fb");
  });

  it("never climbs above the root and keeps a trailing slash after a final dot segment", () => {
    assert.equal(removeDotSegments("/../../etc"), "/etc");
    assert.equal(removeDotSegments("/a/b/.."), "/a/");
    assert.equal(removeDotSegments("/a/."), "/a/");
    assert.equal(removeDotSegments("/a/..b/c"), "/a/..b/c");
  });

  it("rejects a path carrying %00 in every mode, as Istio answers it with HTTP 400", () => {
    for (const mode of PATH_NORMALIZATIONS) {
      const result = normalizeRequestPath("/logs/ingest/acme%00/../globex", mode);
      assert.equal(result.path, undefined);
      assert.match(result.rejected ?? "", /%00/);
    }
  });

  it("names the field and the accepted values for an unknown mode", () => {
    assert.throws(() => normalizeRequestPath("/", "DECODE" as PathNormalization), /pathNormalization: "DECODE".*DECODE_AND_MERGE_SLASHES/);
  });
});
