// /rpc/NAME: the function chosen by its argument names, called with bind parameters (GET/HEAD
// read-only; POST read-only unless the function is volatile), its rows read like a table.
import { preferenceApplied } from './preferences.ts';
import { topLevelRange } from './query-params.ts';
import { buildReadPlan } from './read-plan.ts';
import { parsePayload, type ParsedBody } from './payload.ts';
import { contentMimeOf, readRequestBody, type Action } from './request.ts';
import { applyGucs, rangeStatus, type Answer } from './response.ts';
import { callSql, findRoutine, resultTable, type CallArgs } from './rpc.ts';
import type { SchemaCache } from './schema-cache.ts';
import { Params } from './sql.ts';
import { callStatement } from './statement.ts';
import {
  baseHeaders, countPreference, failNotSingular, header, runStatement, transaction, withFreshCache, type RestRequest,
} from './context.ts';

const RAW_BODY_TYPES = new Set(['text/plain', 'text/xml']);

export async function call(r: RestRequest, action: Extract<Action, { kind: 'call' }>, cache: SchemaCache): Promise<Answer> {
  const isPost = action.method === 'POST';
  const mime = contentMimeOf(r.req);
  let body: ParsedBody | undefined;
  if (isPost) {
    const text = await readRequestBody(r.req, r.deps.config.maxBodyBytes);
    // text/plain and text/xml bodies go whole to a function's single unnamed text/xml parameter.
    body = RAW_BODY_TYPES.has(mime) ? { raw: text, value: text, isObject: false, keys: [] }
      : parsePayload(text, mime, { emptyAsObject: true, columnsGiven: r.params.columns !== undefined });
  }
  const queryArgs = new Map<string, string[]>();
  for (const [k, v] of r.params.rpcArgs) queryArgs.set(k, [...(queryArgs.get(k) ?? []), v]);
  const keys = new Set(isPost ? r.params.columns ?? body!.keys : queryArgs.keys());
  const topRange = topLevelRange(r.params, action.method === 'GET' ? header(r.req, 'range') : undefined);

  const { routine, node } = await withFreshCache(r, cache, (c) => {
    const routine = findRoutine(c, r.schema, action.fn, keys, isPost ? mime : undefined);
    const table = resultTable(routine);
    const node = buildReadPlan(c, { table, fromSql: 'pgrst_source', alias: table.name }, r.params, { maxRows: r.maxRows, topRange });
    return { routine, node };
  });
  const singleUnnamed = routine.params.length === 1 && routine.params[0].name === '';
  const args: CallArgs = !isPost ? { kind: 'query', values: queryArgs }
    : singleUnnamed ? { kind: 'single', raw: body!.raw }
      : { kind: 'json', body: body! };
  const readOnly = !isPost || routine.volatility !== 'volatile';
  const shape = { output: r.output, scalar: !routine.returnsComposite, single: !routine.returnsSet, none: action.method === 'HEAD' };
  const count = r.prefs.count;

  const row = await transaction(r, cache, readOnly, async (client) => {
    const p = new Params();
    const sql = callStatement({ call: callSql(routine, args, p), node, shape, count: count === 'planned' ? undefined : count, p, maxRows: r.maxRows });
    const result = await runStatement(client, sql, p);
    failNotSingular(r.output, result);
    return result;
  });
  const { status, contentRange: range } = rangeStatus(topRange.lower, row.pageTotal, row.total);
  const headers: Record<string, string> = { 'Content-Range': range };
  const applied = preferenceApplied(countPreference(r.prefs));
  if (applied) headers['Preference-Applied'] = applied;
  if (routine.returnsVoid) return applyGucs({ status: 204, headers }, row.responseStatus, row.responseHeaders);
  Object.assign(headers, baseHeaders(r, r.output));
  return applyGucs({ status, headers, body: action.method === 'HEAD' ? '' : row.body }, row.responseStatus, row.responseHeaders);
}
