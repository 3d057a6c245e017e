// The one statement each request runs (PostgREST's Statements.hs): a CTE `pgrst_source` holding
// the rows (read, written or returned by a function), and one result row with the total count,
// the page count, the body built by Postgres, and the response.headers / response.status GUCs.
import type { Output } from './media.ts';
import type { ReadNode } from './plan-types.ts';
import { countQuery, readQuery } from './read-sql.ts';
import type { Params } from './sql.ts';

export interface ResultRow {
  total: string | null;
  pageTotal: number;
  body: string;
  responseHeaders: string | null;
  responseStatus: string | null;
  location: string[] | null;
  inserted: number | null;
}

export type CountMode = 'exact' | 'planned' | 'estimated' | undefined;

/** How the rows become the body; `returns` describes function results. */
export interface BodyShape {
  output: Output;
  /** Functions returning a scalar put it in `pgrst_scalar`. */
  scalar?: boolean;
  /** Functions returning one row/value (not SETOF) answer with that value, not an array. */
  single?: boolean;
  /** No body needed (return=minimal, HEAD): skip building it. */
  none?: boolean;
}

function bodySql(shape: BodyShape): string {
  if (shape.none) return "''::text";
  const { output } = shape;
  if (output.kind === 'csv') {
    return "(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text AS k FROM "
      + '(SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) s) a)'
      + " || E'\\n' || coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), E'\\n'), '')";
  }
  const strip = (s: string) => (output.stripNulls ? `json_strip_nulls(${s})` : s);
  const value = shape.scalar ? '_postgrest_t.pgrst_scalar' : '_postgrest_t';
  if (output.kind === 'single' || shape.single) return `coalesce(${strip(`json_agg(${value})->0`)}, 'null')::text`;
  return `coalesce(${strip(`json_agg(${value})`)}, '[]')::text`;
}

const GUCS = "nullif(current_setting('response.headers', true), '') AS response_headers, "
  + "nullif(current_setting('response.status', true), '') AS response_status";

function countParts(node: ReadNode, mode: CountMode, p: Params, maxRows: number | undefined): { cte: string; total: string } {
  if (mode !== 'exact' && mode !== 'estimated') return { cte: '', total: 'null::bigint' };
  let q = countQuery(node, p);
  // Estimated counts only count up to max_rows + 1; beyond that the planner's estimate is used.
  if (mode === 'estimated' && maxRows !== undefined) q += ` LIMIT ${Number(maxRows) + 1}`;
  return { cte: `, pgrst_source_count AS (${q})`, total: '(SELECT pg_catalog.count(*) FROM pgrst_source_count)::text' };
}

export function readStatement(node: ReadNode, shape: BodyShape, count: CountMode, p: Params, maxRows?: number): string {
  const { cte, total } = countParts(node, count, p, maxRows);
  return `WITH pgrst_source AS ( ${readQuery(node, p)} )${cte} SELECT ${total} AS total_result_set, `
    + `pg_catalog.count(_postgrest_t) AS page_total, ${bodySql(shape)} AS body, ${GUCS}, `
    + `NULL::text[] AS header, NULL::int AS response_inserted FROM ( SELECT * FROM pgrst_source ) _postgrest_t`;
}

export function writeStatement(opts: {
  mutation: string; node: ReadNode; shape: BodyShape; p: Params;
  locationKeys?: string[]; upsertMerge?: boolean;
}): string {
  const { node, shape, p } = opts;
  const select = shape.none ? 'SELECT * FROM pgrst_source' : readQuery(node, p, { skipWhere: true });
  let location = 'NULL::text[]';
  if (opts.locationKeys && opts.locationKeys.length) {
    const keys = opts.locationKeys.map((k) => `${p.add(k)}::text`).join(', ');
    location = 'CASE WHEN pg_catalog.count(_postgrest_t) = 1 THEN coalesce(('
      + 'WITH data AS (SELECT row_to_json(_) AS row FROM pgrst_source AS _ LIMIT 1) '
      + "SELECT array_agg(json_data.key || '=' || coalesce('eq.' || json_data.value, 'is.null')) "
      + `FROM data CROSS JOIN json_each_text(data.row) AS json_data WHERE json_data.key IN (${keys})`
      + '), array[]::text[]) ELSE array[]::text[] END';
  }
  const inserted = opts.upsertMerge ? "nullif(current_setting('pgrst.inserted', true), '')::int" : 'NULL::int';
  return `WITH pgrst_source AS (${opts.mutation}) SELECT NULL::text AS total_result_set, `
    + `pg_catalog.count(_postgrest_t) AS page_total, ${bodySql(shape)} AS body, ${GUCS}, `
    + `${location} AS header, ${inserted} AS response_inserted FROM (${select}) _postgrest_t`;
}

export function callStatement(opts: {
  call: string; node: ReadNode; shape: BodyShape; count: CountMode; p: Params; maxRows?: number;
}): string {
  const { node, shape, p } = opts;
  const { cte, total } = countParts(node, opts.count, p, opts.maxRows);
  const pageTotal = shape.single ? '1' : 'pg_catalog.count(_postgrest_t)';
  return `WITH pgrst_source AS (${opts.call})${cte} SELECT ${total} AS total_result_set, `
    + `${pageTotal} AS page_total, ${bodySql(shape)} AS body, ${GUCS}, `
    + `NULL::text[] AS header, NULL::int AS response_inserted FROM (${readQuery(node, p)}) _postgrest_t`;
}

/** `EXPLAIN (FORMAT JSON)` of the count query: the planner's row estimate (count=planned). */
export function plannedCountStatement(node: ReadNode, p: Params): string {
  return `EXPLAIN (FORMAT JSON) ${countQuery(node, p)}`;
}

export function decodeRow(row: Record<string, unknown> | undefined): ResultRow {
  if (!row) return { total: '0', pageTotal: 0, body: '', responseHeaders: null, responseStatus: null, location: null, inserted: null };
  return {
    total: row.total_result_set === null || row.total_result_set === undefined ? null : String(row.total_result_set),
    pageTotal: Number(row.page_total ?? 0),
    body: String(row.body ?? ''),
    responseHeaders: (row.response_headers as string | null) ?? null,
    responseStatus: (row.response_status as string | null) ?? null,
    location: (row.header as string[] | null) ?? null,
    inserted: row.response_inserted === null || row.response_inserted === undefined ? null : Number(row.response_inserted),
  };
}
