// The gateway's own behaviour: routing, API keys, CORS and bad input it must survive.
import { describe, expect, inject, it } from 'vitest';

const stack = inject('stack');

describe('gateway', () => {
  it('answers an unknown route with 404 JSON', async () => {
    const res = await fetch(`${stack.apiUrl}/nope/v1/x`, { headers: { apikey: stack.anonKey } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'no Route matched with those values' });
  });

  it('refuses REST and auth calls without an API key', async () => {
    for (const path of ['/rest/v1/websites', '/auth/v1/user']) {
      const res = await fetch(`${stack.apiUrl}${path}`);
      expect(res.status).toBe(401);
      expect((await res.json()).message).toBe('No API key found in request');
    }
  });

  it('refuses a forged API key', async () => {
    const forged = stack.anonKey.slice(0, -4) + 'AAAA';
    const res = await fetch(`${stack.apiUrl}/rest/v1/websites`, { headers: { apikey: forged } });
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe('Invalid API key');
  });

  it('answers CORS preflights for the API with the headers supabase-js sends', async () => {
    const res = await fetch(`${stack.apiUrl}/rest/v1/websites`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'apikey, prefer' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://example.test');
    const allowed = res.headers.get('access-control-allow-headers') ?? '';
    for (const h of ['authorization', 'apikey', 'x-client-info', 'prefer', 'accept-profile', 'content-profile', 'x-supabase-api-version']) {
      expect(allowed).toContain(h);
    }
    expect(res.headers.get('access-control-expose-headers')).toContain('content-range');
  });

  it('puts the CORS headers on ordinary answers too, errors included, so a browser can read them', async () => {
    const ok = await fetch(`${stack.apiUrl}/rest/v1/plans?select=id`, {
      headers: { Origin: 'http://example.test', apikey: stack.anonKey, Prefer: 'count=exact' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://example.test');
    expect(ok.headers.get('access-control-expose-headers')).toContain('content-range');
    expect(ok.headers.get('vary')).toContain('Origin');
    const denied = await fetch(`${stack.apiUrl}/auth/v1/user`, { headers: { Origin: 'http://example.test', apikey: stack.anonKey } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://example.test');
  });

  it('survives a malformed request line and keeps serving', async () => {
    const net = await import('node:net');
    const { port, hostname } = new URL(stack.apiUrl);
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), hostname, () => socket.write('GARBAGE \x00\x01 HTTP/9\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const res = await fetch(`${stack.apiUrl}/nope`, { headers: { apikey: stack.anonKey } });
    expect(res.status).toBe(404);
  });
});
