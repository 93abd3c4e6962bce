// One POSIX shell script per source pod: runs that pod's requests in parallel batches (each request
// bounded by curl's --max-time), then prints every result between delimiters that carry a per-run
// random nonce and the request's index. A destination's body cannot forge a delimiter it cannot
// guess, and a missing block means the request never reported (classified unknown, never allow).
import { curlArgs, shellQuote, type CurlRequest, WRITE_OUT_PREFIX } from "./curl";

export interface ScriptOptions {
  /** Random per run, [A-Za-z0-9]{8,64}. */
  nonce: string;
  /** Requests started together before the script waits for all of them. */
  batchSize: number;
  maxTimeSeconds: number;
  /** Bytes of each body kept for classification and the report. */
  bodyLimitBytes?: number;
}

export const DEFAULT_BATCH_SIZE = 32;
const DEFAULT_BODY_LIMIT = 2048;

/** The raw result of one request as the pod reported it. */
export interface RawObservation {
  index: number;
  /** Shell exit status of curl (authoritative). */
  exitCode: number | null;
  /** `%{http_code}`; 0 when there was no HTTP response. */
  httpCode: number | null;
  /** `%{exitcode}` from the `-w` line (cross-check of exitCode). */
  writeOutExitCode: number | null;
  errorMessage: string;
  timeSeconds: number | null;
  body: string;
  /** False when the pod printed no block for this request. */
  reported: boolean;
}

export function batchCount(requests: number, batchSize: number): number {
  return Math.ceil(requests / batchSize);
}

/** `index` is a number, or the shell expression that expands to one inside the script. */
function delimiter(nonce: string, index: number | string, part: "BEGIN" | "BODY" | "END"): string {
  return `@@ht-probe ${nonce} ${index} ${part}@@`;
}

function checkOptions(options: ScriptOptions): void {
  if (!/^[A-Za-z0-9]{8,64}$/.test(options.nonce)) {
    throw new Error(`nonce: ${JSON.stringify(options.nonce)} must be 8-64 letters or digits; use randomNonce()`);
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new Error(`batchSize: ${options.batchSize} must be a positive integer, e.g. ${DEFAULT_BATCH_SIZE}`);
  }
}

/** The script for one pod. Request i's result is printed between the delimiters of index i. */
export function buildProbeScript(requests: readonly CurlRequest[], options: ScriptOptions): string {
  checkOptions(options);
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const lines = [
    "set -u",
    // The probe containers keep a read-only root filesystem and mount a small writable emptyDir at
    // /tmp (lab/workloads/demo.ts), so /tmp is the one place to write.
    `d=$(mktemp -d "\${TMPDIR:-/tmp}/ht-probe.XXXXXX") || { echo "ht-probe: cannot create a temporary directory under \${TMPDIR:-/tmp} (mktemp failed; the probe pod needs a writable emptyDir there)" >&2; exit 90; }`,
    `trap 'rm -rf "$d"' EXIT`,
    // p INDEX CURL-ARGS...: run curl with the body in $d/INDEX.body, the -w line in .meta, the exit status in .rc
    `p() { i=$1; shift; curl "$@" -o "$d/$i.body" > "$d/$i.meta" 2>/dev/null; echo "$?" > "$d/$i.rc"; }`,
  ];
  requests.forEach((request, index) => {
    const args = curlArgs(request, options.maxTimeSeconds).map(shellQuote).join(" ");
    lines.push(`p ${index} ${args} &`);
    if ((index + 1) % options.batchSize === 0 || index === requests.length - 1) lines.push("wait");
  });
  lines.push(
    `i=0; while [ "$i" -lt ${requests.length} ]; do`,
    `  echo "${delimiter(options.nonce, "$i", "BEGIN")}"`,
    `  echo "rc=$(cat "$d/$i.rc" 2>/dev/null)"`,
    `  cat "$d/$i.meta" 2>/dev/null`,
    `  echo "${delimiter(options.nonce, "$i", "BODY")}"`,
    `  head -c ${limit} "$d/$i.body" 2>/dev/null`,
    `  echo; echo "${delimiter(options.nonce, "$i", "END")}"`,
    "  i=$((i + 1))",
    "done",
  );
  return lines.join("\n") + "\n";
}

function parseIntOrNull(text: string | undefined): number | null {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return null;
  return Number(text.trim());
}

/** Parses one `-w` line: `ht-w http=403 exit=0 time=0.012 error=`. */
export function parseWriteOut(line: string): Pick<RawObservation, "httpCode" | "writeOutExitCode" | "timeSeconds" | "errorMessage"> | null {
  const match = new RegExp(`^${WRITE_OUT_PREFIX} http=(\\d+) exit=(\\d+) time=([0-9.]+) error=(.*)$`).exec(line.trim());
  if (!match) return null;
  return {
    httpCode: Number(match[1]),
    writeOutExitCode: Number(match[2]),
    timeSeconds: Number(match[3]),
    errorMessage: match[4].trim(),
  };
}

/** Parses a pod's output into one observation per request (unreported ones flagged). */
export function parseProbeOutput(stdout: string, nonce: string, requestCount: number): RawObservation[] {
  const observations: RawObservation[] = [];
  for (let index = 0; index < requestCount; index++) {
    const begin = stdout.indexOf(delimiter(nonce, index, "BEGIN") + "\n");
    const bodyMark = delimiter(nonce, index, "BODY") + "\n";
    const endMark = "\n" + delimiter(nonce, index, "END");
    const bodyAt = begin < 0 ? -1 : stdout.indexOf(bodyMark, begin);
    const endAt = bodyAt < 0 ? -1 : stdout.indexOf(endMark, bodyAt);
    if (begin < 0 || bodyAt < 0 || endAt < 0) {
      observations.push({
        index,
        exitCode: null,
        httpCode: null,
        writeOutExitCode: null,
        errorMessage: "no result reported by the pod",
        timeSeconds: null,
        body: "",
        reported: false,
      });
      continue;
    }
    const header = stdout.slice(begin + delimiter(nonce, index, "BEGIN").length + 1, bodyAt).split("\n");
    const rcLine = header.find((line) => line.startsWith("rc="));
    const writeOut = header.map(parseWriteOut).find((parsed) => parsed !== null) ?? null;
    observations.push({
      index,
      exitCode: parseIntOrNull(rcLine?.slice(3)),
      httpCode: writeOut?.httpCode ?? null,
      writeOutExitCode: writeOut?.writeOutExitCode ?? null,
      errorMessage: writeOut?.errorMessage ?? "",
      timeSeconds: writeOut?.timeSeconds ?? null,
      body: stdout.slice(bodyAt + bodyMark.length, endAt),
      reported: true,
    });
  }
  return observations;
}
