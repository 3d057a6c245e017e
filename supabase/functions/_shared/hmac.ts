// Identity verification (contract §3): the site's backend signs the visitor's user id with the
// website's identity secret, HMAC-SHA256 in hex; we recompute it and compare in constant time so
// the comparison leaks nothing about how many characters matched.

const encoder = new TextEncoder();

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  return [...sig].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares two strings in time that depends only on their lengths, never on their contents. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) diff |= (x[i % (x.length || 1)] ?? 0) ^ (y[i % (y.length || 1)] ?? 0);
  return diff === 0;
}

export async function verifyUserHash(secret: string, userId: string, userHash: string): Promise<boolean> {
  if (!secret) return false;
  const expected = await hmacSha256Hex(secret, userId);
  return constantTimeEqual(expected, userHash.trim().toLowerCase());
}
