// Postgres Changes bindings: parsing `{event, schema, table, filter, select}` the way Supabase's
// Subscriptions.parse_subscription_params does (same operators, `not.` negation, comma = AND,
// quoted values, same error texts), and evaluating filters on a changed row with the column's
// type deciding how values compare (as realtime.check_equality_op casts both sides).
import { parseArray, textToValue, type ColumnType } from './pg-values.ts';
import { isObject } from './payload.ts';

export const FILTER_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface Filter {
  column: string;
  op: FilterOp;
  /** As Supabase stores it: unquoted, and `in.(a,b)` as the array literal "{a,b}". */
  value: string;
  negate: boolean;
}

export interface ParsedBinding {
  event: '*' | 'INSERT' | 'UPDATE' | 'DELETE';
  schema: string;
  table: string;
  filters: Filter[];
  select: string[] | null;
}

function splitTopLevel(filter: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  let prev = '';
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i];
    if (quoted) {
      if (ch === '\\' && i + 1 < filter.length) { current += ch + filter[++i]; prev = filter[i]; continue; }
      if (ch === '"') quoted = false;
      current += ch;
    } else if (ch === '"' && (prev === '.' || prev === '(' || prev === ',')) {
      quoted = true;
      current += ch;
    } else if (ch === '(') {
      depth++;
      current += ch;
    } else if (ch === ')') {
      depth = Math.max(0, depth - 1);
      current += ch;
    } else if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
      prev = '';
      continue;
    } else {
      current += ch;
    }
    prev = ch;
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  let out = '';
  for (let i = 1; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) { out += value[++i]; continue; }
    if (ch === '"') return i === value.length - 1 ? out : value;
    out += ch;
  }
  return value;
}

/** Elixir's inspect of a list of strings, which Supabase's error texts use. */
const inspectList = (items: string[]) => `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;

export function parseFilters(filter: string): Filter[] | { error: string } {
  const trimmed = filter.trim();
  if (!trimmed) return [];
  const filters: Filter[] = [];
  for (const segment of splitTopLevel(trimmed)) {
    const s = segment.trim();
    if (!s) return { error: 'filter must not contain empty segments (check for extra commas)' };
    const eq = s.indexOf('=');
    if (eq < 0) return { error: inspectList([s]) };
    const column = s.slice(0, eq);
    let rest = s.slice(eq + 1);
    const negate = rest.startsWith('not.');
    if (negate) rest = rest.slice(4);
    const dot = rest.indexOf('.');
    if (dot < 0) return { error: inspectList([column, rest]) };
    const op = rest.slice(0, dot);
    const value = rest.slice(dot + 1);
    if (!(FILTER_OPS as readonly string[]).includes(op)) return { error: inspectList([op, value]) };
    if (op === 'in') {
      if (!(value.length >= 2 && value.startsWith('(') && value.endsWith(')'))) return { error: '`in` filter value must be wrapped by parentheses' };
      filters.push({ column, op: 'in', value: `{${value.slice(1, -1)}}`, negate });
    } else {
      filters.push({ column, op: op as FilterOp, value: unquote(value), negate });
    }
  }
  return filters;
}

const upcaseEvent = (e: unknown): ParsedBinding['event'] => {
  if (typeof e !== 'string' || e === '*') return '*';
  const up = e.toUpperCase();
  return up === 'INSERT' || up === 'UPDATE' || up === 'DELETE' ? up : '*';
};

/** A binding as the client sent it; errors are the texts Supabase reports in its system message. */
export function parseBinding(params: unknown): ParsedBinding | { error: string } {
  const p = isObject(params) ? params : {};
  let select: string[] | null = null;
  if (typeof p.select === 'string') return { error: 'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]' };
  if (Array.isArray(p.select)) {
    const cols = p.select.filter((c): c is string => typeof c === 'string');
    select = cols.length ? cols : null;
  }
  const has = (k: string) => k in p && p[k] !== undefined;
  let schema: string;
  let table: string;
  let filters: Filter[] = [];
  if (typeof p.schema === 'string' && typeof p.table === 'string' && typeof p.filter === 'string') {
    const parsed = parseFilters(p.filter);
    if ('error' in parsed) return { error: `Error parsing \`filter\` params: ${parsed.error}` };
    [schema, table, filters] = [p.schema, p.table, parsed];
  } else if (typeof p.schema === 'string' && typeof p.table === 'string' && !has('filter')) {
    [schema, table] = [p.schema, p.table];
  } else if (typeof p.schema === 'string' && !has('table') && !has('filter')) {
    [schema, table] = [p.schema, '*'];
  } else if (typeof p.table === 'string' && !has('schema') && !has('filter')) {
    [schema, table] = ['public', p.table];
  } else {
    return { error: `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${JSON.stringify(p)}` };
  }
  if (select && (schema === '*' || table === '*')) {
    return { error: 'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.' };
  }
  return { event: upcaseEvent(p.event), schema, table, filters, select };
}

/** The binding as Supabase logs it inside its "Unable to subscribe…" messages. */
export function bindingToLog(b: ParsedBinding): string {
  const filters = b.filters.map((f) => `{${JSON.stringify(f.column)}, ${JSON.stringify(f.op)}, ${JSON.stringify(f.value)}, ${f.negate}}`);
  const select = b.select ? `[${b.select.map((s) => JSON.stringify(s)).join(', ')}]` : 'nil';
  return `event: ${b.event}, schema: ${b.schema}, table: ${b.table}, filters: [${filters.join(', ')}], select: ${select}`;
}

const TEXT: ColumnType = { name: 'text', category: 'S' };

function comparable(value: unknown, type: ColumnType): number | string | boolean | null {
  if (value === null || value === undefined) return null;
  if (type.category === 'N') return typeof value === 'number' ? value : Number(value);
  if (type.name === 'bool') return typeof value === 'boolean' ? value : /^(t|true|y|yes|on|1)$/i.test(String(value));
  if (type.category === 'D' && type.name !== 'time' && type.name !== 'timetz') {
    const ms = Date.parse(String(value).replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
    return Number.isNaN(ms) ? String(value) : ms;
  }
  if (type.name === 'uuid') return String(value).toLowerCase();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) source += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') source += '[\\s\\S]*';
    else if (ch === '_') source += '[\\s\\S]';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, flags);
}

/** SQL three-valued logic collapsed to "passes": a comparison with NULL never passes. */
function test(f: Filter, actual: unknown, type: ColumnType): boolean | null {
  if (f.op === 'is') {
    const v = f.value.toLowerCase();
    if (v === 'null' || v === 'unknown') return actual === null || actual === undefined;
    if (actual === null || actual === undefined) return false;
    return comparable(actual, type) === (v === 'true');
  }
  const a = comparable(actual, type);
  if (f.op === 'isdistinct') {
    const b = comparable(textToValue(f.value, type), type);
    return a !== b;
  }
  if (a === null) return null;
  switch (f.op) {
    case 'in': {
      const list = parseArray(f.value, TEXT);
      return Array.isArray(list) && list.some((item) => item !== null && comparable(textToValue(String(item), type), type) === a);
    }
    case 'like':
    case 'ilike':
    case 'match':
    case 'imatch': {
      const insensitive = f.op === 'ilike' || f.op === 'imatch' ? 'i' : '';
      try {
        const re = f.op === 'like' || f.op === 'ilike' ? likeToRegExp(f.value, insensitive) : new RegExp(f.value, insensitive);
        return re.test(String(actual));
      } catch {
        return null;
      }
    }
    default: {
      const b = comparable(textToValue(f.value, type), type);
      if (b === null || (typeof b === 'number' && Number.isNaN(b))) return null;
      switch (f.op) {
        case 'eq': return a === b;
        case 'neq': return a !== b;
        case 'lt': return a < b;
        case 'lte': return a <= b;
        case 'gt': return a > b;
        case 'gte': return a >= b;
        default: return null;
      }
    }
  }
}

/** True when every filter passes on `row` (typed values); unknown columns never pass. */
export function passesFilters(filters: Filter[], row: Record<string, unknown> | null, types: Map<string, ColumnType>): boolean {
  if (!row) return false;
  for (const f of filters) {
    const type = types.get(f.column);
    if (!type) return false;
    const result = test(f, row[f.column], type);
    if (result === null) return false;
    if (f.negate ? result : !result) return false;
  }
  return true;
}
