// Which answer engine is active: the OpenAI-compatible one when a key (or a base URL, for local
// servers such as Ollama that need none) is configured, else the offline extractive engine.
// widget-init reports the choice as `ai.engine`, so nobody mistakes quotes for a model's answers.
import { env } from '../env.ts';
import { createExtractiveEngine } from './extractive.ts';
import { createOpenAiEngine } from './openai.ts';
import type { AnswerEngine } from './types.ts';

export function engineKind(): 'openai' | 'offline' {
  if (env.answerEngine() === 'offline') return 'offline';
  return env.openaiApiKey() || env.openaiBaseUrl() ? 'openai' : 'offline';
}

let cached: { key: string; engine: AnswerEngine } | undefined;

export function answerEngine(): AnswerEngine {
  const kind = engineKind();
  const key = [kind, env.openaiApiKey(), env.openaiBaseUrl(), env.openaiModel(), env.aiFirstTokenTimeoutMs(), env.aiIdleTimeoutMs()].join('|');
  if (cached?.key === key) return cached.engine;
  const engine = kind === 'openai'
    ? createOpenAiEngine({
      // Local OpenAI-compatible servers accept any key; the SDK insists on one.
      apiKey: env.openaiApiKey() ?? 'not-needed',
      baseURL: env.openaiBaseUrl(),
      model: env.openaiModel(),
      firstTokenTimeoutMs: env.aiFirstTokenTimeoutMs(),
      idleTimeoutMs: env.aiIdleTimeoutMs(),
      totalTimeoutMs: env.aiTotalTimeoutMs(),
    })
    : createExtractiveEngine();
  cached = { key, engine };
  return engine;
}
