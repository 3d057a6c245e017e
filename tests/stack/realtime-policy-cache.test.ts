// A private channel's RLS decisions are cached, as Supabase's Realtime caches them: a policy change
// does not reach a joined channel until its client sends a new access token, which re-runs them.
// The policies here read a grants table, so revoking a grant is a plain DELETE.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeClients, Inbox, sql, userClient, userToken, VSNS } from '../fixtures/realtime/clients.ts';

const stack = inject('stack');
afterEach(closeClients);

beforeAll(async () => {
  await sql(stack, `
    do $$ begin
      perform pg_advisory_xact_lock(hashtext('emily rt-cache policies'));
      create schema if not exists emily_test_rt_cache;
      create table if not exists emily_test_rt_cache.grants (user_id uuid primary key);
      grant usage on schema emily_test_rt_cache to authenticated;
      grant select on emily_test_rt_cache.grants to authenticated;
      if not exists (select 1 from pg_policies where schemaname = 'realtime' and policyname = 'emily rt-cache read') then
        create policy "emily rt-cache read" on realtime.messages for select to authenticated using (
          split_part((select realtime.topic()), ':', 1) = 'rt-cache'
          and exists (select 1 from emily_test_rt_cache.grants g where g.user_id = (select auth.uid())));
        create policy "emily rt-cache write" on realtime.messages for insert to authenticated with check (
          split_part((select realtime.topic()), ':', 1) = 'rt-cache'
          and exists (select 1 from emily_test_rt_cache.grants g where g.user_id = (select auth.uid())));
      end if;
    end $$`);
});

describe.each(VSNS)('cached policy decisions on %s', (vsn) => {
  it('keep a revoked user sending until a new token, which re-checks them and closes the channel', async () => {
    const uid = randomUUID();
    await sql(stack, 'insert into emily_test_rt_cache.grants values ($1)', [uid]);
    let token = userToken(stack, uid);
    const client = await userClient(stack, vsn, () => token);
    const inbox = new Inbox<any>();
    const system = new Inbox<any>();
    const statuses = new Inbox<string>();
    const topic = `rt-cache:${randomUUID()}`;
    const channel = client.channel(topic, { config: { private: true, broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: '*' }, inbox.push).on('system', {}, system.push);
    channel.subscribe((s) => statuses.push(s));
    await statuses.waitFor((s) => s === 'SUBSCRIBED');
    expect(await channel.send({ type: 'broadcast', event: 'granted', payload: {} })).toBe('ok');
    await inbox.waitFor((m) => m.event === 'granted');

    await sql(stack, 'delete from emily_test_rt_cache.grants where user_id = $1', [uid]);
    expect(await channel.send({ type: 'broadcast', event: 'cached', payload: {} })).toBe('ok');
    await inbox.waitFor((m) => m.event === 'cached');

    token = userToken(stack, uid, { expiresIn: 600 });
    await client.realtime.setAuth();
    expect(await system.waitFor((m) => m.status === 'error')).toMatchObject({
      extension: 'system', status: 'error', message: `You do not have permissions to read from this Channel topic: ${topic}`,
    });
    await statuses.waitFor((s) => s === 'CLOSED');
  });
});
