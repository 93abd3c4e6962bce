// The exact curl invocation the live check runs inside a source pod, and the shell quoting it needs.
//
// `-w` variables: `%{http_code}` (0 = no HTTP response), `%{exitcode}` and `%{errormsg}` (both added
// in curl 7.75.0; the lab's client image ships curl 8.11.1 and the test machine 7.88.1). curl
// writes the `-w` output even when the transfer fails, which is what lets one line describe a
// timeout, a refused connection or a reset.

import { DEFAULT_CLIENT_TIMEOUT_SECONDS } from "../model/observation";

/** Marks the `-w` line so a parser never mistakes body text for it. */
export const WRITE_OUT_PREFIX = "ht-w";

/** `-w` format: http code, curl's own exit code, total time, then the error message (may contain spaces, so last). */
export const CURL_WRITE_OUT = `${WRITE_OUT_PREFIX} http=%{http_code} exit=%{exitcode} time=%{time_total} error=%{errormsg}\\n`;

/**
 * Default per-request ceiling in seconds (`--max-time`): shorter than Envoy's 10 s connect timeout,
 * so a dropped packet behind a sidecar yields exit 28, not Envoy's 503 (the model predicts which:
 * lab/model/observation.ts).
 */
export const DEFAULT_MAX_TIME_SECONDS = DEFAULT_CLIENT_TIMEOUT_SECONDS;

/** One HTTP request a probe makes. `url` is complete (scheme, host, port, path). */
export interface CurlRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
}

const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * curl's argv for one request, without the output file (`-o` is added by the caller because the
 * body's place differs between the pod script and a direct run).
 * - `-q` first: ignore any ~/.curlrc in the image.
 * - `--noproxy '*'`: never route a probe through an HTTP proxy from the environment.
 * - `--path-as-is`: send `..` segments as written (path-confusion probes must reach the server unnormalised).
 */
export function curlArgs(request: CurlRequest, maxTimeSeconds: number = DEFAULT_MAX_TIME_SECONDS): string[] {
  if (!Number.isFinite(maxTimeSeconds) || maxTimeSeconds <= 0) {
    throw new Error(`maxTimeSeconds: ${maxTimeSeconds} is not a positive number of seconds; pass e.g. 5`);
  }
  if (!/^https?:\/\//.test(request.url)) {
    throw new Error(`url: ${JSON.stringify(request.url)} must start with http:// or https://`);
  }
  const method = request.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) {
    throw new Error(`method: ${JSON.stringify(request.method)} is not an HTTP method; use e.g. GET or POST`);
  }
  const args = ["-q", "-s", "--noproxy", "*", "--path-as-is", "--max-time", String(maxTimeSeconds)];
  args.push("-w", CURL_WRITE_OUT);
  if (method === "HEAD") args.push("--head");
  else if (method !== "GET") args.push("-X", method);
  if (METHODS_WITH_BODY.has(method)) args.push("--data-binary", "");
  for (const [name, value] of Object.entries(request.headers)) {
    if (!HEADER_NAME.test(name)) {
      throw new Error(`headers: ${JSON.stringify(name)} is not a valid HTTP header name; use letters, digits and '-'`);
    }
    if (/[\r\n]/.test(value)) {
      throw new Error(`headers.${name}: the value contains a line break; header values must be one line`);
    }
    args.push("-H", `${name}: ${value}`);
  }
  args.push(request.url);
  return args;
}

/** POSIX-shell single quoting: safe for any string, including quotes and `$`. */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
