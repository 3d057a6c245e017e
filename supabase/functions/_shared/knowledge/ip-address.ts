// Which addresses the knowledge fetcher may connect to, decided on the address's bytes (never on
// its spelling: `::ffff:127.0.0.1`, `::ffff:7f00:1` and `[0:0:0:0:0:ffff:7f00:1]` are one address).
// Only global unicast is allowed. IPv6 forms that carry an IPv4 address (v4-mapped, NAT64
// 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address; v4-compatible ::/96 is refused.

/** 4 bytes for IPv4, 16 for IPv6; undefined when `text` is not an IP literal (brackets allowed). */
export function parseIp(text: string): Uint8Array | undefined {
  const host = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return host.includes(':') ? parseIpv6(host) : parseIpv4(host);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(parts[i])) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (text.includes('%')) return undefined; // zone ids are link-local by definition; URLs refuse them
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** An IPv4 range: first address and prefix length. */
type Range = [number, number, number, number, number];

const BLOCKED_V4: Array<[Range, string]> = [
  [[0, 0, 0, 0, 8], '"this network" (0.0.0.0/8)'],
  [[10, 0, 0, 0, 8], 'private (10.0.0.0/8)'],
  [[100, 64, 0, 0, 10], 'carrier-grade NAT (100.64.0.0/10)'],
  [[127, 0, 0, 0, 8], 'loopback (127.0.0.0/8)'],
  [[169, 254, 0, 0, 16], 'link-local (169.254.0.0/16)'],
  [[172, 16, 0, 0, 12], 'private (172.16.0.0/12)'],
  [[192, 0, 0, 0, 24], 'IETF protocol assignments (192.0.0.0/24)'],
  [[192, 0, 2, 0, 24], 'documentation (192.0.2.0/24)'],
  [[192, 88, 99, 0, 24], '6to4 relay anycast (192.88.99.0/24)'],
  [[192, 168, 0, 0, 16], 'private (192.168.0.0/16)'],
  [[198, 18, 0, 0, 15], 'benchmarking (198.18.0.0/15)'],
  [[198, 51, 100, 0, 24], 'documentation (198.51.100.0/24)'],
  [[203, 0, 113, 0, 24], 'documentation (203.0.113.0/24)'],
  [[224, 0, 0, 0, 4], 'multicast (224.0.0.0/4)'],
  [[240, 0, 0, 0, 4], 'reserved or broadcast (240.0.0.0/4)'],
];

function inPrefix(bytes: Uint8Array, prefix: ArrayLike<number>, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((bytes[i >> 3] & mask) !== (prefix[i >> 3] & mask)) return false;
  }
  return true;
}

function v6(groups: number[]): Uint8Array {
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** IPv6 prefixes whose last 32 bits are an IPv4 address, and that address's offset. */
const EMBEDS_V4: Array<[Uint8Array, number, number, string]> = [
  [v6([0, 0, 0, 0, 0, 0xffff]), 96, 12, 'IPv4-mapped'],
  [v6([0x64, 0xff9b]), 96, 12, 'NAT64'],
  [v6([0x2002]), 16, 2, '6to4'],
];

const BLOCKED_V6: Array<[Uint8Array, number, string]> = [
  [v6([0x64, 0xff9b, 1]), 48, 'local-use NAT64 (64:ff9b:1::/48)'],
  [v6([0x100]), 64, 'discard-only (100::/64)'],
  [v6([0x2001]), 23, 'IETF protocol assignments (2001::/23)'],
  [v6([0x2001, 0xdb8]), 32, 'documentation (2001:db8::/32)'],
  [v6([0x3fff]), 20, 'documentation (3fff::/20)'],
];

/**
 * Why `bytes` (from parseIp) must not be fetched, or undefined when it is a global unicast address.
 * IPv6 is allowed only inside 2000::/3, minus the special ranges above.
 */
export function blockedReason(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) {
    for (const [[a, b, c, d, bits], reason] of BLOCKED_V4) if (inPrefix(bytes, [a, b, c, d], bits)) return reason;
    return undefined;
  }
  if (bytes.length !== 16) return 'not an IP address';
  if (bytes.every((b) => b === 0)) return 'unspecified (::)';
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return 'loopback (::1)';
  // ::a.b.c.d, deprecated and never routed: refused whatever it carries (::127.0.0.1 included).
  if (inPrefix(bytes, v6([]), 96)) return 'IPv4-compatible (::/96)';
  for (const [prefix, bits, offset, form] of EMBEDS_V4) {
    if (inPrefix(bytes, prefix, bits)) {
      const inner = blockedReason(bytes.slice(offset, offset + 4));
      // An address that only carries IPv4 through a translator is judged by that IPv4 address.
      return inner ? `${form} ${inner}` : undefined;
    }
  }
  if (!inPrefix(bytes, [0x20], 3)) {
    if (inPrefix(bytes, [0xfc], 7)) return 'unique local (fc00::/7)';
    if (inPrefix(bytes, [0xfe, 0x80], 10)) return 'link-local (fe80::/10)';
    if (inPrefix(bytes, [0xfe, 0xc0], 10)) return 'site-local (fec0::/10)';
    if (bytes[0] === 0xff) return 'multicast (ff00::/8)';
    return 'not global unicast (outside 2000::/3)';
  }
  for (const [prefix, bits, reason] of BLOCKED_V6) if (inPrefix(bytes, prefix, bits)) return reason;
  return undefined;
}

/** The text form of parsed bytes, for connecting (IPv6 without brackets). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':');
}
