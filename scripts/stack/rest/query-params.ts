// Sorts a request's query string into PostgREST's parameter kinds (QueryParams.hs `parse`):
// select, filters (per embed path), and/or trees, order, limit/offset ranges, columns and
// on_conflict; for GET/HEAD calls of functions, parameters without an operator are arguments.
import { invalidRange } from './errors.ts';
import {
  parseColumns, parseEmbedPath, parseFilterValue, parseLogic, parseOnConflict, parseOrder, parseSelect, parseTreePath,
  type Filter, type LogicTree, type OrderTerm, type SelectItem,
} from './grammar.ts';
import { ALL_ROWS, type RowRange } from './plan-types.ts';

export interface QueryParams {
  select: SelectItem[];
  filters: Array<{ path: string[]; filter: Filter }>;
  /** Function arguments of a GET/HEAD RPC call: parameters whose value is not an operation. */
  rpcArgs: Array<[string, string]>;
  logic: Array<{ path: string[]; tree: LogicTree }>;
  order: Array<{ path: string[]; terms: OrderTerm[] }>;
  /** Row ranges by embed path (joined with '.'; '' is the top level). */
  ranges: Map<string, RowRange>;
  columns?: string[];
  onConflict?: string[];
  /** The query string with parameters sorted, as PostgREST's Content-Location shows it. */
  canonical: string;
}

const RESERVED = new Set(['select', 'columns', 'on_conflict']);
const EMBEDDABLE_RESERVED = new Set(['order', 'limit', 'offset', 'and', 'or']);
/** Credentials the gateway accepts in the URL; never a filter. */
const IGNORED = new Set(['apikey']);

const lastSegment = (key: string) => key.slice(key.lastIndexOf('.') + 1);

function parseInteger(text: string): number | undefined {
  const t = text.trim();
  return /^-?\d{1,15}$/.test(t) ? Number(t) : undefined;
}

export const pathKey = (path: string[]) => path.join('.');

export function isEmptyRange(r: RowRange): boolean {
  return r.upper !== null && r.upper < r.lower;
}

/** `limit=0` (at any offset): a valid request for no rows, unlike other empty ranges. */
export function isLimitZero(r: RowRange): boolean {
  return r.upper !== null && r.upper === r.lower - 1;
}

export function intersect(a: RowRange, b: RowRange): RowRange {
  const upper = a.upper === null ? b.upper : b.upper === null ? a.upper : Math.min(a.upper, b.upper);
  return { lower: Math.max(a.lower, b.lower), upper };
}

/** `max_rows` from config.toml caps every read range (a limit of zero stays zero). */
export function restrictRange(r: RowRange, maxRows: number | undefined): RowRange {
  if (maxRows === undefined || isLimitZero(r)) return r;
  return intersect(r, { lower: r.lower, upper: r.lower + maxRows - 1 });
}

export function parseQueryParams(search: string, isRpcRead: boolean): QueryParams {
  const entries = [...new URLSearchParams(search)].filter(([k]) => !IGNORED.has(k));
  const get = (name: string) => entries.find(([k]) => k === name)?.[1];

  const orderEntries = entries.filter(([k]) => lastSegment(k) === 'order');
  const logicEntries = entries.filter(([k]) => ['and', 'or'].includes(lastSegment(k)));
  const filterEntries = entries.filter(([k]) => !RESERVED.has(k) && !EMBEDDABLE_RESERVED.has(lastSegment(k)));

  // Same order of checks as PostgREST, so the first error reported is the same one.
  const order = orderEntries.map(([k, v]) => parseOrder(k, v));
  const logic = logicEntries.map(([k, v]) => parseLogic(k, v));
  const columnsText = get('columns');
  const columns = columnsText !== undefined ? parseColumns(columnsText) : undefined;
  const selectText = get('select');
  const select = parseSelect(selectText === undefined ? '*' : selectText);

  const filters: QueryParams['filters'] = [];
  const rpcArgs: QueryParams['rpcArgs'] = [];
  for (const [k, v] of filterEntries) {
    if (isRpcRead) {
      let expr;
      try {
        expr = parseFilterValue(v);
      } catch {
        rpcArgs.push([k, v]);
        continue;
      }
      const { path, field } = parseTreePath(k);
      filters.push({ path, filter: { field, expr } });
      continue;
    }
    const { path, field } = parseTreePath(k);
    filters.push({ path, filter: { field, expr: parseFilterValue(v) } });
  }
  const onConflictText = get('on_conflict');
  const onConflict = onConflictText !== undefined ? parseOnConflict(onConflictText) : undefined;

  const limits = new Map<string, number | undefined>();
  const offsets = new Map<string, number | undefined>();
  for (const [k, v] of entries) {
    const last = lastSegment(k);
    if (last !== 'limit' && last !== 'offset') continue;
    const key = pathKey(parseEmbedPath(k));
    (last === 'limit' ? limits : offsets).set(key, parseInteger(v));
  }
  const ranges = new Map<string, RowRange>();
  for (const key of new Set([...limits.keys(), ...offsets.keys()])) {
    const limit = limits.get(key);
    const offset = offsets.get(key);
    const lower = offset ?? 0;
    if (limit === undefined) ranges.set(key, { lower, upper: null });
    else ranges.set(key, { lower, upper: lower + limit - 1 });
  }

  const canonical = [...new URLSearchParams(search)]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

  return { select, filters, rpcArgs, logic, order, ranges, columns, onConflict, canonical };
}

/**
 * The top-level range: `limit`/`offset` combined with a `Range: 0-24` header (GET only), as
 * PostgREST's getRanges does; an empty result that is not `limit=0` is a 416.
 */
export function topLevelRange(params: QueryParams, rangeHeader: string | undefined): RowRange {
  const limitRange = params.ranges.get('') ?? ALL_ROWS;
  let headerRange = ALL_ROWS;
  let headerEmpty = false;
  if (rangeHeader) {
    const m = /^([0-9]+)-([0-9]*)$/.exec(rangeHeader.trim());
    if (m) {
      headerRange = { lower: Number(m[1]), upper: m[2] === '' ? null : Number(m[2]) };
      headerEmpty = isEmptyRange(headerRange);
    }
  }
  if (isLimitZero(limitRange)) return limitRange;
  const range = intersect(headerRange, limitRange);
  if (isEmptyRange(range)) {
    throw invalidRange(headerEmpty
      ? 'The lower boundary must be lower than or equal to the upper boundary in the Range header.'
      : 'Limit should be greater than or equal to zero.');
  }
  return range;
}
