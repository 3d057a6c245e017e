import { describe, expect, it } from 'vitest';
import { resolveConfig, substituted } from './config.ts';

const baked = { apiUrl: 'https://ref.supabase.co/', anonKey: 'baked-key', widgetUrl: '' };

describe('backoffice configuration', () => {
  it('keeps the baked values when the page was not substituted (a CDN copy)', () => {
    const meta: Record<string, string> = { 'emily-api-url': '{{API_URL}}', 'emily-anon-key': '{{ANON_KEY}}', 'emily-widget-url': '{{WIDGET_URL}}', 'emily-demo-website-id': '{{DEMO_WEBSITE_ID}}' };
    expect(resolveConfig((n) => meta[n], baked)).toEqual({
      apiUrl: 'https://ref.supabase.co', anonKey: 'baked-key', widgetUrl: 'https://ref.supabase.co/widget', bakedApiUrl: 'https://ref.supabase.co', demoWebsiteId: undefined,
    });
  });

  it('takes the local stack\'s substituted <meta> values', () => {
    const meta: Record<string, string> = { 'emily-api-url': 'http://127.0.0.1:40000/', 'emily-anon-key': 'local-key', 'emily-widget-url': 'http://127.0.0.1:40000/widget', 'emily-demo-website-id': 'demo' };
    expect(resolveConfig((n) => meta[n], baked)).toMatchObject({ apiUrl: 'http://127.0.0.1:40000', anonKey: 'local-key', widgetUrl: 'http://127.0.0.1:40000/widget', demoWebsiteId: 'demo' });
  });

  it('treats missing, empty and placeholder values as absent', () => {
    expect(substituted(undefined)).toBeUndefined();
    expect(substituted('  ')).toBeUndefined();
    expect(substituted('{{API_URL}}')).toBeUndefined();
    expect(substituted(' x ')).toBe('x');
    expect(resolveConfig(() => null, { ...baked, widgetUrl: 'https://cdn.example/emily/' }).widgetUrl).toBe('https://cdn.example/emily');
  });
});
