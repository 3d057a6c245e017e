// The service-role supabase-js client: used to verify the caller's session with Supabase Auth.
// It holds the service_role key, so it never leaves the server and never persists anything.
import { createClient, type SupabaseClient } from 'npm:@supabase/supabase-js@2.119.1';
import { env } from './env.ts';

let client: SupabaseClient | undefined;

export function serviceClient(): SupabaseClient {
  client ??= createClient(env.supabaseUrl(), env.serviceRoleKey() || env.anonKey(), {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  return client;
}
