// The schema cache: what /rest/v1 knows about the exposed schemas, read from pg_catalog the way
// PostgREST builds its own (tables, views, columns, keys, foreign keys, functions, role settings).
// Every identifier a request names is checked against it before any SQL is built.
import type pg from 'pg';

export interface Column {
  name: string;
  /** format_type() of the column, e.g. `character varying(20)`, `text[]`, `emily_test_fixture.mood`. */
  type: string;
  /** Name of the underlying base type (domains resolved), e.g. `jsonb`, `tsvector`, `_text`. */
  baseType: string;
  nullable: boolean;
  /** SQL text of the default expression (from the catalog, trusted), or null. */
  default: string | null;
  generated: boolean;
}

export interface Table {
  schema: string;
  name: string;
  isView: boolean;
  columns: Map<string, Column>;
  columnList: Column[];
  pk: string[];
  /**
   * Computed fields: functions of the exposed schemas whose first argument is this table's row
   * (`create function full_name(authors) returns text`). `select=full_name` becomes
   * `"authors"."full_name"`, which Postgres evaluates as `full_name("authors")`.
   */
  computed: Map<string, { returnType: string; baseType: string }>;
}

export type Cardinality = 'm2o' | 'o2m' | 'o2o' | 'm2m';

export interface Junction {
  table: Table;
  constraint1: string;
  constraint2: string;
  /** (junction column, origin column) pairs. */
  sourceColumns: Array<[string, string]>;
  /** (junction column, target column) pairs. */
  targetColumns: Array<[string, string]>;
}

export interface Relationship {
  table: Table;
  foreignTable: Table;
  isSelf: boolean;
  cardinality: Cardinality;
  /** Constraint name (for m2m, the junction table's name is used by hints). */
  constraint: string;
  /** (column of `table`, column of `foreignTable`) pairs; empty for m2m. */
  columns: Array<[string, string]>;
  junction?: Junction;
}

export interface RoutineParam {
  name: string;
  type: string;
  required: boolean;
  variadic: boolean;
}

export interface Routine {
  schema: string;
  name: string;
  params: RoutineParam[];
  returnType: string;
  returnsSet: boolean;
  /** Returns rows with named columns (a table/composite type, RETURNS TABLE, OUT parameters). */
  returnsComposite: boolean;
  returnsVoid: boolean;
  /** Column names of each returned row, when composite. */
  returnColumns: string[];
  /** The exposed table whose row type is returned (lets results embed related tables). */
  returnTable?: Table;
  volatility: 'immutable' | 'stable' | 'volatile';
}

export interface SchemaCache {
  schemas: string[];
  tables: Map<string, Table>;
  /** Relationships keyed by the origin table's key. */
  relationships: Map<string, Relationship[]>;
  routines: Map<string, Routine[]>;
  /** Settings a role carries (`alter role … set`), applied per request like PostgREST does. */
  roleSettings: Map<string, Record<string, string>>;
  loadedAt: number;
}

export const tableKey = (schema: string, name: string) => `${schema}\u0000${name}`;

const COLUMNS_SQL = `
select c.oid::int8 as relid, n.nspname as schema, c.relname as name, c.relkind in ('v', 'm') as is_view,
  a.attname as column, a.attnum as position,
  format_type(a.atttypid, a.atttypmod) as type,
  coalesce(bt.typname, t.typname) as base_type,
  not (a.attnotnull or (t.typtype = 'd' and t.typnotnull)) as nullable,
  case
    when a.attgenerated = 's' then null
    when a.attidentity = 'd' then format('nextval(%L)', pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname))
    when t.typbasetype <> 0 and ad.adbin is null then pg_get_expr(t.typdefaultbin, 0)
    else pg_get_expr(ad.adbin, ad.adrelid)
  end as default,
  a.attgenerated = 's' or a.attidentity = 'a' as generated
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
left join pg_type t on t.oid = a.atttypid
left join pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
left join pg_attrdef ad on ad.adrelid = c.oid and ad.adnum = a.attnum
where c.relkind in ('r', 'v', 'm', 'f', 'p') and n.nspname = any($1::text[])
order by c.oid, a.attnum`;

const KEYS_SQL = `
select con.conname as name, con.contype as type, con.conrelid::int8 as relid, con.confrelid::int8 as frelid,
  array(select a.attname from unnest(con.conkey) with ordinality k(n, i)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i)::text[] as cols,
  array(select a.attname from unnest(coalesce(con.confkey, '{}')) with ordinality k(n, i)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i)::text[] as fcols
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
where con.contype in ('p', 'u', 'f') and n.nspname = any($1::text[])
order by con.conname`;

const ROUTINES_SQL = `
select n.nspname as schema, p.proname as name, p.provolatile as volatility, p.proretset as returns_set,
  format_type(p.prorettype, null) as return_type, rt.typtype as return_typtype,
  rt.typrelid::int8 as return_relid, p.prorettype = 'pg_catalog.void'::regtype as returns_void,
  p.pronargs as nargs, p.pronargdefaults as ndefaults, p.provariadic <> 0 as variadic,
  coalesce(p.proargnames, '{}')::text[] as arg_names,
  coalesce(p.proargmodes::text[], '{}')::text[] as arg_modes,
  array(select format_type(t, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(t, i) order by i)::text[] as arg_types,
  (select ft.typrelid from pg_type ft where ft.oid = p.proargtypes[0])::int8 as first_arg_relid,
  rt.typname as return_typname,
  case when rt.typrelid <> 0 then array(
    select a.attname from pg_attribute a where a.attrelid = rt.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum
  ) end::text[] as return_columns
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_type rt on rt.oid = p.prorettype
where n.nspname = any($1::text[]) and p.prokind = 'f'
order by p.oid`;

const ROLE_SETTINGS_SQL = `
select r.rolname as role, s.setdatabase <> 0 as per_db, s.setconfig as config
from pg_db_role_setting s
join pg_roles r on r.oid = s.setrole
where r.rolname = any($1::text[])
  and s.setdatabase in (0, (select oid from pg_database where datname = current_database()))
order by per_db`;

const USER_SETTINGS_SQL = `select name from pg_settings where context = 'user'`;

const API_ROLE_NAMES = ['anon', 'authenticated', 'service_role'];

export async function loadSchemaCache(client: pg.ClientBase, schemas: string[]): Promise<SchemaCache> {
  // One snapshot of the catalog for all the queries.
  await client.query('begin isolation level repeatable read read only');
  const colRes = await client.query(COLUMNS_SQL, [schemas]);
  const keyRes = await client.query(KEYS_SQL, [schemas]);
  const fnRes = await client.query(ROUTINES_SQL, [schemas]);
  const roleRes = await client.query(ROLE_SETTINGS_SQL, [API_ROLE_NAMES]);
  const userSettingsRes = await client.query(USER_SETTINGS_SQL);
  await client.query('commit');

  const tables = new Map<string, Table>();
  const byOid = new Map<string, Table>();
  for (const row of colRes.rows) {
    let table = byOid.get(row.relid);
    if (!table) {
      table = { schema: row.schema, name: row.name, isView: row.is_view, columns: new Map(), columnList: [], pk: [], computed: new Map() };
      byOid.set(row.relid, table);
      tables.set(tableKey(row.schema, row.name), table);
    }
    if (row.column === null) continue;
    const column: Column = {
      name: row.column, type: row.type, baseType: row.base_type, nullable: row.nullable,
      default: row.default, generated: row.generated,
    };
    table.columns.set(column.name, column);
    table.columnList.push(column);
  }

  const uniqueKeys = new Map<Table, string[][]>();
  const m2o: Relationship[] = [];
  for (const row of keyRes.rows) {
    const table = byOid.get(row.relid);
    if (!table) continue;
    if (row.type === 'p') table.pk = [...row.cols].sort();
    if (row.type === 'p' || row.type === 'u') {
      uniqueKeys.set(table, [...(uniqueKeys.get(table) ?? []), row.cols]);
    }
  }
  for (const row of keyRes.rows) {
    if (row.type !== 'f') continue;
    const table = byOid.get(row.relid);
    const foreign = byOid.get(row.frelid);
    // Both ends must be exposed: a key into an unexposed schema (auth.users) is not embeddable.
    if (!table || !foreign) continue;
    const cols: string[] = row.cols;
    const isUnique = (uniqueKeys.get(table) ?? []).some((k) => k.length === cols.length && k.every((c) => cols.includes(c)));
    m2o.push({
      table, foreignTable: foreign, isSelf: table === foreign, cardinality: isUnique ? 'o2o' : 'm2o',
      constraint: row.name, columns: cols.map((c, i) => [c, row.fcols[i]]),
    });
  }

  const relationships: Relationship[] = [...m2o];
  // Many-to-many through a junction whose two foreign keys are part of its primary key.
  for (const r1 of m2o) {
    for (const r2 of m2o) {
      if (r1.table !== r2.table || r1.constraint === r2.constraint) continue;
      if (r1.cardinality !== 'm2o' || r2.cardinality !== 'm2o') continue;
      const junction = r1.table;
      const jtCols = [...r1.columns.map(([c]) => c), ...r2.columns.map(([c]) => c)];
      if (!jtCols.every((c) => junction.pk.includes(c))) continue;
      relationships.push({
        table: r1.foreignTable, foreignTable: r2.foreignTable, isSelf: r1.foreignTable === r2.foreignTable,
        cardinality: 'm2m', constraint: junction.name, columns: [],
        junction: {
          table: junction, constraint1: r1.constraint, constraint2: r2.constraint,
          sourceColumns: r1.columns.map(([jc, tc]) => [jc, tc]),
          targetColumns: r2.columns.map(([jc, fc]) => [jc, fc]),
        },
      });
    }
  }
  // The inverse of every key: one-to-many (or one-to-one) from the referenced table.
  for (const r of m2o) {
    relationships.push({
      table: r.foreignTable, foreignTable: r.table, isSelf: r.isSelf,
      cardinality: r.cardinality === 'o2o' ? 'o2o' : 'o2m', constraint: r.constraint,
      columns: r.columns.map(([a, b]) => [b, a]),
    });
  }
  const relMap = new Map<string, Relationship[]>();
  for (const r of relationships) {
    const key = tableKey(r.table.schema, r.table.name);
    relMap.set(key, [...(relMap.get(key) ?? []), r]);
  }

  const routines = new Map<string, Routine[]>();
  for (const row of fnRes.rows) {
    const rowOf = row.first_arg_relid ? byOid.get(row.first_arg_relid) : undefined;
    // Computed field: one argument (the row) without a default, not returning a set.
    if (rowOf && row.nargs - row.ndefaults === 1 && !row.returns_set && !row.returns_void && rowOf.schema === row.schema) {
      rowOf.computed.set(row.name, { returnType: row.return_type, baseType: row.return_typname });
    }
    const routine = toRoutine(row, byOid);
    if (!routine) continue;
    const key = tableKey(routine.schema, routine.name);
    routines.set(key, [...(routines.get(key) ?? []), routine]);
  }

  const userSettings = new Set<string>(userSettingsRes.rows.map((r) => r.name));
  const roleSettings = new Map<string, Record<string, string>>();
  for (const row of roleRes.rows) {
    const settings = roleSettings.get(row.role) ?? {};
    for (const entry of (row.config ?? []) as string[]) {
      const eq = entry.indexOf('=');
      if (eq <= 0) continue;
      const name = entry.slice(0, eq);
      if (userSettings.has(name)) settings[name] = entry.slice(eq + 1);
    }
    roleSettings.set(row.role, settings);
  }

  return { schemas, tables, relationships: relMap, routines, roleSettings, loadedAt: Date.now() };
}

function toRoutine(row: Record<string, any>, byOid: Map<string, Table>): Routine | undefined {
  const names: string[] = row.arg_names;
  const modes: string[] = row.arg_modes;
  const types: string[] = row.arg_types;
  const params: RoutineParam[] = [];
  const outColumns: string[] = [];
  for (let i = 0; i < types.length; i++) {
    const mode = modes[i] ?? 'i';
    const name = names[i] ?? '';
    if (mode === 'o' || mode === 't' || mode === 'b') outColumns.push(name);
    if (mode === 'i' || mode === 'b' || mode === 'v') params.push({ name, type: types[i], required: true, variadic: mode === 'v' });
  }
  // The last `pronargdefaults` input parameters have defaults.
  for (let i = params.length - row.ndefaults; i < params.length; i++) if (i >= 0) params[i].required = false;
  const unnamed = params.filter((p) => !p.name);
  const singleUnnamed = params.length === 1 && unnamed.length === 1 && ['json', 'jsonb', 'text', 'xml', 'bytea'].includes(params[0].type);
  // PostgREST calls functions with named arguments only; others cannot be reached.
  if (unnamed.length > 0 && !singleUnnamed) return undefined;
  const isRecord = row.return_type === 'record';
  // RETURNS TABLE (even of one column) yields objects; a single OUT parameter yields its scalar.
  const returnsComposite = row.return_typtype === 'c' || (isRecord && outColumns.length > 0) || modes.includes('t');
  if (isRecord && outColumns.length === 0) return undefined;
  const returnColumns: string[] = row.return_typtype === 'c' ? (row.return_columns ?? []) : returnsComposite ? outColumns : [];
  return {
    schema: row.schema, name: row.name, params,
    returnType: row.return_type, returnsSet: row.returns_set, returnsComposite,
    returnsVoid: row.returns_void, returnColumns,
    returnTable: row.return_typtype === 'c' ? byOid.get(row.return_relid) : undefined,
    volatility: row.volatility === 'i' ? 'immutable' : row.volatility === 's' ? 'stable' : 'volatile',
  };
}
