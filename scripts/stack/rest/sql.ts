// SQL fragments in PostgREST's shapes (Query/SqlFragment.hs). Identifiers reaching this module have
// been checked against the schema cache and are always double-quoted; every value from the request
// is a bind parameter (sent untyped, so Postgres infers its type as it does for PostgREST).
import type { JsonOp } from './grammar.ts';
import type { ReadNode, ResolvedField, ResolvedLogic, ResolvedOperation, ResolvedOrder, RowRange } from './plan-types.ts';

export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function ident(name: string): string {
  // Postgres identifiers cannot hold NUL; PostgREST cuts them there too.
  const cut = name.includes('\u0000') ? name.slice(0, name.indexOf('\u0000')) : name;
  return `"${cut.replace(/"/g, '""')}"`;
}

export const qualified = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;

/** How columns of a node are referenced: its alias, or its qualified table name. */
export function nodeRef(node: ReadNode): string {
  return node.alias !== undefined ? ident(node.alias) : node.fromSql;
}

function jsonPathSql(path: JsonOp[], p: Params): string {
  return path.map((op) => ('key' in op.operand ? `${op.arrow}${p.add(op.operand.key)}` : `${op.arrow}${p.add(op.operand.index)}::int`)).join('');
}

export function fieldSql(ref: string, f: ResolvedField, p: Params): string {
  const col = `${ref}.${ident(f.column)}`;
  if (f.json.length === 0) return col;
  return `${f.toJson ? `to_jsonb(${col})` : col}${jsonPathSql(f.json, p)}`;
}

const QUANT_SQL = { eq: '=', gte: '>=', gt: '>', lte: '<=', lt: '<', like: 'like', ilike: 'ilike', match: '~', imatch: '~*' } as const;
const SIMPLE_SQL = { neq: '<>', cs: '@>', cd: '<@', ov: '&&', sl: '<<', sr: '>>', nxr: '&<', nxl: '&>', adj: '-|-' } as const;
const FTS_SQL = { fts: 'to_tsquery', plfts: 'plainto_tsquery', phfts: 'phraseto_tsquery', wfts: 'websearch_to_tsquery' } as const;
const IS_SQL = { null: 'NULL', not_null: 'NOT NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' } as const;

/** A Postgres array literal of the `in.(…)` values, every element quoted. */
export function arrayLiteral(values: string[]): string {
  const esc = (v: string) => `"${v.replace(/\u0000.*$/s, '').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `{${values.map(esc).join(',')}}`;
}

function operationSql(fieldText: string, f: ResolvedField, op: ResolvedOperation, p: Params): string {
  switch (op.kind) {
    case 'quant': {
      const value = op.op === 'like' || op.op === 'ilike' ? op.value.replace(/\*/g, '%') : op.value;
      const param = p.add(value);
      const rhs = op.quantifier === 'any' ? `ANY(${param})` : op.quantifier === 'all' ? `ALL(${param})` : param;
      return `${fieldText} ${QUANT_SQL[op.op]} ${rhs}`;
    }
    case 'simple':
      return `${fieldText} ${SIMPLE_SQL[op.op]} ${p.add(op.value)}`;
    case 'in':
      if (op.values.length === 1 && op.values[0] === '') return `${fieldText} = ANY('{}')`;
      return `${fieldText} = ANY (${p.add(arrayLiteral(op.values))})`;
    case 'is':
      return `${fieldText} IS ${IS_SQL[op.value]}`;
    case 'isdistinct':
      return `${fieldText} IS DISTINCT FROM ${p.add(op.value)}`;
    case 'fts': {
      // Every parameter must be used: an unused one has no type Postgres could infer.
      const lang = () => (op.language !== undefined ? `${p.add(op.language)}, ` : '');
      const target = f.isTsvector ? fieldText : `to_tsvector(${lang()}${fieldText})`;
      return `${target} @@ ${FTS_SQL[op.op]}(${lang()}${p.add(op.value)})`;
    }
  }
}

export function logicSql(ref: string, tree: ResolvedLogic, p: Params): string {
  switch (tree.kind) {
    case 'expr': {
      const inner = tree.children.map((c) => logicSql(ref, c, p)).join(tree.op === 'and' ? ' AND ' : ' OR ');
      return `${tree.not ? 'NOT ' : ''}(${inner})`;
    }
    case 'filter': {
      const fieldText = fieldSql(ref, tree.field, p);
      return `${tree.not ? 'NOT ' : ''}${operationSql(fieldText, tree.field, tree.operation, p)}`;
    }
    case 'null-embed':
      return `${ident(tree.child.aggAlias)} IS ${tree.not ? '' : 'NOT '}DISTINCT FROM NULL`;
  }
}

export function orderSql(ref: string, terms: ResolvedOrder[], p: Params): string {
  if (terms.length === 0) return '';
  const parts = terms.map((t) => {
    const field = fieldSql(t.child ? ident(t.child.aggAlias) : ref, t.field, p);
    const dir = t.direction === 'asc' ? ' ASC' : t.direction === 'desc' ? ' DESC' : '';
    const nulls = t.nulls === 'first' ? ' NULLS FIRST' : t.nulls === 'last' ? ' NULLS LAST' : '';
    return `${field}${dir}${nulls}`;
  });
  return ` ORDER BY ${parts.join(', ')}`;
}

export function limitSql(range: RowRange, p: Params): string {
  if (range.lower === 0 && range.upper === null) return '';
  const limit = range.upper === null ? 'ALL' : p.add(String(range.upper - range.lower + 1));
  return ` LIMIT ${limit} OFFSET ${p.add(String(range.lower))}`;
}
