// Column values of Postgres Changes, from the text pgoutput sends to the JSON Supabase sends
// (its apply_rls builds records with to_jsonb(value::type)): numbers and booleans as JSON
// numbers and booleans, json/jsonb as JSON, arrays as JSON arrays, timestamps in ISO form,
// everything else as strings. realtime-js's transformers accept exactly these.

/** What a column's type tells the converters: its name (pg_type.typname) and category. */
export interface ColumnType {
  name: string;
  /** pg_type.typcategory: N numeric, B boolean, A array, D date/time, S string, U user-defined… */
  category: string;
  /** For arrays: the element type. */
  element?: ColumnType;
}

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);

/** A JS value with to_jsonb's meaning; `undefined` only for a value that was not sent. */
export function textToValue(text: string | null | undefined, type: ColumnType): unknown {
  if (text === undefined) return undefined;
  if (text === null) return null;
  if (type.category === 'A' && type.element) return parseArray(text, type.element);
  if (NUMERIC.has(type.name)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text; // NaN and Infinity are strings in JSON
  }
  switch (type.name) {
    case 'bool':
      return text === 't' ? true : text === 'f' ? false : text;
    case 'json':
    case 'jsonb':
      try { return JSON.parse(text); } catch { return text; }
    case 'timestamp':
      return text.replace(' ', 'T');
    case 'timestamptz':
      // "2024-01-01 12:00:00.123+00" → "2024-01-01T12:00:00.123+00:00", as to_jsonb writes it.
      return text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
    default:
      return text;
  }
}

/** Parses a Postgres array literal ({1,2}, {"a b",NULL}, {{1,2},{3,4}}) into JSON values. */
export function parseArray(text: string, element: ColumnType): unknown {
  let i = 0;
  // Arrays with explicit bounds start with "[1:2]=".
  if (text[0] === '[') i = text.indexOf('=') + 1;
  const parse = (): unknown[] => {
    const out: unknown[] = [];
    i++; // '{'
    while (i < text.length) {
      const ch = text[i];
      if (ch === '}') { i++; return out; }
      if (ch === ',') { i++; continue; }
      if (ch === '{') { out.push(parse()); continue; }
      if (ch === '"') {
        let value = '';
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          value += text[i++];
        }
        i++;
        out.push(textToValue(value, element));
        continue;
      }
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '}') end++;
      const raw = text.slice(i, end).trim();
      i = end;
      out.push(raw === 'NULL' ? null : textToValue(raw, element));
    }
    return out;
  };
  return text[i] === '{' ? parse() : text;
}
