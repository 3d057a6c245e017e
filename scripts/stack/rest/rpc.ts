// Calling functions (`/rpc/NAME`): overloads are resolved by argument names as PostgREST's findProc
// does, and the call is built like callPlanToQuery: named arguments, each a bind parameter cast
// to the parameter's declared type, or the JSON body expanded with json_to_record.
import { ambiguousFunction, noFunction } from './errors.ts';
import { jsonBodyFrom, type JsonBody } from './mutate-sql.ts';
import type { Column, Routine, RoutineParam, SchemaCache, Table } from './schema-cache.ts';
import { tableKey } from './schema-cache.ts';
import { ident, qualified, type Params } from './sql.ts';

export type CallArgs =
  | { kind: 'query'; values: Map<string, string[]> }
  | { kind: 'json'; body: JsonBody }
  /** The whole body passed to a function's single unnamed json/jsonb parameter. */
  | { kind: 'single'; raw: string };

/** The type of single unnamed parameter that takes the whole body of each content type. */
const SINGLE_PARAM_TYPES: Record<string, string[]> = {
  'application/json': ['json', 'jsonb'],
  'text/plain': ['text'],
  'text/xml': ['xml'],
};
const RAW_CONTENT = new Set(['text/plain', 'text/xml', 'application/octet-stream']);

function matchesParams(r: Routine, keys: Set<string>, postMime: string | undefined): boolean {
  if (r.params.length === 0) return keys.size === 0 && !(postMime && RAW_CONTENT.has(postMime));
  const required = r.params.filter((p) => p.required).map((p) => p.name);
  const optional = new Set(r.params.filter((p) => !p.required).map((p) => p.name));
  if (!required.every((n) => keys.has(n))) return false;
  for (const k of keys) if (!required.includes(k) && !optional.has(k)) return false;
  return true;
}

function hasSingleUnnamed(r: Routine, postMime: string | undefined): boolean {
  return postMime !== undefined && r.params.length === 1 && r.params[0].name === ''
    && (SINGLE_PARAM_TYPES[postMime] ?? []).includes(r.params[0].type);
}

/**
 * PostgREST's findProc: overloads match when the given names cover the required parameters and
 * are all known; a POST body may instead go whole to a single unnamed parameter of its type.
 * `postMime` is the body's content type for POST, undefined for GET/HEAD.
 */
export function findRoutine(cache: SchemaCache, schema: string, name: string, keys: Set<string>, postMime: string | undefined): Routine {
  const candidates = cache.routines.get(tableKey(schema, name)) ?? [];
  const exact = candidates.filter((r) => r.params.every((p) => p.name !== '') && matchesParams(r, keys, postMime));
  const single = candidates.filter((r) => hasSingleUnnamed(r, postMime));
  const chosen = exact.length ? exact : single;
  if (chosen.length === 1) return chosen[0];
  if (chosen.length > 1) {
    throw ambiguousFunction(chosen.map((r) => `${r.schema}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`));
  }
  const functionsInSchema = [...cache.routines.values()].flat().filter((r) => r.schema === schema).map((r) => r.name);
  throw noFunction({
    schema, name, keys: [...keys], postMime, functionsInSchema,
    overloadParamLists: candidates.map((r) => r.params.map((p) => p.name)),
  });
}

/** The relation a function's results are read as: its returned table, or a stand-in with its columns. */
export function resultTable(r: Routine): Table {
  if (r.returnTable) return r.returnTable;
  const columnList: Column[] = r.returnColumns.map((name) => ({ name, type: 'unknown', baseType: 'unknown', nullable: true, default: null, generated: false }));
  return { schema: r.schema, name: r.name, isView: false, columns: new Map(columnList.map((c) => [c.name, c])), columnList, pk: [], computed: new Map() };
}

function paramColumns(params: RoutineParam[]): Column[] {
  return params.map((p) => ({ name: p.name, type: p.type, baseType: p.type, nullable: true, default: null, generated: false }));
}

/** The SELECT producing the function's rows as `pgrst_source` (scalars in column `pgrst_scalar`). */
export function callSql(r: Routine, args: CallArgs, p: Params): string {
  const fn = qualified(r.schema, r.name);
  const scalar = !r.returnsComposite;
  const call = (argsSql: string, lateral: boolean) => {
    if (scalar) return `${lateral ? 'LATERAL ' : ''}(SELECT ${fn}(${argsSql}) pgrst_scalar) pgrst_call`;
    return `${lateral ? 'LATERAL ' : ''}${fn}(${argsSql}) pgrst_call`;
  };
  const selected = scalar ? 'pgrst_call.pgrst_scalar' : 'pgrst_call.*';

  if (args.kind === 'single') {
    return `SELECT ${selected} FROM ${call(`${p.add(args.raw)}::${r.params[0].type}`, false)}`;
  }
  if (args.kind === 'query') {
    const given = r.params.filter((prm) => args.values.has(prm.name));
    const argsSql = given.map((prm) => {
      const values = args.values.get(prm.name)!;
      if (prm.variadic) {
        // Repeated query parameters make the variadic array (`?v=1&v=2`).
        return `VARIADIC ${ident(prm.name)} := ${p.add(values.length === 1 && /^\{.*\}$/s.test(values[0]) ? values[0] : toArrayLiteral(values))}::${prm.type}`;
      }
      return `${ident(prm.name)} := ${p.add(values[values.length - 1])}::${prm.type}`;
    }).join(', ');
    return `SELECT ${selected} FROM ${call(argsSql, false)}`;
  }
  const keys = new Set(jsonKeys(args.body));
  const given = r.params.filter((prm) => keys.has(prm.name));
  if (given.length === 0) return `SELECT ${selected} FROM ${call('', false)}`;
  const argsSql = given.map((prm) => `${prm.variadic ? 'VARIADIC ' : ''}${ident(prm.name)} := pgrst_body.${ident(prm.name)}`).join(', ');
  return `SELECT ${selected} ${jsonBodyFrom(paramColumns(given), args.body, p, { limitOne: true })}, ${call(argsSql, true)}`;
}

function toArrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** Top-level keys of a JSON object body, or of the first object of an array body. */
export function jsonKeys(body: JsonBody): string[] {
  const value = JSON.parse(body.raw);
  if (Array.isArray(value)) return value[0] && typeof value[0] === 'object' && !Array.isArray(value[0]) ? Object.keys(value[0]) : [];
  return value && typeof value === 'object' ? Object.keys(value) : [];
}
