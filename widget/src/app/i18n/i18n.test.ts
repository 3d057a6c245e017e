import { describe, expect, it } from 'vitest';
import { LANGUAGES, pickLanguage } from '../../shared/language.ts';
import { EN, STRINGS } from './strings.ts';
import { translator } from './index.ts';

describe('i18n', () => {
  it('picks the embed locale first, then the browser languages, then English', () => {
    expect(pickLanguage('fr-CA', ['de-DE'])).toBe('fr');
    expect(pickLanguage(undefined, ['it-IT', 'es_MX', 'de'])).toBe('es');
    expect(pickLanguage('pt-BR', ['ja'])).toBe('en');
    expect(pickLanguage('DE', [])).toBe('de');
    expect(pickLanguage('', [])).toBe('en');
  });

  it('translates every key in every language (no gaps in the shipped dictionaries)', () => {
    for (const lang of LANGUAGES) {
      for (const key of Object.keys(EN) as (keyof typeof EN)[]) {
        if (key === 'chat') continue; // the same word in all four
        expect(STRINGS[lang][key], `${lang}.${key}`).toBeTruthy();
      }
    }
    expect(translator('de')('send')).toBe('Senden');
    expect(translator('es')('close')).toBe('Cerrar el chat');
  });

  it('falls back to English for a missing key and fills placeholders', () => {
    expect(translator('fr')('chat')).toBe('Chat');
    expect(translator('fr')('newMessageFrom', { name: 'Ana' })).toBe('Nouveau message de Ana');
    expect(translator('en')('unread', { n: 3 })).toBe('3 new');
    expect(translator('en')('unread')).toBe('{n} new');
  });
});
