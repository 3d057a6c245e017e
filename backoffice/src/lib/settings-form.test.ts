import { describe, expect, it } from 'vitest';
import type { Website } from './rows.ts';
import { WIDGET_STYLES } from '../../../widget/src/shared/styles.ts';
import { draftOf, parseDomains, patchOf, STYLES, validate } from './settings-form.ts';

const website: Website = {
  id: 'w', account_id: 'a', name: 'Shop', domain: null, primary_color: '#2563EB', widget_style: 'bubble', welcome_message: 'Hi',
  input_placeholder: 'Type…', offline_message: 'Away', allowed_domains: ['shop.example'], launcher_position: 'right', ai_enabled: true,
  ai_instructions: '', language: 'english', created_at: '', updated_at: '',
};

describe('website settings form', () => {
  it('round-trips a website into the update it sends', () => {
    expect(patchOf(draftOf(website))).toEqual({
      name: 'Shop', domain: null, primary_color: '#2563eb', widget_style: 'bubble', welcome_message: 'Hi', input_placeholder: 'Type…',
      offline_message: 'Away', allowed_domains: ['shop.example'], launcher_position: 'right', ai_enabled: true, ai_instructions: '', language: 'english',
    });
    expect(validate(draftOf(website))).toEqual({});
  });

  it('reads allowed domains from lines, commas or spaces, lower-cased, once each', () => {
    expect(parseDomains(' Shop.Example,\n*.example.org  shop.example ;localhost\n\n')).toEqual(['shop.example', '*.example.org', 'localhost']);
  });

  it('explains what the database would refuse, next to the field', () => {
    const errors = validate({
      ...draftOf(website), name: '  ', primary_color: 'blue', allowed_domains_text: 'https://shop.example/path\nok.example\nhost:8080',
      welcome_message: 'x'.repeat(501), language: 'klingon',
    });
    expect(errors.name).toBe('Give the website a name.');
    expect(errors.primary_color).toBe('A colour like #2563eb.');
    expect(errors.allowed_domains).toContain('Not a host name: https://shop.example/path, host:8080');
    expect(errors.welcome_message).toBe('At most 500 characters (now 501).');
    expect(errors.language).toBe('Pick a language.');
  });

  it('offers the styles the widget draws, from the widget\'s own list, each described', () => {
    expect(STYLES.map((s) => s.value)).toEqual([...WIDGET_STYLES]);
    for (const { value, label } of STYLES) expect(label.toLowerCase()).toContain(value);
  });
});
