// A FAKE OpenAI-compatible server for tests and benchmarks: a real HTTP server on loopback that
// speaks the Chat Completions streaming protocol (SSE `data:` chunks, a usage chunk, `[DONE]`) and
// the embeddings endpoint. It is not a language model: its answer quotes the first passage of the
// prompt it receives, so a test can see what reached the "model". Behaviour per request comes
// from `fake.behave(...)` or from a directive in the visitor's message:
//   #fail-before   HTTP 500 before any token        #fail-mid   two tokens, then the socket dies
//   #hang          never answers                     #hang-mid   one token, then silence
//   #slow          a token every `slowMs` (default 50 ms)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeBehaviour = 'normal' | 'fail-before' | 'fail-mid' | 'hang' | 'hang-mid' | 'slow';

export interface ChatRequestRecord {
  body: { model: string; messages: Array<{ role: string; content: string }>; stream?: boolean; [k: string]: unknown };
  headers: IncomingMessage['headers'];
  behaviour: FakeBehaviour;
  /** Wall-clock ms (performance.timeOrigin + now) when the first content chunk was written. */
  firstChunkAt?: number;
}

export interface FakeOpenAi {
  url: string;
  /** The base URL to give the openai client (`OPENAI_BASE_URL`). */
  baseUrl: string;
  chatRequests: ChatRequestRecord[];
  embeddingRequests: Array<{ model: string; input: string[] }>;
  /** Behaviour of the next requests that carry no directive. */
  behave(b: FakeBehaviour, opts?: { slowMs?: number; tokenDelayMs?: number }): void;
  /** Milliseconds between tokens for normal answers (default 0). */
  tokenDelayMs: number;
  close(): Promise<void>;
}

export const FAKE_MODEL = 'fake-gpt';
export const EMBEDDING_DIMENSIONS = 64;

const now = () => performance.timeOrigin + performance.now();

/** A deterministic bag-of-words embedding: texts sharing words point the same way. */
export function fakeEmbedding(text: string): number[] {
  const v = new Array<number>(EMBEDDING_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (word.length < 3) continue;
    let h = 2166136261;
    for (const ch of word.slice(0, 5)) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
    v[Math.abs(h) % EMBEDDING_DIMENSIONS] += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function directive(messages: ChatRequestRecord['body']['messages']): FakeBehaviour | undefined {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const m = /#(fail-before|fail-mid|hang-mid|hang|slow)\b/.exec(last);
  return m?.[1] as FakeBehaviour | undefined;
}

/** The fake's answer: a quote of passage 1 with its citation, or a refusal when there is none. */
export function fakeAnswer(messages: ChatRequestRecord['body']['messages']): string {
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const passage = /<passage id="1"[^>]*>\n([\s\S]*?)\n<\/passage>/.exec(system)?.[1];
  if (!passage) return "I don't know that from this site's information. Would you like me to bring in a person from the team?";
  const first = passage.split(/(?<=[.!?])\s/)[0];
  return `According to the site, ${first} [1]`;
}

function tokens(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

export async function startFakeOpenAi(opts: { port?: number } = {}): Promise<FakeOpenAi> {
  const sockets = new Set<Socket>();
  let nextBehaviour: FakeBehaviour = 'normal';
  let slowMs = 50;
  const state = {
    chatRequests: [] as ChatRequestRecord[],
    embeddingRequests: [] as Array<{ model: string; input: string[] }>,
    tokenDelayMs: 0,
  };

  const readJson = (req: IncomingMessage) => new Promise<any>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))); } catch (e) { reject(e); }
    });
    req.on('error', reject);
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function chat(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req);
    const behaviour = directive(body.messages ?? []) ?? nextBehaviour;
    const record: ChatRequestRecord = { body, headers: req.headers, behaviour };
    state.chatRequests.push(record);
    if (behaviour === 'hang') return; // keep the socket open, say nothing
    if (behaviour === 'fail-before') {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'The fake provider failed on purpose', type: 'server_error' } }));
      return;
    }
    const answer = fakeAnswer(body.messages ?? []);
    const id = `chatcmpl-fake-${state.chatRequests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: FAKE_MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    if (!body.stream) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id, object: 'chat.completion', created, model: FAKE_MODEL, choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.flushHeaders();
    const parts = tokens(answer);
    const delay = behaviour === 'slow' ? slowMs : state.tokenDelayMs;
    for (let i = 0; i < parts.length; i++) {
      if (res.destroyed) return;
      if (i === 0) record.firstChunkAt = now();
      res.write(chunk(i === 0 ? { role: 'assistant', content: parts[i] } : { content: parts[i] }));
      if (behaviour === 'fail-mid' && i === 1) {
        // The tokens so far reach the client; then the connection dies without an end.
        setTimeout(() => req.socket.destroy(), 100);
        return;
      }
      if (behaviour === 'hang-mid') return; // one token, then silence with the socket open
      if (delay) await sleep(delay);
    }
    const promptTokens = JSON.stringify(body.messages).length >> 2;
    res.write(chunk({}, 'stop'));
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: FAKE_MODEL, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: parts.length, total_tokens: promptTokens + parts.length } })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  async function embeddings(req: IncomingMessage, res: ServerResponse) {
    const body = await readJson(req);
    const input: string[] = Array.isArray(body.input) ? body.input : [body.input];
    state.embeddingRequests.push({ model: body.model, input });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({
      object: 'list', model: body.model,
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })),
      usage: { prompt_tokens: input.join(' ').length >> 2, total_tokens: input.join(' ').length >> 2 },
    }));
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const handle = req.method === 'POST' && path.endsWith('/chat/completions') ? chat
      : req.method === 'POST' && path.endsWith('/embeddings') ? embeddings
      : null;
    if (!handle) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake: no route ${req.method} ${path}` } }));
      return;
    }
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'fake: bad request' } }));
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    get chatRequests() { return state.chatRequests; },
    get embeddingRequests() { return state.embeddingRequests; },
    get tokenDelayMs() { return state.tokenDelayMs; },
    set tokenDelayMs(v: number) { state.tokenDelayMs = v; },
    behave(b, o = {}) {
      nextBehaviour = b;
      if (o.slowMs !== undefined) slowMs = o.slowMs;
      if (o.tokenDelayMs !== undefined) state.tokenDelayMs = o.tokenDelayMs;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
