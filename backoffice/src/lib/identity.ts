// What the backoffice shows about an identified visitor. identify's HMAC covers the site's user id
// only; the name and e-mail came from the visitor's browser with it, so anyone with a valid hash
// for their own user id could send any name or e-mail: they are shown, marked as not verified.
import type { Visitor } from './rows.ts';

export interface IdentityField {
  label: string;
  value: string;
  /** Covered by the HMAC the website's backend computed: shown with the Verified badge. */
  verified: boolean;
}

/** The identity rows of the visitor panel, empty for an anonymous visitor. */
export function identityFields(visitor: Visitor | undefined): IdentityField[] {
  if (!visitor?.identified_at || !visitor.external_id) return [];
  return [
    { label: 'User id on your site', value: visitor.external_id, verified: true },
    ...(visitor.name ? [{ label: 'Name', value: visitor.name, verified: false }] : []),
    ...(visitor.email ? [{ label: 'E-mail', value: visitor.email, verified: false }] : []),
  ];
}
