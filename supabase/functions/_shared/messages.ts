// Messages as the widget sees them: the stored row without internal fields, and AI answers with
// their sources at the top level (contract §4 `done {message: {id, content, sender, sources}}`).

export interface MessageRow {
  id: string;
  conversation_id: string;
  website_id: string;
  sender: 'user' | 'assistant' | 'agent' | 'system';
  content: string;
  client_id: string | null;
  metadata: Record<string, unknown> | null;
  created_at: string | Date;
}

export interface ApiMessage {
  id: string;
  conversation_id: string;
  sender: MessageRow['sender'];
  content: string;
  client_id: string | null;
  created_at: string;
  sources?: Array<{ title: string; url?: string }>;
}

export function toApiMessage(row: MessageRow): ApiMessage {
  const out: ApiMessage = {
    id: row.id,
    conversation_id: row.conversation_id,
    sender: row.sender,
    content: row.content,
    client_id: row.client_id,
    created_at: row.created_at instanceof Date ? row.created_at.toISOString() : new Date(row.created_at).toISOString(),
  };
  const sources = row.metadata?.sources;
  if (row.sender === 'assistant') {
    out.sources = Array.isArray(sources)
      ? sources.map((s: { title?: string; url?: string; ref?: number }) => ({
        title: String(s.title ?? ''),
        ...(s.url ? { url: String(s.url) } : {}),
        ...(typeof s.ref === 'number' ? { ref: s.ref } : {}),
      }))
      : [];
  }
  return out;
}
