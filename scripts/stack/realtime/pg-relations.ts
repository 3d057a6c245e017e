// What Postgres Changes needs to know about a replicated table, loaded once per relation (and
// again when pgoutput announces a new version of it): column types, primary key, whether RLS is
// on, whether it is in the supabase_realtime publication, and which columns each role may read.
import type pg from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import type { ColumnType } from './pg-values.ts';

export interface RelationColumn {
  name: string;
  type: ColumnType;
  /** format_type(): how to cast a literal to this column's type in SQL. */
  sqlType: string;
  isPk: boolean;
}

export interface RelationInfo {
  oid: number;
  schema: string;
  table: string;
  columns: RelationColumn[];
  types: Map<string, ColumnType>;
  pk: string[];
  rlsEnabled: boolean;
  published: boolean;
}

const CHANGES_PUBLICATION = 'supabase_realtime';

interface ColumnRow {
  name: string; sql_type: string; typname: string; category: string; elem_typname: string | null; elem_category: string | null; pk: boolean;
}

export class RelationCatalog {
  private readonly relations = new Map<number, Promise<RelationInfo | null>>();
  private readonly privileges = new Map<string, Promise<Set<string>>>();

  constructor(private readonly pool: pg.Pool) {}

  /** pgoutput sent a (new) description of a relation: forget what we knew about it. */
  onRelation(rel: Pgoutput.MessageRelation): void {
    this.relations.delete(rel.relationOid);
    for (const key of [...this.privileges.keys()]) if (key.startsWith(`${rel.relationOid}:`)) this.privileges.delete(key);
  }

  get(oid: number): Promise<RelationInfo | null> {
    let info = this.relations.get(oid);
    if (!info) {
      info = this.load(oid);
      this.relations.set(oid, info);
      // A failed load (database restarting) is retried next time rather than cached.
      info.catch(() => this.relations.delete(oid));
    }
    return info;
  }

  private async load(oid: number): Promise<RelationInfo | null> {
    const { rows } = await this.pool.query<{ schema: string; table: string; rls: boolean; published: boolean; columns: ColumnRow[] }>(
      `select n.nspname as schema, c.relname as table, c.relrowsecurity as rls,
         exists(select 1 from pg_publication_tables p where p.pubname = $2 and p.schemaname = n.nspname and p.tablename = c.relname) as published,
         coalesce((select json_agg(json_build_object(
             'name', a.attname, 'sql_type', format_type(a.atttypid, a.atttypmod), 'typname', t.typname,
             'category', t.typcategory, 'elem_typname', et.typname, 'elem_category', et.typcategory,
             'pk', coalesce(a.attnum = any(i.indkey), false)) order by a.attnum)
           from pg_attribute a
           join pg_type t on t.oid = a.atttypid
           left join pg_type et on et.oid = t.typelem and t.typcategory = 'A'
           left join pg_index i on i.indrelid = c.oid and i.indisprimary
           where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = $1`,
      [oid, CHANGES_PUBLICATION],
    );
    if (!rows.length) return null;
    const row = rows[0];
    const columns: RelationColumn[] = row.columns.map((c) => ({
      name: c.name,
      sqlType: c.sql_type,
      isPk: c.pk,
      type: {
        name: c.typname, category: c.category,
        ...(c.elem_typname ? { element: { name: c.elem_typname, category: c.elem_category ?? 'S' } } : {}),
      },
    }));
    return {
      oid, schema: row.schema, table: row.table, columns, rlsEnabled: row.rls, published: row.published,
      types: new Map(columns.map((c) => [c.name, c.type])),
      pk: columns.filter((c) => c.isPk).map((c) => c.name),
    };
  }

  /** Columns `role` may SELECT (Supabase leaves the others out of records and `columns`). */
  selectable(oid: number, role: string): Promise<Set<string>> {
    const key = `${oid}:${role}`;
    let cols = this.privileges.get(key);
    if (!cols) {
      cols = this.pool.query<{ attname: string }>(
        `select attname from pg_attribute where attrelid = $1 and attnum > 0 and not attisdropped
           and has_column_privilege($2, $1::oid, attname, 'SELECT')`,
        [oid, role],
      ).then((r) => new Set(r.rows.map((x) => x.attname)));
      this.privileges.set(key, cols);
      cols.catch(() => this.privileges.delete(key));
    }
    return cols;
  }

  /** Published tables matching a binding (for its check at subscribe time); `*` matches all. */
  async publishedTables(schema: string, table: string): Promise<Array<{ schema: string; table: string; oid: number }>> {
    const { rows } = await this.pool.query<{ schema: string; table: string; oid: number }>(
      `select p.schemaname as schema, p.tablename as table, format('%I.%I', p.schemaname, p.tablename)::regclass::oid as oid
         from pg_publication_tables p
        where p.pubname = $1 and ($2 = '*' or p.schemaname = $2) and ($3 = '*' or p.tablename = $3)`,
      [CHANGES_PUBLICATION, schema, table],
    );
    return rows;
  }
}
