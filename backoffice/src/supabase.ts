// The one supabase-js client of the backoffice: Auth (session kept in localStorage, refreshed
// automatically, taken from the URL when an invitation or password-reset link brings someone
// here; implicit flow, which the local stack's Auth serves), REST under RLS, private Realtime
// channels and Edge Functions.
import { createClient } from '@supabase/supabase-js';
import { config } from './env.ts';
import { detectAuthRedirect } from './lib/auth-link.ts';

export const supabase = createClient(config.apiUrl, config.anonKey, { auth: { detectSessionInUrl: detectAuthRedirect } });
