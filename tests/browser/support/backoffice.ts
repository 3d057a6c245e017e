// The backoffice side of browser tests: members made through the real Auth API (supabase-js),
// websites made through REST under RLS, the backoffice opened and signed into in Chromium like a
// person would, and screenshots kept under test-results/backoffice/ (git-ignored).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { LocalInfo } from '../../../scripts/stack/stack.ts';
import { launchChromium, type Browser } from './chromium.ts';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'backoffice');

export interface Member {
  email: string;
  password: string;
  userId: string;
  client: SupabaseClient;
}

export function client(stack: LocalInfo): SupabaseClient {
  return createClient(stack.apiUrl, stack.anonKey, {
    realtime: { transport: WebSocket as never },
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

/** A new account through Auth's sign-up (e-mail confirmations are off locally). */
export async function signUpMember(stack: LocalInfo, prefix = 'owner'): Promise<Member> {
  const c = client(stack);
  const email = `${prefix}-${randomUUID().slice(0, 8)}@backoffice.test`;
  const password = `pw-${randomUUID()}`;
  const { data, error } = await c.auth.signUp({ email, password });
  if (error || !data.session) throw error ?? new Error('no session');
  return { email, password, userId: data.user!.id, client: c };
}

export async function signInMember(stack: LocalInfo, email: string, password: string): Promise<Member> {
  const c = client(stack);
  const { data, error } = await c.auth.signInWithPassword({ email, password });
  if (error || !data.session) throw error ?? new Error('no session');
  return { email, password, userId: data.user.id, client: c };
}

/** A website created through REST as its owner (RLS; the trigger makes them its owner). */
export async function createWebsite(owner: Member, fields: Record<string, unknown> = {}): Promise<string> {
  const { data, error } = await owner.client.from('websites').insert({ name: `Test shop ${randomUUID().slice(0, 6)}`, ...fields }).select('id').single();
  if (error) throw error;
  return data.id as string;
}

export interface BackofficePage {
  browser: Browser;
  page: Page;
  /** Uncaught page errors: a test fails on any. */
  errors: string[];
  close(): Promise<void>;
}

/** Chromium on the backoffice's origin, not signed in yet. */
export async function openBackoffice(stack: LocalInfo, path = '/', viewport = { width: 1360, height: 900 }): Promise<BackofficePage> {
  const browser = await launchChromium({ viewport });
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(stack.demo.backofficeUrl + path);
  return { browser, page, errors, close: () => browser.close() };
}

/** Signs in through the sign-in form and waits for the signed-in frame. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** expect.poll with room for a loaded machine (its default gives up after one second). */
export function eventually<T>(read: () => T | Promise<T>, timeout = 15_000) {
  return expect.poll(read, { timeout, interval: 50 });
}
