import { withCors } from '../_shared/handler.ts';
import { billing } from './handler.ts';

Deno.serve(withCors(billing, 'GET, POST, OPTIONS'));
