// INSERT / UPDATE / DELETE in PostgREST's shapes (QueryBuilder.mutatePlanToQuery, fromJsonBodyF):
// the JSON body is one bind parameter expanded by json_to_record(set) with the columns' own types,
// so Postgres does every conversion and the policies of the table decide what may be written.
import type { Column, Table } from './schema-cache.ts';
import type { ResolvedLogic } from './plan-types.ts';
import { ident, logicSql, qualified, type Params } from './sql.ts';

export interface JsonBody {
  /** The request body as received (valid JSON). */
  raw: string;
  isObject: boolean;
}

export interface InsertSpec {
  table: Table;
  columns: Column[];
  body: JsonBody;
  /** `Prefer: missing=default`: absent keys take the column default instead of NULL. */
  applyDefaults: boolean;
  onConflict?: { resolution: 'merge-duplicates' | 'ignore-duplicates'; columns: string[] };
  returning: string[];
}

export interface UpdateSpec {
  table: Table;
  columns: Column[];
  body: JsonBody;
  where: ResolvedLogic[];
  returning: string[];
}

export interface DeleteSpec {
  table: Table;
  where: ResolvedLogic[];
  returning: string[];
}

const tableSql = (t: Table) => qualified(t.schema, t.name);

function returningSql(t: Table, cols: string[]): string {
  return cols.length ? ` RETURNING ${cols.map((c) => `${tableSql(t)}.${ident(c)}`).join(', ')}` : ' RETURNING 1';
}

/** `FROM (SELECT $1 AS json_data) pgrst_payload, [defaults,] LATERAL (SELECT cols FROM json_to_record…) pgrst_body` */
export function jsonBodyFrom(columns: Column[], body: JsonBody, p: Params, opts: { applyDefaults?: boolean; limitOne?: boolean } = {}): string {
  const defaults = opts.applyDefaults ?? false;
  const param = p.add(body.raw);
  let sql = `FROM (SELECT ${param}::${defaults ? 'jsonb' : 'json'} AS json_data) pgrst_payload, `;
  let source = 'pgrst_payload.json_data';
  if (defaults) {
    const pairs = columns
      .filter((c) => c.default !== null)
      .map((c) => `${p.add(c.name)}::text, ${c.default}`)
      .join(', ');
    const defs = `jsonb_build_object(${pairs})`;
    sql += body.isObject
      ? `LATERAL (SELECT ${defs} || pgrst_payload.json_data AS val) pgrst_json_defs, `
      : `LATERAL (SELECT jsonb_agg(${defs} || elem) AS val FROM jsonb_array_elements(pgrst_payload.json_data) elem) pgrst_json_defs, `;
    source = 'pgrst_json_defs.val';
  }
  const prefix = defaults ? 'jsonb' : 'json';
  if (columns.length === 0) {
    const rows = body.isObject ? '(values(1)) _' : `${prefix}_array_elements(${source}) _`;
    return `${sql}LATERAL (SELECT FROM ${rows}) pgrst_body `;
  }
  const names = columns.map((c) => ident(c.name)).join(', ');
  const typed = columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
  const fn = body.isObject ? `${prefix}_to_record` : `${prefix}_to_recordset`;
  return `${sql}LATERAL (SELECT ${names} FROM ${fn}(${source}) AS _(${typed}) ${opts.limitOne ? 'LIMIT 1' : ''}) pgrst_body `;
}

/** Counts inserted (+1) and merged (-1) rows of an upsert in `pgrst.inserted` for 201 vs 200. */
function countInserted(add: boolean): string {
  return `set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) ${add ? '+' : '-'} 1)::text, true) <> '${add ? '0' : '-1'}'`;
}

export function insertSql(spec: InsertSpec, p: Params): string {
  const { table, columns } = spec;
  const cols = columns.map((c) => ident(c.name)).join(', ');
  const selectCols = columns.map((c) => `pgrst_body.${ident(c.name)}`).join(', ');
  let sql = `INSERT INTO ${tableSql(table)}${columns.length ? `(${cols}) ` : ' '}SELECT ${selectCols} ${jsonBodyFrom(columns, spec.body, p, { applyDefaults: spec.applyDefaults })}`;
  const merge = spec.onConflict?.resolution === 'merge-duplicates';
  if (merge) sql += `WHERE ${countInserted(true)}`;
  if (spec.onConflict && spec.onConflict.columns.length) {
    sql += ` ON CONFLICT(${spec.onConflict.columns.map(ident).join(', ')}) `;
    if (spec.onConflict.resolution === 'ignore-duplicates' || columns.length === 0) {
      sql += 'DO NOTHING';
    } else {
      sql += `DO UPDATE SET ${columns.map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`).join(', ')} WHERE ${countInserted(false)}`;
    }
  }
  return sql + returningSql(table, spec.returning);
}

export function updateSql(spec: UpdateSpec, p: Params): string {
  const { table } = spec;
  if (spec.columns.length === 0) {
    // Nothing to set: select no rows, but with the columns a `select=` may name.
    const cols = spec.returning.length ? spec.returning.map((c) => `${ident(table.name)}.${ident(c)}`).join(', ') : 'NULL';
    return `SELECT ${cols} FROM ${tableSql(table)} WHERE false`;
  }
  const sets = spec.columns.map((c) => `${ident(c.name)} = pgrst_body.${ident(c.name)}`).join(', ');
  const where = spec.where.length ? ` WHERE ${spec.where.map((w) => logicSql(tableSql(table), w, p)).join(' AND ')}` : '';
  return `UPDATE ${tableSql(table)} SET ${sets} ${jsonBodyFrom(spec.columns, spec.body, p)}${where}${returningSql(table, spec.returning)}`;
}

export function deleteSql(spec: DeleteSpec, p: Params): string {
  const { table } = spec;
  const where = spec.where.length ? ` WHERE ${spec.where.map((w) => logicSql(tableSql(table), w, p)).join(' AND ')}` : '';
  return `DELETE FROM ${tableSql(table)}${where}${returningSql(table, spec.returning)}`;
}
