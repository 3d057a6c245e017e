// Frame codecs of the Phoenix protocol as Supabase Realtime speaks it (and realtime-js decodes it):
//   1.0.0  text frames, JSON objects {topic, event, payload, ref[, join_ref]}; the server's frames
//          carry no join_ref (Phoenix's V1 serializer only writes topic, event, payload, ref).
//   2.0.0  text frames, JSON arrays [join_ref, ref, topic, event, payload], plus binary frames:
//          kind 3 (client → server broadcast) and kind 4 (server → client broadcast).
// Outgoing payloads are handled as JSON text so a message is serialised once and spliced into
// every frame that carries it.
import { MAX_HEADER_FIELD_BYTES } from './limits.ts';

export type Vsn = '1.0.0' | '2.0.0';
/** Refs are echoed exactly as the client sent them. */
export type Ref = string | number | null;

/** The user part of a broadcast sent as a binary kind-3 frame (or built by the HTTP API). */
export interface UserBroadcast {
  event: string;
  encoding: 'json' | 'binary';
  /** JSON text (encoding json) or raw bytes (encoding binary). */
  data: Buffer;
}

export interface Inbound {
  joinRef: Ref;
  ref: Ref;
  topic: string;
  event: string;
  /** Parsed JSON payload of a text frame; undefined for a kind-3 frame. */
  payload: unknown;
  /** Set for kind-3 frames: Supabase hands these straight to subscribers as kind-4 frames. */
  userBroadcast?: UserBroadcast;
}

export const KIND_USER_BROADCAST_PUSH = 3;
export const KIND_USER_BROADCAST = 4;

/** Maps the `vsn` query parameter onto a serializer; Phoenix's requirements are ~> 1.0.0 and ~> 2.0.0. */
export function negotiateVsn(raw: string | null | undefined): Vsn | null {
  if (raw === null || raw === undefined || raw === '') return '1.0.0';
  if (/^1\.0\.\d+$/.test(raw)) return '1.0.0';
  if (/^2\.0\.\d+$/.test(raw)) return '2.0.0';
  return null;
}

function isRef(v: unknown): v is Ref {
  return v === null || typeof v === 'string' || typeof v === 'number';
}

/** Decodes one frame; a string result says why the frame is malformed (it is then ignored, as Supabase does). */
export function decodeFrame(vsn: Vsn, data: Buffer, isBinary: boolean): Inbound | string {
  if (isBinary && vsn === '2.0.0') return decodeBinary(data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch (err) {
    return `invalid JSON: ${(err as Error).message}`;
  }
  if (vsn === '1.0.0') {
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'V1 JSON Serializer expected a map';
    const m = parsed as Record<string, unknown>;
    for (const key of ['topic', 'event', 'payload', 'ref']) if (!(key in m)) return `missing key "${key}"`;
    const joinRef = m.join_ref ?? null;
    if (typeof m.topic !== 'string' || typeof m.event !== 'string' || !isRef(m.ref) || !isRef(joinRef)) return 'invalid field types';
    return { joinRef, ref: m.ref, topic: m.topic, event: m.event, payload: m.payload };
  }
  if (!Array.isArray(parsed) || parsed.length < 5) return 'expected V2 array';
  const [joinRef, ref, topic, event, payload] = parsed;
  if (typeof topic !== 'string' || typeof event !== 'string' || !isRef(ref) || !isRef(joinRef)) return 'invalid field types';
  return { joinRef, ref, topic, event, payload };
}

function decodeBinary(buf: Buffer): Inbound | string {
  if (buf.length < 7) return 'binary frame too short';
  if (buf[0] !== KIND_USER_BROADCAST_PUSH) return `unsupported binary frame kind ${buf[0]}`;
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = [buf[1], buf[2], buf[3], buf[4], buf[5], buf[6]];
  let offset = 7;
  const take = (n: number) => {
    if (offset + n > buf.length) throw new RangeError('header lengths exceed the frame');
    const part = buf.subarray(offset, offset + n);
    offset += n;
    return part;
  };
  try {
    const joinRef = take(joinRefLen).toString('utf8');
    const ref = take(refLen).toString('utf8');
    const topic = take(topicLen).toString('utf8');
    const event = take(eventLen).toString('utf8');
    const meta = take(metaLen);
    if (metaLen > 0) JSON.parse(meta.toString('utf8'));
    const data = Buffer.from(buf.subarray(offset));
    const isJson = encoding !== 0;
    // A JSON payload is relayed verbatim into other clients' frames, so it must really be JSON.
    if (isJson) JSON.parse(data.toString('utf8'));
    return {
      joinRef, ref, topic, event: 'broadcast', payload: undefined,
      userBroadcast: { event, encoding: isJson ? 'json' : 'binary', data },
    };
  } catch (err) {
    return `malformed binary frame: ${(err as Error).message}`;
  }
}

const j = JSON.stringify;

/** A server message on a channel; `payloadJson` is already-serialised JSON. */
export function encodeMessage(vsn: Vsn, joinRef: Ref, ref: Ref, topic: string, event: string, payloadJson: string): string {
  if (vsn === '1.0.0') return `{"topic":${j(topic)},"event":${j(event)},"payload":${payloadJson},"ref":${j(ref ?? null)}}`;
  return `[${j(joinRef ?? null)},${j(ref ?? null)},${j(topic)},${j(event)},${payloadJson}]`;
}

export function encodeReply(vsn: Vsn, joinRef: Ref, ref: Ref, topic: string, status: 'ok' | 'error', response: unknown = {}): string {
  return encodeMessage(vsn, joinRef, ref, topic, 'phx_reply', `{"status":"${status}","response":${j(response)}}`);
}

/**
 * A user broadcast as the subscriber's protocol carries it: a kind-4 binary frame for 2.0.0
 * (a text frame when a header field is too long for one byte), the JSON broadcast envelope for
 * 1.0.0. Binary payloads cannot be represented in 1.0.0 and yield null (Supabase skips them too).
 */
export function encodeUserBroadcast(vsn: Vsn, topic: string, ub: UserBroadcast, metaJson: string | null): string | Buffer | null {
  const topicBytes = Buffer.from(topic);
  const eventBytes = Buffer.from(ub.event);
  const metaBytes = metaJson ? Buffer.from(metaJson) : Buffer.alloc(0);
  const fits = [topicBytes, eventBytes, metaBytes].every((b) => b.length <= MAX_HEADER_FIELD_BYTES);
  if (vsn === '2.0.0' && fits) {
    const header = Buffer.from([KIND_USER_BROADCAST, topicBytes.length, eventBytes.length, metaBytes.length, ub.encoding === 'json' ? 1 : 0]);
    return Buffer.concat([header, topicBytes, eventBytes, metaBytes, ub.data]);
  }
  if (ub.encoding !== 'json') return null;
  const envelope = `{"event":${j(ub.event)},"payload":${ub.data.toString('utf8')},"type":"broadcast"${metaJson ? `,"meta":${metaJson}` : ''}}`;
  return encodeMessage(vsn, null, null, topic, 'broadcast', envelope);
}
