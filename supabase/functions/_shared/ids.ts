// Deterministic identifiers. The assistant's answer to a visitor message gets a `client_id`
// derived from the visitor message's own (UUID v5, RFC 9562 §5.5), so a retried request can never
// store a second answer: the unique (conversation_id, client_id) key refuses it.

/** Namespace of Emily's answer ids (a fixed random UUID; changing it would change every derived id). */
export const ANSWER_NAMESPACE = '5b7e3a2c-9d41-4f0e-8a6b-1c2d3e4f5a6b';

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function formatUuid(b: Uint8Array): string {
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function uuidV5(name: string, namespace: string): Promise<string> {
  const ns = uuidBytes(namespace);
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(ns.length + nameBytes.length);
  input.set(ns);
  input.set(nameBytes, ns.length);
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-1', input)).slice(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  return formatUuid(hash);
}

/** The `client_id` of the assistant's answer to the visitor message whose `client_id` is given. */
export function answerClientId(visitorClientId: string): Promise<string> {
  return uuidV5(`answer:${visitorClientId.toLowerCase()}`, ANSWER_NAMESPACE);
}

/**
 * Whether a UUID is version 5, the version of every derived answer id. Clients may never use one
 * (widget-messages refuses it, and so does a check on public.messages), so a visitor's client_id
 * can neither collide with an answer's nor be planted before it.
 */
export function isDerivedId(uuid: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-5/i.test(uuid);
}
