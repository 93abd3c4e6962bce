// Reads the `verify --probes FILE` input: a JSON array of probes (lab/probes/types.ts). Every
// problem names the probe index and field and says what to write instead.
import type { ClientMode, Probe, ProbeProtocol, ProbeTarget } from "../probes/types";

export class ProbeFileError extends Error {}

const PROTOCOLS: readonly ProbeProtocol[] = ["TCP", "UDP", "SCTP", "HTTP"];
const CLIENTS: readonly ClientMode[] = ["sidecar", "no-sidecar", "bypass"];
const NS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPort(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;
}

function readTarget(raw: unknown, at: string, problems: string[]): ProbeTarget | undefined {
  if (!isRecord(raw)) {
    problems.push(`${at}: must be an object; write {"service":"ns/name","port":80}, {"workload":"ns/name","port":8080} or {"ip":"10.244.1.5","port":8080}`);
    return undefined;
  }
  const keys = ["service", "workload", "ip"].filter((k) => raw[k] !== undefined);
  if (keys.length !== 1) {
    problems.push(`${at}: needs exactly one of service, workload, ip (got ${keys.length === 0 ? "none" : keys.join(", ")})`);
    return undefined;
  }
  if (!isPort(raw.port)) {
    problems.push(`${at}.port: must be a whole number 1-65535, got ${JSON.stringify(raw.port)}`);
    return undefined;
  }
  const key = keys[0];
  const value = raw[key];
  if (key === "ip") {
    const m = typeof value === "string" ? IPV4.exec(value) : null;
    if (!m || m.slice(1).some((octet) => Number(octet) > 255)) {
      problems.push(`${at}.ip: must be an IPv4 address like "10.244.1.5", got ${JSON.stringify(value)}`);
      return undefined;
    }
    return { ip: value as string, port: raw.port };
  }
  if (typeof value !== "string" || !NS_NAME.test(value)) {
    problems.push(`${at}.${key}: must be "namespace/name", got ${JSON.stringify(value)}`);
    return undefined;
  }
  return key === "service" ? { service: value, port: raw.port } : { workload: value, port: raw.port };
}

function readHeaders(raw: unknown, at: string, problems: string[]): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw) || Object.values(raw).some((v) => typeof v !== "string")) {
    problems.push(`${at}: must be an object of string values, e.g. {"x-tenant-identity":"acme"}`);
    return undefined;
  }
  return raw as Record<string, string>;
}

function readProbe(raw: unknown, index: number, problems: string[]): Probe | undefined {
  const at = `probes[${index}]`;
  if (!isRecord(raw)) {
    problems.push(`${at}: must be an object with id, from, to, protocol`);
    return undefined;
  }
  const before = problems.length;
  const known = new Set(["id", "from", "to", "protocol", "method", "path", "headers", "client"]);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push(`${at}.${key}: unknown field; probe fields are ${[...known].join(", ")}`);
  if (typeof raw.id !== "string" || raw.id === "") problems.push(`${at}.id: must be a non-empty string`);
  if (typeof raw.from !== "string" || !NS_NAME.test(raw.from)) problems.push(`${at}.from: must be "namespace/workload", got ${JSON.stringify(raw.from)}`);
  const to = readTarget(raw.to, `${at}.to`, problems);
  if (!PROTOCOLS.includes(raw.protocol as ProbeProtocol)) problems.push(`${at}.protocol: must be one of ${PROTOCOLS.join(", ")}, got ${JSON.stringify(raw.protocol)}`);
  for (const field of ["method", "path"] as const) {
    if (raw[field] !== undefined && typeof raw[field] !== "string") problems.push(`${at}.${field}: must be a string`);
  }
  if (raw.client !== undefined && !CLIENTS.includes(raw.client as ClientMode)) problems.push(`${at}.client: must be one of ${CLIENTS.join(", ")}, got ${JSON.stringify(raw.client)}`);
  const headers = readHeaders(raw.headers, `${at}.headers`, problems);
  if (problems.length > before || !to) return undefined;
  return {
    id: raw.id as string,
    from: raw.from as string,
    to,
    protocol: raw.protocol as ProbeProtocol,
    ...(raw.method !== undefined ? { method: raw.method as string } : {}),
    ...(raw.path !== undefined ? { path: raw.path as string } : {}),
    ...(headers ? { headers } : {}),
    ...(raw.client !== undefined ? { client: raw.client as ClientMode } : {}),
  };
}

/** Parses and checks the whole file; throws ProbeFileError listing every problem. */
export function parseProbeFile(text: string, source: string): Probe[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new ProbeFileError(`--probes ${source}: not valid JSON (${(err as Error).message}); write a JSON array of probes`);
  }
  if (!Array.isArray(document)) throw new ProbeFileError(`--probes ${source}: must be a JSON array of probes, got ${document === null ? "null" : typeof document}`);
  const problems: string[] = [];
  const probes = document.map((raw, i) => readProbe(raw, i, problems));
  if (problems.length > 0) throw new ProbeFileError(`--probes ${source}: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return probes as Probe[];
}
