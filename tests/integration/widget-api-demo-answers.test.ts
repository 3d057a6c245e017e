// The offline answer engine on the demo knowledge base (Northside Cycles, demo/knowledge/*.md as
// seeded): visitor questions with the exact answers the demo site gives, through the real stack
// (Postgres full-text retrieval, the Edge Function, the engine).
// - Every question through the demo owner's "try a question" endpoint on the demo website itself
//   (no conversation is created and no AI answer is counted against the demo's quota).
// - A few through widget-messages, streamed, on a website of this test's own that holds a copy of
//   the demo knowledge, on the business plan (the demo's inbox and quota stay untouched).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { db, member, postJson, readSse, subscribe, supabaseClient, visitor, website } from './widget-api.support.ts';

const stack = inject('stack');
const DEMO = stack.demo.websiteId;
const DONT_KNOW = /^I couldn't find the answer to that in this website's information, so I'd rather not guess\. Would you like me to bring in a person/;

interface Case {
  question: string;
  answer: string | RegExp;
  sources: string[];
  grounded?: boolean;
}

const CASES: Case[] = [
  // The price first, from the repairs page: not the FAQ's "No." about appointments, no heading glued on.
  { question: 'How much is a puncture repair?', answer: 'A puncture repair costs €15, inner tube included. [1]', sources: ['Repairs and servicing prices'] },
  // One sentence, no heading, no second sentence repeating the Saturday hours.
  { question: 'When are you open on Saturday?', answer: 'On Saturday we are open from 10:00 to 17:00. [1]', sources: ['Frequently asked questions'] },
  {
    question: 'When are you open?',
    answer: 'Northside Cycles is open Monday to Friday from 9:00 to 18:30 and on Saturday from 10:00 to 17:00. The shop and the workshop are closed on Sunday and on public holidays. [1]',
    sources: ['Opening hours and contact'],
  },
  { question: 'Where is the shop?', answer: 'Northside Cycles is a neighbourhood bike shop and repair workshop at 14 Canal Street, open since 2009. [1]', sources: ['About Northside Cycles'] },
  // The visitor asks an FAQ's own yes/no question: its answer, "Yes."/"No." included.
  { question: 'Do you repair e-bikes?', answer: 'Yes. We service e-bikes from Bosch, Shimano and Bafang; an e-bike service costs €139. [1]', sources: ['Frequently asked questions'] },
  { question: 'Can I pay by card?', answer: 'Yes. We accept cash, all major debit and credit cards, and contactless payments. [1]', sources: ['Frequently asked questions'] },
  { question: 'Are you open on Sundays?', answer: 'No. We are closed on Sundays and public holidays. On Saturday we are open from 10:00 to 17:00. [1]', sources: ['Frequently asked questions'] },
  // Another question answered from that FAQ: its "No." (to "do I need an appointment?") is dropped.
  { question: 'Do you repair punctures?', answer: 'Puncture repairs are done while you wait, usually in under 30 minutes, any time during opening hours. [1]', sources: ['Frequently asked questions'] },
  // "How long": the duration, introduced by its section's first sentence.
  { question: 'How long does a full service take?', answer: 'A full service costs €119. Allow two working days. [1]', sources: ['Repairs and servicing prices'] },
  { question: 'How much is delivery?', answer: 'Delivery is free within the city for orders over €150. Smaller orders are delivered for €7.50. [1]', sources: ['Returns, warranty and delivery'] },
  {
    question: 'How much does an e-bike service cost?',
    answer: 'An e-bike service costs €139: everything in the full service plus a motor and battery diagnostic, a firmware update and a check of the wiring and connectors. [1]',
    sources: ['E-bike servicing'],
  },
  {
    question: 'What brands do you sell?',
    answer: "We sell city and trekking bikes from Gazelle and Kalkhoff, e-bikes from Riese & Müller, and kids' bikes from Woom. We can order other brands on request. [1]",
    sources: ['About Northside Cycles'],
  },
  { question: 'Can I bring my kid on a rental bike?', answer: 'Child seats are available for €5 per day. [1]', sources: ['City-bike rentals'] },
  { question: 'Hi', answer: /^Hello! I'm the assistant of Northside Cycles: I answer from the information on this website.*What would you like to know\?$/, sources: [] },
  { question: 'Thanks!', answer: "You're welcome! Is there anything else I can help you with?", sources: [] },
  { question: 'Do you sell sailing boats or kayaks?', answer: DONT_KNOW, sources: [], grounded: false },
  { question: 'Do you repair cars?', answer: DONT_KNOW, sources: [], grounded: false },
];

/** The [n] citations of a text, in order of first use. */
const cited = (text: string) => [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))];

let ownerToken: string;

beforeAll(async () => {
  const client = supabaseClient(stack);
  const { data, error } = await client.auth.signInWithPassword({ email: stack.demo.ownerEmail, password: stack.demo.ownerPassword });
  if (error || !data.session) throw error ?? new Error('no session');
  ownerToken = data.session.access_token;
});

describe('offline answers on the demo knowledge base ("try a question" on the demo website)', () => {
  it.each(CASES)('$question', async ({ question, answer, sources, grounded = true }) => {
    const res = await postJson(stack, 'knowledge/search', { website_id: DEMO, question }, ownerToken);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.answer).toMatchObject({ engine: 'offline', grounded });
    if (typeof answer === 'string') expect(body.answer.content).toBe(answer);
    else expect(body.answer.content).toMatch(answer);
    expect(body.answer.sources.map((s: { title: string }) => s.title)).toEqual(sources);
    // Cited numbers are exactly the sources' refs, 1..k in order of first use.
    expect(cited(body.answer.content)).toEqual(body.answer.sources.map((s: { ref: number }) => s.ref));
    expect(body.answer.sources.map((s: { ref: number }) => s.ref)).toEqual(sources.map((_, i) => i + 1));
  });
});

describe('offline answers streamed by widget-messages (a copy of the demo knowledge on a website of its own)', () => {
  let site: string;

  beforeAll(async () => {
    const owner = await member(stack);
    await subscribe(stack, owner.userId, 'business');
    site = await website(stack, owner, { name: 'Northside Cycles' });
    // The demo website's sources and passages, as seeded, copied as they are.
    await db(stack).query(
      `with copied as (
         insert into public.knowledge_sources (website_id, kind, title, url, content, metadata, status, progress, indexed_at)
         select $2, kind, title, url, content, metadata || jsonb_build_object('copy_of', id), 'ready', 1, now()
         from public.knowledge_sources where website_id = $1
         returning id, (metadata ->> 'copy_of')::uuid as original
       )
       insert into public.knowledge_chunks (source_id, website_id, position, content, metadata)
       select copied.id, $2, c.position, c.content, c.metadata
       from copied join public.knowledge_chunks c on c.source_id = copied.original`,
      [DEMO, site],
    );
  });

  const streamed = ['How much is a puncture repair?', 'When are you open on Saturday?', 'Can I pay by card?', 'Hi'];
  it.each(streamed)('%s', async (question) => {
    const expected = CASES.find((c) => c.question === question)!;
    const v = await visitor(stack);
    const res = await postJson(stack, 'widget-messages', { website_id: site, content: question, client_id: randomUUID() }, v.token);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(res);
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data.text as string);
    // Streamed a few words at a time, as a model's tokens would arrive.
    expect(deltas.length).toBeGreaterThan(1);
    for (const d of deltas) expect(d.trim().split(/\s+/).length).toBeLessThanOrEqual(3);
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const { content, sources } = done.data.message;
    expect(content).toBe(deltas.join('').trim());
    if (typeof expected.answer === 'string') expect(content).toBe(expected.answer);
    else expect(content).toMatch(expected.answer);
    expect(sources.map((s: { title: string }) => s.title)).toEqual(expected.sources);
    expect(cited(content)).toEqual(sources.map((s: { ref: number }) => s.ref));
    // Greetings and answers need no person; the conversation is not flagged.
    const { rows: [c] } = await db(stack).query(`select needs_human from public.conversations where id = $1`, [events[0].data.conversation_id]);
    expect(c.needs_human).toBe(false);
  });
});
