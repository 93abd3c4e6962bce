// The request path an AuthorizationPolicy's `paths`/`notPaths` is matched against: Istio matches
// the path AFTER the sidecar's path normalization, and forwards that same normalized path to the
// application (https://istio.io/latest/docs/reference/config/security/normalization/).
//
// The mode is mesh-wide, `meshConfig.pathNormalization.normalization`; Istio's default is BASE.
// What each mode configures on Envoy's HTTP connection manager (istio/istio
// pilot/pkg/networking/core/listener_builder.go): NONE → normalize_path false; BASE (and
// DEFAULT) → normalize_path; MERGE_SLASHES → + merge_slashes; DECODE_AND_MERGE_SLASHES → +
// path_with_escaped_slashes_action UNESCAPE_AND_FORWARD (every other mode: KEEP_UNCHANGED).
// Envoy applies the escaped-slash action "before URL normalization and the merge slashes
// transformations" (envoy http_connection_manager.proto, PathWithEscapedSlashesAction).
//
// Per step, from Istio's normalization reference:
// - DECODE_AND_MERGE_SLASHES only: `%2F`/`%2f` → `/` and `%5C`/`%5c` → `\`, once (no double decoding).
// - BASE (Envoy normalize_path, RFC 3986 + extras): the unreserved characters `%2d %2e %30-%39
//   %41-%5a %5f %61-%7a %7e` are decoded, `\` becomes `/`, `/./` and `/../` are resolved per
//   RFC 3986 §5.2.4 (`..` never climbs above the root).
// - MERGE_SLASHES and DECODE_AND_MERGE_SLASHES: `//`, `///`… become `/`, after the above.
// - Always: everything from `?` on is left out of the comparison (the app still sees the query),
//   and a path with `%00` is rejected with HTTP 400.
// So under BASE `/a/%2e%2e/b` is `/b`, but `/a/..%2Fb` stays as sent (`..%2Fb` is one segment):
// an ALLOW on `/a/*` matches it while an app that decodes `%2F` serves `/b`.
// Not modelled: Envoy's percent-encoding of characters a path may not carry raw (space, `"`…),
// which cannot turn one tenant's prefix into another's.

export type PathNormalization = "NONE" | "BASE" | "MERGE_SLASHES" | "DECODE_AND_MERGE_SLASHES";

export const PATH_NORMALIZATIONS: readonly PathNormalization[] = ["NONE", "BASE", "MERGE_SLASHES", "DECODE_AND_MERGE_SLASHES"];

/** What Istio uses when `meshConfig.pathNormalization` is not set. */
export const ISTIO_DEFAULT_PATH_NORMALIZATION: PathNormalization = "BASE";

export type NormalizedPath = { path: string; rejected?: undefined } | { rejected: string; path?: undefined };

export function isPathNormalization(value: unknown): value is PathNormalization {
  return typeof value === "string" && (PATH_NORMALIZATIONS as readonly string[]).includes(value);
}

/** Percent-encodings Envoy's normalize_path decodes: the RFC 3986 unreserved characters. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function decodeEscapes(path: string, shouldDecode: (char: string) => boolean): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return shouldDecode(char) ? char : escape;
  });
}

/** RFC 3986 §5.2.4 remove_dot_segments on an absolute path. */
export function removeDotSegments(path: string): string {
  const output: string[] = [];
  const segments = path.split("/");
  // segments[0] is "" for an absolute path; the last segment decides the trailing slash.
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (segment === ".") {
      if (last) output.push("");
    } else if (segment === "..") {
      output.pop();
      if (last) output.push("");
    } else {
      output.push(segment);
    }
  }
  return `/${output.join("/")}`;
}

/**
 * The path Istio's sidecar matches `paths`/`notPaths` against (query excluded), or why it
 * rejects the request before any policy runs.
 */
export function normalizeRequestPath(requestPath: string, mode: PathNormalization): NormalizedPath {
  if (!isPathNormalization(mode)) {
    throw new Error(`pathNormalization: ${JSON.stringify(mode)} is not an Istio normalization; use one of ${PATH_NORMALIZATIONS.join(", ")}`);
  }
  const query = requestPath.indexOf("?");
  let path = query < 0 ? requestPath : requestPath.slice(0, query);
  if (/%00/.test(path)) return { rejected: "the path contains %00, which Istio always rejects with HTTP 400" };
  if (mode === "NONE") return { path };
  if (mode === "DECODE_AND_MERGE_SLASHES") path = decodeEscapes(path, (c) => c === "/" || c === "\\");
  path = decodeEscapes(path, (c) => UNRESERVED.test(c)).replace(/\\/g, "/");
  if (!path.startsWith("/")) path = `/${path}`;
  path = removeDotSegments(path);
  if (mode === "MERGE_SLASHES" || mode === "DECODE_AND_MERGE_SLASHES") path = path.replace(/\/{2,}/g, "/");
  return { path };
}
