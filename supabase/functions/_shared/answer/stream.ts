// Streams an AI answer to the visitor over SSE (contract §4) and stores it once complete.
// The `conversation` and `message` events are already out when this starts (before retrieval and
// before the model is called). Deltas are forwarded as they arrive. The answer is stored once,
// complete, with its sources, model and token usage; its client_id is derived from the visitor
// message's, so no retry can store a second one. A provider failure or timeout, before or during
// the stream, ends with an `error` event: nothing of the answer is stored, the visitor's message
// stays, and the conversation is flagged for a human. If the visitor disconnects, generation
// continues and the answer is stored anyway: the widget catches up from the database (and the
// realtime topic) when it comes back.
import { type JsonValue, sql } from '../db.ts';
import { answerClientId } from '../ids.ts';
import { type MessageRow, toApiMessage } from '../messages.ts';
import type { SseStream } from '../sse.ts';
import { guessLanguage, type Lang, langOfLocale } from '../text.ts';
import type { Website } from '../website.ts';
import { answerEngine } from './engine.ts';
import { retrieve } from './retrieve.ts';
import { type AnswerEngine, ProviderError, type Source, type TokenUsage, type Turn } from './types.ts';

const HISTORY_MESSAGES = 12;

export interface AnswerContext {
  website: Website;
  conversationId: string;
  visitorMessage: MessageRow;
  locale?: string | null;
}

async function history(conversationId: string, beforeId: string): Promise<Turn[]> {
  const rows = await sql()<{ sender: string; content: string }[]>`
    select sender, content from (
      select m.sender, m.content, m.created_at, m.id from public.messages m
      where m.conversation_id = ${conversationId} and m.id <> ${beforeId} and m.sender <> 'system'
        and m.created_at <= (select created_at from public.messages where id = ${beforeId})
      order by m.created_at desc, m.id desc limit ${HISTORY_MESSAGES}
    ) recent order by created_at, id`;
  return rows.map((r) => ({ role: r.sender === 'user' ? 'visitor' : r.sender === 'agent' ? 'agent' : 'assistant', content: r.content }));
}

export function visitorLanguage(question: string, locale?: string | null): Lang {
  return guessLanguage(question, langOfLocale(locale) ?? 'en');
}

export async function streamAnswer(sse: SseStream, ctx: AnswerContext, engine: AnswerEngine = answerEngine()): Promise<void> {
  const question = ctx.visitorMessage.content;
  const t0 = performance.now();
  try {
    const [turns, retrieval] = await Promise.all([
      history(ctx.conversationId, ctx.visitorMessage.id),
      retrieve(ctx.website.id, question),
    ]);
    const retrievalMs = Math.round(performance.now() - t0);
    let text = '';
    let end: { sources: Source[]; usage?: TokenUsage; model: string; grounded: boolean } | undefined;
    for await (
      const event of engine.answer({
        question,
        passages: retrieval.passages,
        history: turns,
        instructions: ctx.website.ai_instructions,
        websiteName: ctx.website.name,
        lang: visitorLanguage(question, ctx.locale),
      })
    ) {
      if (event.type === 'delta') {
        text += event.text;
        sse.send('delta', { text: event.text });
      } else end = event;
    }
    if (!end || !text.trim()) throw new ProviderError('ai_unavailable', 'The AI returned no answer.');

    const metadata = {
      sources: end.sources,
      model: end.model,
      engine: engine.kind,
      usage: end.usage ?? null,
      grounded: end.grounded,
      in_reply_to: ctx.visitorMessage.id,
      retrieval: { passages: retrieval.passages.length, full_text: retrieval.fullText, vector: retrieval.vector, ms: retrievalMs },
      ms: Math.round(performance.now() - t0),
    };
    const clientId = await answerClientId(ctx.visitorMessage.client_id ?? ctx.visitorMessage.id);
    const [{ row }] = await sql()<{ row: MessageRow }[]>`
      select private.store_assistant_message(${ctx.conversationId}, ${clientId}, ${text.trim()}, ${sql().json(metadata as unknown as JsonValue)}) as row`;
    // The AI could not answer from the site's knowledge: it said so and offered a person.
    if (!end.grounded) await sql()`update public.conversations set needs_human = true where id = ${ctx.conversationId} and not needs_human`;
    sse.send('done', { message: toApiMessage(row) });
  } catch (err) {
    const failure = err instanceof ProviderError ? err : undefined;
    if (!failure) console.error('[widget-messages] answering failed:', err);
    const code = failure?.code ?? 'ai_unavailable';
    const message = failure?.message ?? 'The assistant could not answer right now.';
    try {
      await sql()`select private.mark_ai_failed(${ctx.visitorMessage.id}, ${code})`;
    } catch (markErr) {
      console.error('[widget-messages] could not flag the conversation:', markErr);
    }
    sse.send('error', { code, message: `${message} Your message was kept and a person from the team will reply.` });
  } finally {
    sse.close();
  }
}
