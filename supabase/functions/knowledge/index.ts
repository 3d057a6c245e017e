import { withCors } from '../_shared/handler.ts';
import { knowledge } from './handler.ts';

Deno.serve(withCors(knowledge, 'POST, DELETE, OPTIONS'));
