// Every setting the functions read from the environment, in one place, with its default.
// See supabase/functions/.env.example for what each one means.

function get(name: string): string | undefined {
  const v = Deno.env.get(name);
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(name: string, fallback: number): number {
  const v = Number(get(name));
  return Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
}

export const env = {
  supabaseUrl: () => get('SUPABASE_URL') ?? 'http://127.0.0.1:54321',
  anonKey: () => get('SUPABASE_ANON_KEY') ?? '',
  serviceRoleKey: () => get('SUPABASE_SERVICE_ROLE_KEY') ?? '',
  dbUrl: () => get('SUPABASE_DB_URL'),

  openaiApiKey: () => get('OPENAI_API_KEY'),
  openaiBaseUrl: () => get('OPENAI_BASE_URL'),
  openaiModel: () => get('OPENAI_MODEL') ?? 'gpt-4o-mini',
  openaiEmbeddingModel: () => get('OPENAI_EMBEDDING_MODEL') ?? 'text-embedding-3-small',
  /** Set to "offline" to force the extractive engine even when a key is present. */
  answerEngine: () => get('EMILY_ANSWER_ENGINE'),
  /** Milliseconds to wait for the model's first token, then between tokens. */
  aiFirstTokenTimeoutMs: () => int('EMILY_AI_FIRST_TOKEN_TIMEOUT_MS', 20_000),
  aiIdleTimeoutMs: () => int('EMILY_AI_IDLE_TIMEOUT_MS', 20_000),
  aiTotalTimeoutMs: () => int('EMILY_AI_TOTAL_TIMEOUT_MS', 120_000),
  sseHeartbeatMs: () => int('EMILY_SSE_HEARTBEAT_MS', 10_000),

  qdrantUrl: () => get('QDRANT_URL'),
  qdrantApiKey: () => get('QDRANT_API_KEY'),
  qdrantCollection: () => get('QDRANT_COLLECTION') ?? 'emily_knowledge',

  /** Rate limits: requests per window for one visitor, and for one website as a whole. */
  visitorRateLimit: () => int('EMILY_RATE_LIMIT_VISITOR', 20),
  visitorRateWindowS: () => int('EMILY_RATE_LIMIT_VISITOR_WINDOW_S', 60),
  websiteRateLimit: () => int('EMILY_RATE_LIMIT_WEBSITE', 600),
  websiteRateWindowS: () => int('EMILY_RATE_LIMIT_WEBSITE_WINDOW_S', 60),
  /** Messages the AI answers per client address per website per visitor window (sessions are free, addresses are not). */
  aiAddressRateLimit: () => int('EMILY_RATE_LIMIT_AI_PER_ADDRESS', 60),
  /** Reads (widget-conversations) per visitor per window. */
  readRateLimit: () => int('EMILY_RATE_LIMIT_READS', 120),
  /** widget-identify attempts per visitor per window (each one is a guess at the HMAC). */
  identifyRateLimit: () => int('EMILY_RATE_LIMIT_IDENTIFY', 10),
  /** knowledge calls per member per website per window. */
  knowledgeRateLimit: () => int('EMILY_RATE_LIMIT_KNOWLEDGE', 60),
  /** Public calls (widget-init) per client address and website per window. */
  publicRateLimit: () => int('EMILY_RATE_LIMIT_PUBLIC', 300),
  // AI answers per month come from the account's plan (public.plans); billing settings are in
  // _shared/billing/config.ts.

  /** Knowledge ingestion limits. */
  maxUploadBytes: () => int('EMILY_KNOWLEDGE_MAX_FILE_BYTES', 5 * 1024 * 1024),
  maxFetchBytes: () => int('EMILY_KNOWLEDGE_MAX_FETCH_BYTES', 2 * 1024 * 1024),
  fetchTimeoutMs: () => int('EMILY_KNOWLEDGE_FETCH_TIMEOUT_MS', 10_000),
  maxCrawlPages: () => int('EMILY_KNOWLEDGE_MAX_PAGES', 20),
  /** Bytes a PDF's streams may decode to in total (a small file can inflate to gigabytes). */
  maxPdfDecodedBytes: () => int('EMILY_KNOWLEDGE_MAX_PDF_DECODED_BYTES', 64 * 1024 * 1024),
};
