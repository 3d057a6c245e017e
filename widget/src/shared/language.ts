// The UI language: the embed's `locale`, else the browser's languages, else English.

export const LANGUAGES = ['en', 'fr', 'de', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export function pickLanguage(locale: string | undefined, browser: readonly string[] = []): Language {
  for (const tag of [locale, ...browser]) {
    const base = tag?.toLowerCase().split(/[-_]/)[0];
    if (base && (LANGUAGES as readonly string[]).includes(base)) return base as Language;
  }
  return 'en';
}
