// What a request resolves to once every name in it has been checked against the schema cache.
// Only these resolved shapes reach the SQL builder.
import type { IsValue, JsonOp, FtsOperator, QuantOperator, SimpleOperator } from './grammar.ts';
import type { Relationship, Table } from './schema-cache.ts';

/** A column reference (with an optional JSON path) known to exist in its relation. */
export interface ResolvedField {
  column: string;
  json: JsonOp[];
  /** Non-JSON columns reached with a JSON path are wrapped in to_jsonb(), as PostgREST does. */
  toJson: boolean;
  /** For full-text operators on columns that are not tsvector: wrap in to_tsvector(). */
  isTsvector: boolean;
}

export type ResolvedSelect =
  | { kind: 'star' }
  | { kind: 'field'; field: ResolvedField; cast?: string; alias?: string };

export type ResolvedOperation =
  | { kind: 'quant'; op: QuantOperator; quantifier?: 'any' | 'all'; value: string }
  | { kind: 'simple'; op: SimpleOperator; value: string }
  | { kind: 'in'; values: string[] }
  | { kind: 'is'; value: IsValue }
  | { kind: 'isdistinct'; value: string }
  | { kind: 'fts'; op: FtsOperator; language?: string; value: string };

export type ResolvedLogic =
  | { kind: 'expr'; not: boolean; op: 'and' | 'or'; children: ResolvedLogic[] }
  | { kind: 'filter'; field: ResolvedField; not: boolean; operation: ResolvedOperation }
  /** `books=is.null` / `books=not.is.null` on an embedded resource. */
  | { kind: 'null-embed'; child: ReadNode; not: boolean };

export interface ResolvedOrder {
  field: ResolvedField;
  /** Set when ordering by a column of an embedded to-one resource. */
  child?: ReadNode;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

/** Inclusive row range; `upper` null means unbounded. */
export interface RowRange { lower: number; upper: number | null }
export const ALL_ROWS: RowRange = { lower: 0, upper: null };

export interface ReadNode {
  /** The relation read; for RPC results, a stand-in built from the function's return columns. */
  table: Table;
  /** SQL of the FROM item (a qualified table, or `pgrst_source` for mutation/RPC results). */
  fromSql: string;
  /** The alias the relation gets in SQL, if any. */
  alias?: string;
  relName: string;
  relAlias?: string;
  hint?: string;
  joinType?: 'inner' | 'left';
  spread: boolean;
  rel?: Relationship;
  aggAlias: string;
  depth: number;
  select: ResolvedSelect[];
  children: ReadNode[];
  where: ResolvedLogic[];
  order: ResolvedOrder[];
  range: RowRange;
  parent?: ReadNode;
}
