// One joined channel of one socket: what its join asked for, who it acts as, and what the
// policies allow it. Kept small: a server holds one of these per (socket, topic).
import type { Claims } from '../jwt.ts';
import { encodeMessage, encodeReply, type Ref } from './protocol.ts';
import type { Session } from './session.ts';
import type { TopicGroup } from './topics.ts';

/** RLS decisions for a private channel; null = not evaluated yet (as in Supabase's Policies). */
export interface Policies {
  broadcast: { read: boolean | null; write: boolean | null };
  presence: { read: boolean | null; write: boolean | null };
}

export interface ChannelOptions {
  topic: string;
  joinRef: Ref;
  isPrivate: boolean;
  selfBroadcast: boolean;
  ack: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
  accessToken: string;
  claims: Claims;
}

export class Channel {
  readonly topic: string;
  /** The topic without its "realtime:" prefix, as policies and realtime.messages name it. */
  readonly name: string;
  readonly joinRef: Ref;
  readonly isPrivate: boolean;
  readonly selfBroadcast: boolean;
  readonly ack: boolean;
  readonly presenceKey: string;
  presenceEnabled: boolean;
  accessToken: string;
  claims: Claims;
  policies: Policies | null = null;
  group!: TopicGroup;
  /** Client presence rate limit window (5 calls / 30 s). */
  presenceCalls = 0;
  presenceWindowEndsAt = 0;
  trackedPayloadJson: string | null = null;
  expiryTimer: NodeJS.Timeout | undefined;
  /** Ids of messages this channel got by replay: their live copies are not sent again. */
  replayedIds: Set<string> | undefined;
  closed = false;

  constructor(readonly session: Session, opts: ChannelOptions) {
    this.topic = opts.topic;
    this.name = opts.topic.slice('realtime:'.length);
    this.joinRef = opts.joinRef;
    this.isPrivate = opts.isPrivate;
    this.selfBroadcast = opts.selfBroadcast;
    this.ack = opts.ack;
    this.presenceKey = opts.presenceKey;
    this.presenceEnabled = opts.presenceEnabled;
    this.accessToken = opts.accessToken;
    this.claims = opts.claims;
  }

  /** A server push on this channel (carries the join ref, as Phoenix's push/3 does). */
  push(event: string, payloadJson: string): void {
    this.session.send(encodeMessage(this.session.vsn, this.joinRef, null, this.topic, event, payloadJson));
  }

  reply(ref: Ref, status: 'ok' | 'error', response: unknown = {}): void {
    this.session.send(encodeReply(this.session.vsn, this.joinRef, ref, this.topic, status, response));
  }

  /** A `system` message, Supabase's way of telling a channel about its extensions. */
  system(extension: 'system' | 'postgres_changes', status: 'ok' | 'error', message: string): void {
    this.push('system', JSON.stringify({ extension, status, message, channel: this.name }));
  }

  /** Private channels only receive broadcasts when their read policy allows it. */
  get readsBroadcast(): boolean {
    return !this.isPrivate || this.policies?.broadcast.read === true;
  }

  get readsPresence(): boolean {
    return !this.isPrivate || this.policies?.presence.read === true;
  }
}
