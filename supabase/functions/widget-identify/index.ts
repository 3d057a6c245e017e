import { withCors } from '../_shared/handler.ts';
import { widgetIdentify } from './handler.ts';

Deno.serve(withCors(widgetIdentify, 'POST, OPTIONS'));
