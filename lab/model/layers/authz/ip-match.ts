// CIDR membership for `ipBlocks`, `remoteIpBlocks`, `source.ip` and `destination.ip`.
// A bare address is a single-host block (/32 or /128), as in Istio.

interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

export function parseAddress(text: string): ParsedAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(":") ? parseIPv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** True when `ip` is inside `block` ("a.b.c.d", "a.b.c.d/n", IPv6 likewise). Invalid input: false. */
export function ipInBlock(ip: string, block: string): boolean {
  const address = parseAddress(ip);
  const [base, prefixText] = block.split("/");
  const network = base === undefined ? undefined : parseAddress(base);
  if (!address || !network || address.family !== network.family) return false;
  const bits = network.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return false;
  const shift = BigInt(bits - prefix);
  return address.value >> shift === network.value >> shift;
}

export function ipInAnyBlock(ip: string, blocks: readonly string[]): boolean {
  return blocks.some((block) => ipInBlock(ip, block));
}
