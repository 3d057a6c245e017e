// The one supabase-js client of the backoffice: Auth (session kept in localStorage, refreshed
// automatically, taken from the URL when an invitation link brings someone here), REST under RLS,
// private Realtime channels and Edge Functions.
import { createClient } from '@supabase/supabase-js';
import { config } from './env.ts';
import { detectAuthRedirect } from './lib/invitation.ts';

export const supabase = createClient(config.apiUrl, config.anonKey, { auth: { detectSessionInUrl: detectAuthRedirect } });
