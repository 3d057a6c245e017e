// The shapes the answer engine passes around.
import type { Lang } from '../text.ts';

/** A retrieved piece of the website's knowledge, with where it came from. */
export interface Passage {
  /** knowledge_chunks.id */
  id: string;
  sourceId: string;
  content: string;
  title: string;
  url?: string | null;
  /** Fused score (higher is better); only the order matters. */
  score: number;
}

/** A citation shown under an answer (contract §4 `sources: [{title, url?}]`). */
export interface Source {
  title: string;
  url?: string;
  source_id: string;
  /** The number the answer's text cites it by ("[2]"). */
  ref: number;
}

export interface Turn {
  role: 'visitor' | 'assistant' | 'agent';
  content: string;
}

export interface AnswerInput {
  question: string;
  passages: Passage[];
  /** Earlier turns of the conversation, oldest first (the current question excluded). */
  history: Turn[];
  /** The website owner's instructions (persona, tone); never allowed to override the rules. */
  instructions?: string | null;
  websiteName: string;
  lang: Lang;
  signal?: AbortSignal;
}

export interface TokenUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/** What an engine yields while answering: text as it comes, then how it ended. */
export type AnswerEvent =
  | { type: 'delta'; text: string }
  | { type: 'end'; sources: Source[]; usage?: TokenUsage; model: string; grounded: boolean };

export interface AnswerEngine {
  readonly kind: 'openai' | 'offline';
  readonly model: string;
  answer(input: AnswerInput): AsyncIterable<AnswerEvent>;
}

/** A provider failure: before the first token, mid-stream, or a timeout. */
export class ProviderError extends Error {
  constructor(public readonly code: 'ai_timeout' | 'ai_unavailable', message: string) {
    super(message);
  }
}
