import { withCors } from '../_shared/handler.ts';
import { widgetInit } from './handler.ts';

Deno.serve(withCors(widgetInit, 'GET, HEAD, OPTIONS'));
