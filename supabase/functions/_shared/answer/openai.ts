// The OpenAI-compatible engine: streaming chat completions through the `openai` package, so any
// server that speaks that API works (OpenAI, Ollama, vLLM, LM Studio: set OPENAI_BASE_URL).
// Timeouts are ours, not the SDK's: one for the first token and one between tokens, because a
// provider that hangs mid-answer must end in an `error` event rather than a stream that never ends.
import OpenAI from 'npm:openai@7.57.0';
import { buildMessages, citedNumbers } from './prompt.ts';
import { type AnswerEngine, type AnswerEvent, type AnswerInput, ProviderError, type Source, type TokenUsage } from './types.ts';

export interface OpenAiEngineOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  totalTimeoutMs: number;
}

export function createOpenAiEngine(opts: OpenAiEngineOptions): AnswerEngine {
  // No SDK retries: a retry would silently double the visitor's wait; the caller reports the failure.
  const client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries: 0, timeout: opts.totalTimeoutMs });
  return {
    kind: 'openai',
    model: opts.model,
    async *answer(input: AnswerInput): AsyncIterable<AnswerEvent> {
      const aborter = new AbortController();
      let timedOut = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = (ms: number) => {
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          aborter.abort();
        }, ms);
      };
      const onCallerAbort = () => aborter.abort();
      input.signal?.addEventListener('abort', onCallerAbort, { once: true });
      const total = setTimeout(() => {
        timedOut = true;
        aborter.abort();
      }, opts.totalTimeoutMs);
      arm(opts.firstTokenTimeoutMs);

      let text = '';
      let usage: TokenUsage | undefined;
      let model = opts.model;
      try {
        const stream = await client.chat.completions.create({
          model: opts.model,
          messages: buildMessages(input),
          stream: true,
          stream_options: { include_usage: true },
          temperature: 0.2,
        }, { signal: aborter.signal });
        for await (const chunk of stream) {
          arm(opts.idleTimeoutMs);
          if (chunk.model) model = chunk.model;
          if (chunk.usage) {
            usage = {
              prompt_tokens: chunk.usage.prompt_tokens,
              completion_tokens: chunk.usage.completion_tokens,
              total_tokens: chunk.usage.total_tokens,
            };
          }
          const delta = chunk.choices?.[0]?.delta?.content;
          if (delta) {
            text += delta;
            yield { type: 'delta', text: delta };
          }
        }
        // The SDK ends an aborted stream quietly instead of throwing: a timeout must not pass for the end.
        if (timedOut) throw new Error('timed out');
      } catch (err) {
        if (input.signal?.aborted) return; // the visitor left: nothing to report
        if (timedOut) throw new ProviderError('ai_timeout', 'The AI provider took too long to answer.');
        const status = (err as { status?: number }).status;
        console.error(`[answer] provider failed${status ? ` (HTTP ${status})` : ''}:`, (err as Error).message);
        throw new ProviderError('ai_unavailable', 'The AI provider could not answer right now.');
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        clearTimeout(total);
        input.signal?.removeEventListener('abort', onCallerAbort);
      }
      if (input.signal?.aborted) return;
      if (!text.trim()) throw new ProviderError('ai_unavailable', 'The AI provider returned an empty answer.');
      const cited = citedNumbers(text, input.passages.length);
      const sources: Source[] = [];
      for (const n of cited) {
        const p = input.passages[n - 1];
        if (!sources.some((s) => s.source_id === p.sourceId && s.url === (p.url ?? undefined))) {
          sources.push({ title: p.title, ...(p.url ? { url: p.url } : {}), source_id: p.sourceId, ref: n });
        }
      }
      yield { type: 'end', sources, usage, model, grounded: sources.length > 0 };
    },
  };
}
