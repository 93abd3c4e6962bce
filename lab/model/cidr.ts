// IPv4/IPv6 addresses and CIDR blocks for ipBlock, Calico nets and ClusterNetworkPolicy networks.
// Addresses become BigInts so both families share one code path.

export interface Cidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
  text: string;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split("::").length > 2) return undefined;
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    for (const g of s.split(":")) {
      if (g.includes(".")) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return undefined;
  const all = [...h, ...new Array<number>(missing).fill(0), ...t];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** Parses "a.b.c.d/n" (or a bare address = host route); `field` names the source for the error. */
export function parseCidr(text: unknown, field: string): Cidr {
  if (typeof text !== "string") throw new Error(`${field}: expected a CIDR string such as "10.0.0.0/8", got ${JSON.stringify(text)}`);
  const [addr, prefixText, extra] = text.trim().split("/");
  const ip = parseIp(addr);
  const bits = ip?.family === 6 ? 128 : 32;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!ip || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > bits || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
    throw new Error(`${field}: ${JSON.stringify(text)} is not a valid CIDR; use e.g. "10.0.0.0/8" or "fd00::/8"`);
  }
  const shift = BigInt(bits - prefix);
  return { family: ip.family, base: (ip.value >> shift) << shift, prefix, text: text.trim() };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const parsed = parseIp(ip);
  if (!parsed || parsed.family !== cidr.family) return false;
  const bits = cidr.family === 6 ? 128 : 32;
  const shift = BigInt(bits - cidr.prefix);
  return (parsed.value >> shift) << shift === cidr.base;
}

/** A /0 block: matches every address of its family, so it also matches pods whose IPs are unknown. */
export function isWholeFamily(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}
