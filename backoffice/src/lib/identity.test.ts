import { describe, expect, it } from 'vitest';
import { identityFields } from './identity.ts';
import type { Visitor } from './rows.ts';

const visitor: Visitor = {
  website_id: 'w', user_id: 'u', locale: 'en', first_seen_at: '2026-11-27T10:00:00Z', last_seen_at: '2026-11-27T10:05:00Z',
  last_page_url: null, user_agent: null, external_id: 'customer-42', name: 'Site Administrator', email: 'ceo@victim.example',
  identified_at: '2026-11-27T10:01:00Z',
};

describe("an identified visitor's fields", () => {
  it('only the user id (what the HMAC covers) is verified; the name and e-mail sent along are not', () => {
    expect(identityFields(visitor)).toEqual([
      { label: 'User id on your site', value: 'customer-42', verified: true },
      { label: 'Name', value: 'Site Administrator', verified: false },
      { label: 'E-mail', value: 'ceo@victim.example', verified: false },
    ]);
    expect(identityFields({ ...visitor, name: null, email: null })).toEqual([{ label: 'User id on your site', value: 'customer-42', verified: true }]);
  });

  it('an anonymous visitor has none', () => {
    expect(identityFields({ ...visitor, external_id: null, name: null, email: null, identified_at: null })).toEqual([]);
    expect(identityFields(undefined)).toEqual([]);
  });
});
