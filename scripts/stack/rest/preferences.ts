// The `Prefer` header as PostgREST reads it (ApiRequest/Preferences.hs): the first recognised
// value of each kind wins; unrecognised ones are ignored unless `handling=strict`.

export interface Preferences {
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  representation?: 'full' | 'minimal' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  transaction?: 'commit' | 'rollback';
  missing?: 'default' | 'null';
  handling?: 'strict' | 'lenient';
  maxAffected?: number;
  invalid: string[];
}

const KINDS: Array<[keyof Preferences, Record<string, string>]> = [
  ['resolution', { 'resolution=merge-duplicates': 'merge-duplicates', 'resolution=ignore-duplicates': 'ignore-duplicates' }],
  ['representation', { 'return=representation': 'full', 'return=minimal': 'minimal', 'return=headers-only': 'headers-only' }],
  ['count', { 'count=exact': 'exact', 'count=planned': 'planned', 'count=estimated': 'estimated' }],
  ['transaction', { 'tx=commit': 'commit', 'tx=rollback': 'rollback' }],
  ['missing', { 'missing=default': 'default', 'missing=null': 'null' }],
  ['handling', { 'handling=strict': 'strict', 'handling=lenient': 'lenient' }],
];

export function parsePreferences(header: string | string[] | undefined): Preferences {
  const raw = (Array.isArray(header) ? header : header ? [header] : []).flatMap((h) => h.split(',')).map((p) => p.trim()).filter(Boolean);
  const prefs: Preferences = { invalid: [] };
  const known = new Set<string>();
  for (const [kind, values] of KINDS) {
    for (const v of Object.keys(values)) known.add(v);
    const hit = raw.find((p) => p in values);
    if (hit) (prefs as unknown as Record<string, unknown>)[kind] = values[hit];
  }
  const maxAffected = raw.find((p) => p.startsWith('max-affected='));
  if (maxAffected && /^\d+$/.test(maxAffected.slice('max-affected='.length))) {
    prefs.maxAffected = Number(maxAffected.slice('max-affected='.length));
  }
  prefs.invalid = raw.filter((p) => !known.has(p) && !p.startsWith('max-affected=') && !p.startsWith('timezone='));
  return prefs;
}

const HEADER_VALUE: Record<string, Record<string, string>> = {
  resolution: { 'merge-duplicates': 'resolution=merge-duplicates', 'ignore-duplicates': 'resolution=ignore-duplicates' },
  missing: { default: 'missing=default', null: 'missing=null' },
  representation: { full: 'return=representation', minimal: 'return=minimal', 'headers-only': 'return=headers-only' },
  count: { exact: 'count=exact', planned: 'count=planned', estimated: 'count=estimated' },
  transaction: { commit: 'tx=commit', rollback: 'tx=rollback' },
  handling: { strict: 'handling=strict', lenient: 'handling=lenient' },
};

/** The `Preference-Applied` header for the preferences a response honoured. */
export function preferenceApplied(applied: Partial<Preferences>): string | undefined {
  const values: string[] = [];
  for (const kind of ['resolution', 'missing', 'representation', 'count', 'transaction', 'handling'] as const) {
    const v = applied[kind];
    if (v !== undefined) values.push(HEADER_VALUE[kind][v]);
  }
  if (applied.handling === 'strict' && applied.maxAffected !== undefined) values.push(`max-affected=${applied.maxAffected}`);
  return values.length ? values.join(', ') : undefined;
}
