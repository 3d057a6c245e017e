// The rows the backoffice reads (public schema, contract §5 and the project's own columns).

export type Role = 'owner' | 'agent';
export type Sender = 'user' | 'assistant' | 'agent' | 'system';

export interface Website {
  id: string;
  account_id: string;
  name: string;
  domain: string | null;
  primary_color: string;
  widget_style: string;
  welcome_message: string;
  input_placeholder: string;
  offline_message: string;
  allowed_domains: string[];
  launcher_position: 'left' | 'right';
  ai_enabled: boolean;
  ai_instructions: string;
  language: string;
  created_at: string;
  updated_at: string;
}

export interface Conversation {
  id: string;
  website_id: string;
  visitor_id: string;
  ai_mode: 'auto' | 'paused';
  status: 'open' | 'closed';
  title: string | null;
  last_message_at: string;
  last_message_preview: string | null;
  last_message_sender: Sender | null;
  needs_human: boolean;
  assignee_id: string | null;
  visitor_last_read_at: string | null;
  agent_last_read_at: string | null;
  visitor_unread_count: number;
  agent_unread_count: number;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Source {
  title?: string;
  url?: string;
}

export interface Message {
  id: string;
  conversation_id: string;
  website_id: string;
  sender: Sender;
  content: string;
  author_id: string | null;
  client_id: string | null;
  metadata: { sources?: Source[]; [key: string]: unknown };
  created_at: string;
  updated_at: string;
}

export interface Visitor {
  website_id: string;
  user_id: string;
  locale: string | null;
  first_seen_at: string;
  last_seen_at: string;
  last_page_url: string | null;
  user_agent: string | null;
  external_id: string | null;
  name: string | null;
  email: string | null;
  identified_at: string | null;
}

export interface KnowledgeSource {
  id: string;
  website_id: string;
  kind: 'text' | 'faq' | 'url' | 'file';
  title: string;
  url: string | null;
  metadata: Record<string, unknown>;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  progress: number;
  error: string | null;
  chunk_count: number;
  char_count: number;
  indexed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface TeamMember {
  user_id: string;
  email: string;
  role: Role;
  created_at: string;
}

/** knowledge_sources columns without the (possibly megabytes of) content. */
export const SOURCE_COLUMNS = 'id,website_id,kind,title,url,metadata,status,progress,error,chunk_count,char_count,indexed_at,created_at,updated_at';
