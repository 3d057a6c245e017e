// The topic map: every joined channel sits in the group of its topic, and public and private
// channels of the same name are separate groups (Supabase keeps them apart too, so a public
// subscriber never sees a private topic's traffic). Fan-out serialises a message once per
// protocol version and hands the same frame to every subscriber.
import type { Channel } from './channel.ts';
import type { Vsn } from './protocol.ts';

/** A frame ready for any number of sockets: text frames are kept as bytes so they are converted once. */
export interface Frame {
  data: Buffer;
  binary: boolean;
}

/** One outgoing message, encoded lazily and at most once per protocol version. */
export class Outgoing {
  private v1: Frame | null | undefined;
  private v2: Frame | null | undefined;
  constructor(private readonly encode: (vsn: Vsn) => string | Buffer | null) {}
  frame(vsn: Vsn): Frame | null {
    if (vsn === '1.0.0') return this.v1 === undefined ? (this.v1 = this.build(vsn)) : this.v1;
    return this.v2 === undefined ? (this.v2 = this.build(vsn)) : this.v2;
  }
  private build(vsn: Vsn): Frame | null {
    const encoded = this.encode(vsn);
    if (encoded === null) return null;
    return typeof encoded === 'string' ? { data: Buffer.from(encoded), binary: false } : { data: encoded, binary: true };
  }
}

/** A tracked presence: the channel that tracked it and its meta (payload + phx_ref). */
export interface PresenceMeta {
  phxRef: string;
  payloadJson: string;
}

export class TopicGroup {
  readonly channels = new Set<Channel>();
  /** presence key → channel → meta */
  readonly presences = new Map<string, Map<Channel, PresenceMeta>>();
  constructor(readonly name: string, readonly isPrivate: boolean) {}

  /** Sends to every member `accept` admits, except `exclude`. Returns how many got it. */
  fanOut(message: Outgoing, accept: (c: Channel) => boolean, exclude?: Channel): number {
    let sent = 0;
    for (const channel of this.channels) {
      if (channel === exclude || !accept(channel)) continue;
      const frame = message.frame(channel.session.vsn);
      if (frame !== null) {
        channel.session.send(frame.data, frame.binary);
        sent++;
      }
    }
    return sent;
  }

  get isEmpty(): boolean {
    return this.channels.size === 0 && this.presences.size === 0;
  }
}

export class TopicRegistry {
  private readonly groups = new Map<string, TopicGroup>();

  private static key(name: string, isPrivate: boolean): string {
    return (isPrivate ? 'p:' : 'u:') + name;
  }

  get(name: string, isPrivate: boolean): TopicGroup | undefined {
    return this.groups.get(TopicRegistry.key(name, isPrivate));
  }

  add(channel: Channel): TopicGroup {
    const key = TopicRegistry.key(channel.name, channel.isPrivate);
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = new TopicGroup(channel.name, channel.isPrivate)));
    group.channels.add(channel);
    return group;
  }

  remove(channel: Channel, group: TopicGroup): void {
    group.channels.delete(channel);
    if (group.isEmpty) this.groups.delete(TopicRegistry.key(group.name, group.isPrivate));
  }

  all(): IterableIterator<TopicGroup> {
    return this.groups.values();
  }
}
