// The [auth] settings of supabase/config.toml, as Supabase Auth would be configured from them.
// Re-read at most once a second, so editing config.toml takes effect without a restart.
import { readProjectConfig, type ProjectConfig } from '../project-config.ts';

export type AuthSettings = ProjectConfig['auth'];

const CACHE_MS = 1000;

export interface SettingsSource {
  (): AuthSettings;
  /**
   * Replaces some settings until called again with null. Test stacks use it to try another
   * [auth] section (anonymous sign-ins off, a longer minimum password) without editing the
   * shared config.toml.
   */
  override(values: Partial<AuthSettings> | null): void;
}

export function createSettingsSource(read: () => AuthSettings = () => readProjectConfig().auth): SettingsSource {
  let cached: { at: number; value: AuthSettings } | undefined;
  let overrides: Partial<AuthSettings> = {};
  const source = (() => {
    const now = Date.now();
    if (!cached || now - cached.at > CACHE_MS) {
      let value: AuthSettings;
      try {
        value = read();
      } catch (err) {
        // A half-edited config.toml must not take the API down: keep the last good settings.
        if (!cached) throw err;
        value = cached.value;
      }
      cached = { at: now, value };
    }
    return { ...cached.value, ...overrides };
  }) as SettingsSource;
  source.override = (values) => { overrides = values ?? {}; };
  return source;
}
