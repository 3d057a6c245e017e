import { describe, expect, it } from 'vitest';
import { isReady, parseSettings } from './protocol.ts';

const website = {
  id: '00000000-0000-4000-8000-00000000d3e0', name: 'Shop', primary_color: '#14532d', widget_style: 'bubble', welcome_message: 'Hi',
  input_placeholder: 'Ask', offline_message: 'Away', launcher_position: 'left', language: 'english',
};

describe('preview messages', () => {
  it('accepts well-formed settings and keeps only the public fields', () => {
    const parsed = parseSettings({ type: 'emily-preview:settings', website: { ...website, ai_instructions: 'secret' }, ai: { enabled: false } });
    expect(parsed).toEqual({ type: 'emily-preview:settings', website, ai: { enabled: false } });
  });

  it('refuses anything else', () => {
    expect(parseSettings(null)).toBeNull();
    expect(parseSettings({ type: 'other', website })).toBeNull();
    expect(parseSettings({ type: 'emily-preview:settings', website: { ...website, id: 'not-a-uuid' } })).toBeNull();
    expect(parseSettings({ type: 'emily-preview:settings', website: { ...website, primary_color: 'red;}' } })).toBeNull();
    expect(parseSettings({ type: 'emily-preview:settings', website: { ...website, name: 5 } })).toBeNull();
    expect(parseSettings({ type: 'emily-preview:settings', website: { ...website, launcher_position: 'top' } })?.website.launcher_position).toBe('right');
    expect(isReady({ type: 'emily-preview:ready' })).toBe(true);
    expect(isReady('emily-preview:ready')).toBe(false);
  });
});
