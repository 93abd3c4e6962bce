// The demo echo server: a dependency-free Node.js program, shipped to the cluster in a ConfigMap and
// run by the pinned Node image. Every tenant's `echo` and every shared service (the log collector)
// run it, so a probe's response body says which pod answered and which caller identity the
// server-side sidecar vouched for.
//
// Caller identity: Istio's inbound sidecar forwards the peer's verified certificate details in
// `x-forwarded-client-cert` (Envoy `forward_client_cert_details: APPEND_FORWARD`, with
// `set_current_client_cert_details` Subject/URI/DNS). XFCC elements are comma-separated, one per
// proxy hop, and APPEND_FORWARD appends the current hop LAST; each element is `Key=Value` pairs
// separated by `;`, values optionally double-quoted, and `URI` may repeat (Envoy PR #20724). So only
// the last element's `URI=spiffe://…` is what our own sidecar verified; anything before it came from
// the caller. The server reports both, and never trusts the first.

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
  /** The first `spiffe://` URI of each XFCC element, in order (null for an element without one). */
  xfccUris: (string | null)[];
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

function splitOutsideQuotes(text, separator) {
  const parts = [];
  let current = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) { parts.push(current); current = ""; } else { current += ch; }
  }
  parts.push(current);
  return parts;
}

function xfccElementUri(element) {
  for (const pair of splitOutsideQuotes(element, ";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== "uri") continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value.startsWith("spiffe://")) return value;
  }
  return null;
}

function callerOf(headers) {
  const xfcc = typeof headers["x-forwarded-client-cert"] === "string" ? headers["x-forwarded-client-cert"] : null;
  const tenantIdentity = typeof headers["x-tenant-identity"] === "string" ? headers["x-tenant-identity"] : null;
  // One element per proxy hop; our own sidecar appends its element last, so only that one is verified.
  const xfccUris = xfcc === null ? [] : splitOutsideQuotes(xfcc, ",").map(xfccElementUri);
  const spiffe = xfccUris.length > 0 ? xfccUris[xfccUris.length - 1] : null;
  return { xfcc, xfccUris, spiffe, tenantIdentity };
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
