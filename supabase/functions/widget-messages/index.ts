import { withCors } from '../_shared/handler.ts';
import { widgetMessages } from './handler.ts';

Deno.serve(withCors(widgetMessages, 'POST, OPTIONS'));
