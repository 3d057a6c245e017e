// Request bodies as PostgREST reads them (ApiRequest.getPayload): JSON, form-urlencoded and CSV
// become one JSON document for json_to_record(set); invalid JSON is PGRST102; an array's objects
// must share their keys unless `columns=` names them; any other Content-Type is refused.
import { invalidBody } from './errors.ts';
import type { JsonBody } from './mutate-sql.ts';

export interface ParsedBody extends JsonBody {
  value: unknown;
  /** Keys of the object, or of every object of the array (which must all have the same keys). */
  keys: string[];
}

export interface PayloadOptions {
  /** RPC: an empty body means no arguments. */
  emptyAsObject?: boolean;
  /** `columns=` names the keys: arrays need not be uniform. */
  columnsGiven?: boolean;
}

export function parsePayload(text: string, mime: string, opts: PayloadOptions = {}): ParsedBody {
  switch (mime) {
    case 'application/json':
      return parseJson(text, opts);
    case 'application/x-www-form-urlencoded': {
      const value = Object.fromEntries(new URLSearchParams(text));
      return { raw: JSON.stringify(value), value, isObject: true, keys: Object.keys(value) };
    }
    case 'text/csv':
      return parseCsvBody(text);
    default:
      throw invalidBody(`Content-Type not acceptable: ${mime}`);
  }
}

function parseJson(text: string, opts: PayloadOptions): ParsedBody {
  const contentText = text.trim() === '' && opts.emptyAsObject ? '{}' : text;
  let value: unknown;
  try {
    value = JSON.parse(contentText);
  } catch {
    throw invalidBody('Empty or invalid json');
  }
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject) return { raw: contentText, value, isObject: true, keys: Object.keys(value as object) };
  if (Array.isArray(value)) {
    const first = value[0];
    if (first === undefined) return { raw: contentText, value, isObject: false, keys: [] };
    if (!first || typeof first !== 'object' || Array.isArray(first)) {
      if (opts.columnsGiven) return { raw: contentText, value, isObject: false, keys: [] };
      throw invalidBody('All object keys must match');
    }
    const keys = Object.keys(first);
    if (!opts.columnsGiven) {
      const canonical = [...keys].sort().join('\u0000');
      const uniform = value.every((v) => v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).sort().join('\u0000') === canonical);
      if (!uniform) throw invalidBody('All object keys must match');
    }
    return { raw: contentText, value, isObject: false, keys };
  }
  return { raw: '[]', value: [], isObject: false, keys: [] };
}

/** RFC 4180 CSV: a header line of column names, then rows; `NULL` is SQL NULL. */
function parseCsvBody(text: string): ParsedBody {
  const rows = parseCsv(text);
  const header = rows.shift() ?? [];
  if (rows.some((r) => r.length !== header.length)) throw invalidBody('All lines must have same number of fields');
  const value = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] === 'NULL' ? null : r[i]])));
  return { raw: JSON.stringify(value), value, isObject: false, keys: header };
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => { row.push(field); field = ''; };
  const endRow = () => { endField(); rows.push(row); row = []; };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { endField(); i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { endRow(); i += 2; continue; }
    if (ch === '\n') { endRow(); i++; continue; }
    field += ch;
    i++;
  }
  if (quoted) throw invalidBody('Invalid CSV: unterminated quoted field');
  if (field !== '' || row.length) endRow();
  return rows;
}
