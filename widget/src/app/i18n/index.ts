// Translation lookup: the chosen language, then English; `{name}` placeholders filled in.
import { pickLanguage, type Language } from '../../shared/language.ts';
import { EN, STRINGS, type StringKey } from './strings.ts';

export type Translate = (key: StringKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Language): Translate {
  const table = STRINGS[lang] ?? EN;
  return (key, vars) => (table[key] ?? EN[key]).replace(/\{(\w+)\}/g, (m, name) => (vars && name in vars ? String(vars[name]) : m));
}

export function languageFor(locale: string | undefined): Language {
  return pickLanguage(locale, typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]);
}
