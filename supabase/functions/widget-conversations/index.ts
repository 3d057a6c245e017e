import { withCors } from '../_shared/handler.ts';
import { widgetConversations } from './handler.ts';

Deno.serve(withCors(widgetConversations, 'GET, OPTIONS'));
