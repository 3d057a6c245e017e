import { withCors } from '../_shared/handler.ts';
import { team } from './handler.ts';

Deno.serve(withCors(team, 'POST, OPTIONS'));
