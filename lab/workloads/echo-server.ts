// The demo echo server: a dependency-free Node.js program, shipped to the cluster in a ConfigMap and
// run by the pinned Node image. Every tenant's `echo` and every shared service (the log collector)
// run it, so a probe's response body says which pod answered and which caller identity the
// server-side sidecar vouched for.
//
// Caller identity: Istio's inbound sidecar forwards the peer's verified certificate details in
// `x-forwarded-client-cert`. Its default is `forward_client_cert_details: APPEND_FORWARD` (with
// `set_current_client_cert_details` Subject/URI/DNS): whatever XFCC the client sent is kept and the
// current hop is appended LAST — so on a tenant's echo everything before the last element came from
// the caller. Shared services get `SANITIZE_SET` from the platform (an EnvoyFilter, see
// components/builders/shared-services.ts), so there the header is exactly one element.
// Envoy's format: elements separated by `,`, each `Key=Value` pairs separated by `;`; a value
// containing `,`, `;` or `=` is double-quoted with `\"` for a quote inside; `URI` may repeat
// (Envoy PR #20724). The parser splits on separators outside quotes, honours escapes, and reports
// no identity at all when the header is malformed (unbalanced quote, dangling escape, a pair without
// `=`, text after a closing quote): a forged prefix with an open quote must not be able to swallow
// the real element and leave the forged URI in its place.

/** Name of the ConfigMap holding the program, in every namespace that runs an echo server. */
export const ECHO_SERVER_CONFIGMAP = "echo-server";
/** Key (file name) of the program in that ConfigMap. */
export const ECHO_SERVER_FILE = "server.js";
/** Where the ConfigMap is mounted in the container. */
export const ECHO_SERVER_MOUNT_PATH = "/app";

/** Environment variables the program reads. */
export const ECHO_SERVER_ENV = {
  port: "PORT",
  tenant: "HT_TENANT",
  namespace: "HT_NAMESPACE",
  workload: "HT_WORKLOAD",
  pod: "HT_POD_NAME",
} as const;

/** Value of `server` in every response: tells an echo body from an Envoy or curl error text. */
export const ECHO_SERVER_MARKER = "hard-tenancy-echo";

/** Who called, as the echo server received it. */
export interface EchoCaller {
  /** The raw `x-forwarded-client-cert` header, or null when absent (plaintext caller, no sidecar). */
  xfcc: string | null;
  /** The first `spiffe://` URI of each XFCC element, in order (null for an element without one); empty when malformed. */
  xfccUris: (string | null)[];
  /** True when the header could not be parsed (then `spiffe` is null: no guess). */
  xfccMalformed: boolean;
  /** The `spiffe://` URI of the LAST XFCC element: the identity our own sidecar verified. */
  spiffe: string | null;
  /** The raw `x-tenant-identity` header (set by the optional Lua filter), or null. */
  tenantIdentity: string | null;
}

/** The JSON body the echo server answers every request with. */
export interface EchoResponse {
  server: typeof ECHO_SERVER_MARKER;
  tenant: string | null;
  namespace: string | null;
  workload: string | null;
  pod: string | null;
  method: string;
  /** Request target as received (path and query). */
  path: string;
  host: string | null;
  /** Bytes of request body received (drained, not echoed). */
  bodyBytes: number;
  caller: EchoCaller;
}

/**
 * The program (CommonJS, Node ≥ 18, no dependencies). Listens on $PORT (default 8080; 0 = any free
 * port) and logs "echo server listening on port <n>" once it is ready.
 */
export const ECHO_SERVER_PROGRAM = String.raw`"use strict";
// hard-tenancy echo server: answers every request with who it is and who called it (JSON).
const http = require("node:http");

const port = Number(process.env.PORT || 8080);
const self = {
  tenant: process.env.HT_TENANT || null,
  namespace: process.env.HT_NAMESPACE || null,
  workload: process.env.HT_WORKLOAD || null,
  pod: process.env.HT_POD_NAME || null,
};

// Parses an XFCC header into elements, each a list of [lower-case key, value] pairs, or returns
// null when it is malformed (Envoy header docs: "," between elements, ";" between pairs, "=" between
// key and value; a value with , ; or = is double-quoted, a quote inside written as \").
function parseXfcc(text) {
  const elements = [];
  let pairs = [];
  let key = null;
  let buffer = "";
  let state = "key"; // key | value | quoted | closed (right after a closing quote)
  const endPair = () => {
    if (key === null || key.trim() === "") return false;
    pairs.push([key.trim().toLowerCase(), state === "closed" ? buffer : buffer.trim()]);
    key = null;
    buffer = "";
    state = "key";
    return true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (state === "quoted") {
      if (ch === "\\") {
        if (i + 1 >= text.length) return null;
        buffer += text[++i];
      } else if (ch === '"') {
        state = "closed";
      } else {
        buffer += ch;
      }
      continue;
    }
    if (ch === ";" || ch === ",") {
      if (!endPair()) return null;
      if (ch === ",") { elements.push(pairs); pairs = []; }
      continue;
    }
    if (state === "closed") {
      if (ch.trim() === "") continue;
      return null;
    }
    if (state === "key") {
      if (ch === '"') return null;
      if (ch === "=") { key = buffer; buffer = ""; state = "value"; } else { buffer += ch; }
      continue;
    }
    if (ch === '"') {
      if (buffer.trim() !== "") return null;
      buffer = "";
      state = "quoted";
      continue;
    }
    if (ch === "=") return null;
    buffer += ch;
  }
  if (state === "quoted" || !endPair()) return null;
  elements.push(pairs);
  return elements;
}

function elementUri(pairs) {
  for (const [key, value] of pairs) if (key === "uri" && value.startsWith("spiffe://")) return value;
  return null;
}

function callerOf(headers) {
  const xfcc = typeof headers["x-forwarded-client-cert"] === "string" ? headers["x-forwarded-client-cert"] : null;
  const tenantIdentity = typeof headers["x-tenant-identity"] === "string" ? headers["x-tenant-identity"] : null;
  const elements = xfcc === null ? [] : parseXfcc(xfcc);
  // One element per proxy hop; our own sidecar's element is the last one, the only one it verified.
  const xfccUris = elements === null ? [] : elements.map(elementUri);
  const spiffe = xfccUris.length > 0 ? xfccUris[xfccUris.length - 1] : null;
  return { xfcc, xfccUris, xfccMalformed: elements === null, spiffe, tenantIdentity };
}

const server = http.createServer((req, res) => {
  let bodyBytes = 0;
  req.on("data", (chunk) => { bodyBytes += chunk.length; });
  req.on("end", () => {
    const body = JSON.stringify({
      server: "hard-tenancy-echo",
      ...self,
      method: req.method,
      path: req.url,
      host: req.headers.host || null,
      bodyBytes,
      caller: callerOf(req.headers),
    });
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(body + "\n");
  });
});

server.listen(port, () => console.log("echo server listening on port " + server.address().port + " as " + JSON.stringify(self)));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
`;
