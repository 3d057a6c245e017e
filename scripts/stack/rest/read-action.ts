// GET / HEAD on a table or view: one SELECT with embeds, counts as asked, and PostgREST's
// status and Content-Range for the page (206 partial, 416 past the end).
import { PgrstError } from './errors.ts';
import { preferenceApplied } from './preferences.ts';
import { topLevelRange } from './query-params.ts';
import { buildReadPlan } from './read-plan.ts';
import type { Action } from './request.ts';
import { applyGucs, errorAnswer, rangeStatus, type Answer } from './response.ts';
import type { SchemaCache } from './schema-cache.ts';
import { Params, qualified } from './sql.ts';
import { readStatement } from './statement.ts';
import {
  baseHeaders, countPreference, failNotSingular, findTable, header, plannedRows, runStatement, transaction, withFreshCache,
  type RestRequest,
} from './context.ts';

export async function read(r: RestRequest, action: Extract<Action, { kind: 'read' }>, cache: SchemaCache): Promise<Answer> {
  const topRange = topLevelRange(r.params, r.req.method === 'GET' ? header(r.req, 'range') : undefined);
  const { node, table } = await withFreshCache(r, cache, (c) => {
    const table = findTable(c, r.schema, action.relation);
    const node = buildReadPlan(c, { table, fromSql: qualified(table.schema, table.name) }, r.params, { maxRows: r.maxRows, topRange });
    return { node, table };
  });
  const count = r.prefs.count;
  const row = await transaction(r, cache, true, async (client) => {
    const p = new Params();
    const sql = readStatement(node, { output: r.output, none: action.head }, count === 'planned' ? undefined : count, p, r.maxRows);
    const result = await runStatement(client, sql, p);
    failNotSingular(r.output, result);
    if (count === 'planned' || (count === 'estimated' && r.maxRows !== undefined && Number(result.total) > r.maxRows)) {
      const planned = await plannedRows(client, node);
      if (planned !== null) result.total = String(count === 'planned' ? planned : Math.max(planned, Number(result.total)));
    }
    return result;
  });
  const { status, contentRange: range } = rangeStatus(topRange.lower, row.pageTotal, row.total);
  const headers: Record<string, string> = {
    'Content-Range': range,
    'Content-Location': `/${table.name}${r.params.canonical ? `?${r.params.canonical}` : ''}`,
    ...baseHeaders(r, r.output),
  };
  const applied = preferenceApplied(countPreference(r.prefs));
  if (applied) headers['Preference-Applied'] = applied;
  if (status === 416) {
    const err = new PgrstError(416, {
      code: 'PGRST103', message: 'Requested range not satisfiable', hint: null,
      details: `An offset of ${topRange.lower} was requested, but there are only ${row.total ?? 0} rows.`,
    });
    const answer = errorAnswer(err);
    return { ...answer, headers: { ...answer.headers, 'Content-Range': range } };
  }
  return applyGucs({ status, headers, body: action.head ? '' : row.body }, row.responseStatus, row.responseHeaders);
}
