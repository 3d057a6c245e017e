// The website's team side for widget browser tests, through the unmodified supabase-js client:
// a member signed in with e-mail and password who replies as an agent (REST insert, as the
// backoffice does) and types on the conversation's live channel (private Realtime).
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { supabaseClient, type StackInfo } from '../../integration/widget-api.support.ts';

export interface TeamMember {
  client: SupabaseClient;
  userId: string;
  reply(conversationId: string, websiteId: string, content: string): Promise<string>;
  /** Joins conversation:ID:live; `heard` collects the visitor's typing events. */
  live(conversationId: string): Promise<{ channel: RealtimeChannel; heard: Array<{ sender: string; typing: boolean }>; typing(on: boolean): Promise<void> }>;
  close(): Promise<void>;
}

export async function signInMember(stack: StackInfo, email: string, password: string): Promise<TeamMember> {
  const client = supabaseClient(stack);
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error || !data.session) throw error ?? new Error('no session');
  await client.realtime.setAuth(data.session.access_token);
  const userId = data.user.id;
  return {
    client,
    userId,
    async reply(conversationId, websiteId, content) {
      const { data: row, error: err } = await client
        .from('messages')
        .insert({ conversation_id: conversationId, website_id: websiteId, sender: 'agent', author_id: userId, content })
        .select('id')
        .single();
      if (err) throw err;
      return row.id as string;
    },
    async live(conversationId) {
      const heard: Array<{ sender: string; typing: boolean }> = [];
      const channel = client.channel(`conversation:${conversationId}:live`, { config: { private: true } });
      channel.on('broadcast', { event: 'typing' }, ({ payload }) => heard.push(payload as { sender: string; typing: boolean }));
      await new Promise<void>((resolve, reject) =>
        channel.subscribe((status, err) => (status === 'SUBSCRIBED' ? resolve() : status !== 'CLOSED' && reject(err ?? new Error(status)))),
      );
      return {
        channel,
        heard,
        typing: async (on) => void (await channel.send({ type: 'broadcast', event: 'typing', payload: { sender: 'agent', typing: on } })),
      };
    },
    async close() {
      await client.removeAllChannels();
      await client.auth.signOut().catch(() => {});
    },
  };
}
