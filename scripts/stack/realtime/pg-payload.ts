// The `data` of a postgres_changes message, shaped as Supabase's apply_rls and its Jason structs
// write it: {columns, commit_timestamp, errors, schema, table, [old_record], [record], type}, with
// the columns the role may select (and the `select`ed ones, plus the key), and big records cut
// down to values of at most 64 bytes.
import type { RowChange } from './change-feed.ts';
import type { RelationInfo } from './pg-relations.ts';

/** Supabase's apply_rls max_record_bytes. */
const MAX_RECORD_BYTES = 1024 * 1024;

export interface PayloadInput {
  record: Record<string, unknown> | null;
  old: Record<string, unknown> | null;
  selectable: Set<string>;
  select: string[] | null;
  /** An error for the whole change (no primary key, key not selectable): no values are sent. */
  errors: string[] | null;
  commitTimestamp: string;
}

export function changePayload(info: RelationInfo, type: RowChange['type'], o: PayloadInput): string {
  const shown = (name: string) => o.selectable.has(name) && (!o.select || o.select.includes(name) || info.pk.includes(name));
  const base = { columns: [] as Array<{ name: string; type: string }>, commit_timestamp: o.commitTimestamp, errors: o.errors, schema: info.schema, table: info.table };
  if (o.errors) return JSON.stringify({ ...base, record: {}, type });
  base.columns = info.columns.filter((c) => shown(c.name)).map((c) => ({ name: c.name, type: c.type.name }));
  const tooBig = Buffer.byteLength(JSON.stringify([o.record, o.old])) > MAX_RECORD_BYTES;
  const pick = (row: Record<string, unknown> | null, onlyKey = false) => {
    const out: Record<string, unknown> = {};
    if (!row) return out;
    for (const [name, value] of Object.entries(row)) {
      if (!shown(name) || (onlyKey && !info.pk.includes(name))) continue;
      if (tooBig && JSON.stringify(value).length > 64) continue;
      out[name] = value;
    }
    return out;
  };
  const errors = tooBig ? ['Error 413: Payload Too Large'] : null;
  switch (type) {
    case 'INSERT':
      return JSON.stringify({ ...base, errors, record: pick(o.record), type });
    case 'UPDATE':
      return JSON.stringify({ ...base, errors, old_record: pick(o.old), record: pick(o.record), type });
    default:
      // With RLS on, a delete cannot be secured: only the primary key is sent.
      return JSON.stringify({ ...base, errors, old_record: pick(o.old, info.rlsEnabled), type });
  }
}
