// POST / PATCH / DELETE / PUT on a table: INSERT (with upsert), UPDATE or DELETE in a CTE, the
// written rows read back (with embeds) when `return=representation`, PostgREST's statuses,
// Location and Content-Range.
import {
  columnNotFound, invalidPutFilters, maxAffectedViolation, PgrstError, putLimitNotAllowed, putMatchingPk, unacceptableFilter,
} from './errors.ts';
import { deleteSql, insertSql, updateSql } from './mutate-sql.ts';
import { ALL_ROWS, type ReadNode, type ResolvedLogic } from './plan-types.ts';
import { preferenceApplied, type Preferences } from './preferences.ts';
import { buildReadPlan } from './read-plan.ts';
import { parsePayload, type ParsedBody } from './payload.ts';
import { contentMimeOf, readRequestBody, type Action } from './request.ts';
import { applyGucs, contentRange, type Answer } from './response.ts';
import type { Column, SchemaCache, Table } from './schema-cache.ts';
import { Params } from './sql.ts';
import { writeStatement } from './statement.ts';
import { baseHeaders, failNotSingular, findTable, runStatement, transaction, withFreshCache, type RestRequest } from './context.ts';

function payloadColumns(table: Table, keys: string[]): Column[] {
  return keys.map((k) => {
    const col = table.columns.get(k);
    if (!col) throw columnNotFound(table.name, k);
    return col;
  });
}

/** Columns the representation needs from the written rows (PostgREST's `returnings`). */
function returningColumns(node: ReadNode): string[] {
  const cols = new Set<string>();
  if (node.select.some((s) => s.kind === 'star') || (node.select.length === 0 && node.children.length === 0)) {
    for (const c of node.table.columnList) cols.add(c.name);
  }
  for (const s of node.select) if (s.kind === 'field') cols.add(s.field.column);
  for (const child of node.children) {
    if (child.rel?.cardinality === 'm2m') child.rel.junction?.sourceColumns.forEach(([, c]) => cols.add(c));
    else child.rel?.columns.forEach(([c]) => cols.add(c));
  }
  for (const o of node.order) if (!o.child) cols.add(o.field.column);
  return [...cols];
}

function rootWhere(node: ReadNode): ResolvedLogic[] {
  const check = (t: ResolvedLogic): void => {
    if (t.kind === 'null-embed') throw unacceptableFilter(t.child.relAlias ?? t.child.relName);
    if (t.kind === 'expr') t.children.forEach(check);
  };
  node.where.forEach(check);
  return node.where;
}

export async function mutate(r: RestRequest, action: Extract<Action, { kind: 'insert' | 'update' | 'delete' | 'upsert' }>, cache: SchemaCache): Promise<Answer> {
  const needsBody = action.kind !== 'delete';
  let body: ParsedBody | undefined;
  if (needsBody) {
    const text = await readRequestBody(r.req, r.deps.config.maxBodyBytes);
    body = parsePayload(text, contentMimeOf(r.req), { columnsGiven: r.params.columns !== undefined });
  }
  if (action.kind === 'upsert' && r.params.ranges.has('')) throw putLimitNotAllowed();
  const rep = r.prefs.representation;
  const representation = rep === 'full';

  const planned = await withFreshCache(r, cache, (c) => {
    const table = findTable(c, r.schema, action.relation);
    const node = buildReadPlan(c, { table, fromSql: 'pgrst_source', alias: table.name }, r.params, { topRange: ALL_ROWS });
    const keys = body ? r.params.columns ?? body.keys : [];
    const columns = payloadColumns(table, keys);
    let returning = representation ? returningColumns(node) : [];
    if (rep === 'headers-only' && action.kind === 'insert') returning = [...table.pk];
    return { table, node, columns, returning };
  });
  const { table, node, columns, returning } = planned;
  const p = new Params();
  let mutation: string;
  let upsertMerge = false;
  let resolutionApplied: Preferences['resolution'];
  switch (action.kind) {
    case 'insert':
    case 'upsert': {
      let onConflict: { resolution: 'merge-duplicates' | 'ignore-duplicates'; columns: string[] } | undefined;
      if (action.kind === 'upsert') {
        onConflict = { resolution: 'merge-duplicates', columns: table.pk };
        checkPutFilters(table, node, body!);
      } else if (r.prefs.resolution) {
        const conflictCols = r.params.onConflict ?? table.pk;
        for (const c of conflictCols) if (!table.columns.has(c)) throw undefinedColumnOnConflict(c);
        onConflict = { resolution: r.prefs.resolution, columns: conflictCols };
        if (r.params.onConflict || table.pk.length) resolutionApplied = r.prefs.resolution;
      }
      upsertMerge = onConflict?.resolution === 'merge-duplicates' && onConflict.columns.length > 0;
      mutation = insertSql({
        table, columns, body: body!, applyDefaults: r.prefs.missing === 'default', onConflict, returning,
      }, p);
      break;
    }
    case 'update':
      mutation = updateSql({ table, columns, body: body!, where: rootWhere(node), returning }, p);
      break;
    case 'delete':
      mutation = deleteSql({ table, where: rootWhere(node), returning }, p);
      break;
  }
  const locationKeys = action.kind === 'insert' && rep === 'headers-only' ? table.pk : undefined;
  const sql = writeStatement({ mutation, node, shape: { output: r.output, none: !representation }, p, locationKeys, upsertMerge });

  const row = await transaction(r, cache, false, async (client) => {
    const result = await runStatement(client, sql, p);
    failNotSingular(r.output, result);
    if (r.prefs.handling === 'strict' && r.prefs.maxAffected !== undefined && (action.kind === 'update' || action.kind === 'delete')
      && result.pageTotal > r.prefs.maxAffected) {
      throw maxAffectedViolation(result.pageTotal);
    }
    return result;
  });

  const counted = r.prefs.count === 'exact' || r.prefs.count === 'planned' || r.prefs.count === 'estimated';
  const total = counted ? String(row.pageTotal) : null;
  const headers: Record<string, string> = representation ? baseHeaders(r, r.output) : {};
  const applied = preferenceApplied({
    resolution: resolutionApplied, missing: r.prefs.missing, representation: rep, count: r.prefs.count,
    transaction: r.prefs.transaction, handling: r.prefs.handling, maxAffected: r.prefs.maxAffected,
  });
  if (applied) headers['Preference-Applied'] = applied;
  let status: number;
  if (action.kind === 'insert') {
    headers['Content-Range'] = contentRange(1, 0, total);
    if (row.location && row.location.length) {
      headers.Location = `/${encodeURIComponent(table.name)}?${row.location.map(locationPair).join('&')}`;
    }
    status = upsertMerge && (row.inserted ?? 0) <= 0 ? 200 : 201;
  } else if (action.kind === 'upsert') {
    status = representation ? ((row.inserted ?? 0) > 0 ? 201 : 200) : 204;
  } else {
    headers['Content-Range'] = action.kind === 'update' ? contentRange(0, row.pageTotal - 1, total) : contentRange(1, 0, total);
    status = representation ? 200 : 204;
  }
  return applyGucs({ status, headers, body: representation ? row.body : undefined }, row.responseStatus, row.responseHeaders);
}

function locationPair(kv: string): string {
  const eq = kv.indexOf('=');
  return `${encodeURIComponent(kv.slice(0, eq))}=${encodeURIComponent(kv.slice(eq + 1)).replace(/%2C/gi, ',')}`;
}

function undefinedColumnOnConflict(column: string): PgrstError {
  return new PgrstError(400, { code: '42703', details: null, hint: null, message: `column "${column}" does not exist` });
}

/** PUT: the filters must be `eq` on exactly the primary key, matching the single payload row. */
function checkPutFilters(table: Table, node: ReadNode, body: ParsedBody) {
  const eqs = new Map<string, string>();
  for (const w of node.where) {
    if (w.kind !== 'filter' || w.not || w.field.json.length || w.operation.kind !== 'quant' || w.operation.op !== 'eq' || w.operation.quantifier) {
      throw invalidPutFilters();
    }
    eqs.set(w.field.column, w.operation.value);
  }
  if (!table.pk.length || eqs.size !== table.pk.length || !table.pk.every((c) => eqs.has(c))) throw invalidPutFilters();
  const rows = Array.isArray(body.value) ? body.value : [body.value];
  if (rows.length !== 1) throw putMatchingPk();
  const row = rows[0] as Record<string, unknown>;
  for (const c of table.pk) if (row[c] === undefined || String(row[c]) !== eqs.get(c)) throw putMatchingPk();
}
