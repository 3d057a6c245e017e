// The one supabase-js client of the backoffice: Auth (session kept in localStorage, refreshed
// automatically), REST under RLS, private Realtime channels and Edge Functions.
import { createClient } from '@supabase/supabase-js';
import { config } from './env.ts';

export const supabase = createClient(config.apiUrl, config.anonKey);
