// IPv4 / IPv6 addresses and CIDRs, strict like Go's net.ParseCIDR (no leading zeros in IPv4
// octets, no zones), with canonical formatting (RFC 5952 for IPv6).

export type IpFamily = 4 | 6;

export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

export interface ParsedCidr {
  family: IpFamily;
  /** The address as written. */
  address: bigint;
  prefixLength: number;
  /** Address with host bits cleared. */
  network: bigint;
  /** `<network>/<prefix>` in canonical form. */
  canonical: string;
  /** True when the address as written already is the network address. */
  hostBitsZero: boolean;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups: number[] = [];
  const parts = text.split(":");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      groups.push(parseInt(part, 16));
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  // An embedded IPv4 is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes(".")) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function parseIp(text: string): ParsedIp | undefined {
  if (text.includes(":")) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefixLength = Number(prefixText);
  const bits = BITS[ip.family];
  if (prefixLength > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  const network = ip.value & ~hostMask;
  return {
    family: ip.family,
    address: ip.value,
    prefixLength,
    network,
    canonical: `${formatIp(ip.family, network)}/${prefixLength}`,
    hostBitsZero: network === ip.value,
  };
}

/** True when two CIDRs of the same family share at least one address. */
export function cidrsOverlap(a: ParsedCidr, b: ParsedCidr): boolean {
  if (a.family !== b.family) return false;
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  const shift = BigInt(BITS[a.family] - shorter);
  return a.network >> shift === b.network >> shift;
}

/** A CIDR, or a bare address as a single-host block (/32 or /128, as Istio and Calico read one). */
export function parseCidrOrAddress(text: string): ParsedCidr | undefined {
  if (text.includes("/")) return parseCidr(text);
  const ip = parseIp(text);
  return ip === undefined ? undefined : parseCidr(`${text}/${BITS[ip.family]}`);
}

/** True when `ip` (text or parsed) lies inside `cidr`; an unparsable address or another family is outside. */
export function cidrContains(cidr: ParsedCidr, ip: string | ParsedIp): boolean {
  const parsed = typeof ip === "string" ? parseIp(ip) : ip;
  if (parsed === undefined || parsed.family !== cidr.family) return false;
  const shift = BigInt(BITS[cidr.family] - cidr.prefixLength);
  return parsed.value >> shift === cidr.network >> shift;
}
