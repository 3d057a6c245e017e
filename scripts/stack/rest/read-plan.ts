// Turns the parsed select tree, filters, logic trees, orders and ranges into a tree of ReadNodes
// (PostgREST's Plan.hs readPlan): every relation found through a foreign key in the schema cache,
// every column checked, embeds named and aliased the way PostgREST names them.
import {
  aggregatesNotAllowed, ambiguousRelationship, noRelationship, notEmbedded, relatedOrderNotToOne,
  spreadNotToOne, unacceptableFilter, undefinedColumn,
} from './errors.ts';
import { closest } from './fuzzy.ts';
import type { Field, LogicTree, SelectItem } from './grammar.ts';
import { ALL_ROWS, type ReadNode, type ResolvedField, type ResolvedLogic, type ResolvedSelect, type RowRange } from './plan-types.ts';
import { restrictRange, type QueryParams } from './query-params.ts';
import { tableKey, type Relationship, type SchemaCache, type Table } from './schema-cache.ts';
import { qualified } from './sql.ts';

export interface RootSpec {
  table: Table;
  /** FROM item of the root: the table itself, or `pgrst_source` for mutation and RPC results. */
  fromSql: string;
  alias?: string;
}

export interface ReadPlanOptions {
  /** `max_rows` for reads; mutations are not capped. */
  maxRows?: number;
  topRange: RowRange;
}

export const isToOne = (rel: Relationship) => rel.cardinality === 'm2o' || rel.cardinality === 'o2o';

/**
 * A column of the node's relation, a computed field (a function of its row), or the legacy
 * `count` (`select=*,books(count)`, which Postgres evaluates as the aggregate `count(books)`).
 */
export function resolveField(node: ReadNode, f: Field): ResolvedField {
  const col = node.table.columns.get(f.name);
  const computed = col ? undefined : node.table.computed.get(f.name);
  const baseType = col?.baseType ?? computed?.baseType ?? (f.name === 'count' && f.json.length === 0 ? 'int8' : undefined);
  if (baseType === undefined) throw undefinedColumn(node.alias ?? node.table.name, f.name);
  const isJson = baseType === 'json' || baseType === 'jsonb';
  return { column: f.name, json: f.json, toJson: f.json.length > 0 && !isJson, isTsvector: baseType === 'tsvector' };
}

/** PostgREST's default output name for `data->a->>b` is the last key. */
function defaultAlias(f: Field): string | undefined {
  if (f.json.length === 0) return undefined;
  for (let i = f.json.length - 1; i >= 0; i--) {
    const operand = f.json[i].operand;
    if ('key' in operand) return operand.key;
  }
  return f.name;
}

// ---- relationships ------------------------------------------------------------------------------

function singleCol(rel: Relationship, side: 0 | 1): string | undefined {
  return rel.cardinality !== 'm2m' && rel.columns.length === 1 ? rel.columns[0][side] : undefined;
}

function describe(rel: Relationship) {
  const fmt = (cols: string[]) => `(${cols.join(', ')})`;
  const embedding = `${rel.table.name} with ${rel.foreignTable.name}`;
  if (rel.cardinality === 'm2m' && rel.junction) {
    const j = rel.junction;
    return {
      cardinality: 'many-to-many', embedding,
      relationship: `${j.table.name} using ${j.constraint1}${fmt(j.sourceColumns.map(([c]) => c))} and ${j.constraint2}${fmt(j.targetColumns.map(([c]) => c))}`,
    };
  }
  const names = { m2o: 'many-to-one', o2m: 'one-to-many', o2o: 'one-to-one', m2m: 'many-to-many' } as const;
  return {
    cardinality: names[rel.cardinality], embedding,
    relationship: `${rel.constraint} using ${rel.table.name}${fmt(rel.columns.map(([c]) => c))} and ${rel.foreignTable.name}${fmt(rel.columns.map(([, c]) => c))}`,
  };
}

/** PostgREST's findRel: a target names a table, a constraint or a column; a hint disambiguates. */
export function findRelationship(cache: SchemaCache, origin: Table, target: string, hint: string | undefined): Relationship {
  const rels = (cache.relationships.get(tableKey(origin.schema, origin.name)) ?? [])
    .filter((r) => r.foreignTable.schema === origin.schema);
  const matches = rels.filter((r) => {
    if (r.isSelf) {
      if (hint === undefined) {
        return (target === r.foreignTable.name && r.cardinality === 'o2m') || (target === singleCol(r, 0) && r.cardinality === 'm2o');
      }
      return target === r.foreignTable.name && r.cardinality === 'o2m' && hint === singleCol(r, 1);
    }
    if (hint === undefined) {
      return target === r.foreignTable.name
        || (r.cardinality !== 'm2m' && target === r.constraint)
        || target === singleCol(r, 0);
    }
    return target === r.foreignTable.name && (
      (r.cardinality !== 'm2m' && hint === r.constraint)
      || hint === singleCol(r, 0)
      || hint === singleCol(r, 1)
      || (r.cardinality === 'm2m' && hint === r.junction?.table.name));
  });
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    const hints = matches.map((r) => `'${r.foreignTable.name}!${r.cardinality === 'm2m' ? r.junction!.table.name : r.constraint}'`);
    throw ambiguousRelationship(origin.name, target, matches.map(describe), hints);
  }
  let suggestion: string | undefined;
  if (cache.relationships.has(tableKey(origin.schema, origin.name))) {
    const children = rels.map((r) => r.foreignTable.name);
    const best = children.includes(target) ? undefined : closest(target, children);
    if (best) suggestion = `Perhaps you meant '${best}' instead of '${target}'.`;
  } else {
    const parents = [...cache.relationships.keys()]
      .map((k) => cache.tables.get(k))
      .filter((t): t is Table => !!t && t.schema === origin.schema)
      .map((t) => t.name);
    const best = closest(origin.name, parents);
    if (best) suggestion = `Perhaps you meant '${best}' instead of '${origin.name}'.`;
  }
  throw noRelationship(origin.name, target, hint, origin.schema, suggestion);
}

// ---- building the tree --------------------------------------------------------------------------

function newNode(spec: Partial<ReadNode> & Pick<ReadNode, 'table' | 'fromSql' | 'relName' | 'aggAlias' | 'depth'>): ReadNode {
  return { spread: false, select: [], children: [], where: [], order: [], range: ALL_ROWS, ...spec };
}

function addSelect(cache: SchemaCache, node: ReadNode, items: SelectItem[]) {
  for (const item of items) {
    if (item.kind === 'field') {
      if (item.aggregate) throw aggregatesNotAllowed();
      if (item.field.name === '*' && item.field.json.length === 0) {
        node.select.push({ kind: 'star' });
        continue;
      }
      const field = resolveField(node, item.field);
      const alias = item.alias ?? defaultAlias(item.field);
      node.select.push({ kind: 'field', field, cast: item.cast, alias } satisfies ResolvedSelect);
      continue;
    }
    const rel = findRelationship(cache, node.table, item.name, item.hint);
    if (item.spread && !isToOne(rel)) throw spreadNotToOne(node.table.name, item.name);
    const depth = node.depth + 1;
    const child = newNode({
      table: rel.foreignTable,
      fromSql: qualified(rel.foreignTable.schema, rel.foreignTable.name),
      alias: `${rel.foreignTable.name}_${depth}`,
      relName: item.name,
      relAlias: item.alias,
      hint: item.hint,
      joinType: item.joinType,
      spread: item.spread,
      rel,
      aggAlias: `${rel.table.name}_${item.alias ?? item.name}_${depth}`,
      depth,
      parent: node,
    });
    addSelect(cache, child, item.children);
    node.children.push(child);
  }
}

function findNode(root: ReadNode, path: string[]): ReadNode {
  let node = root;
  for (const name of path) {
    const next = node.children.find((c) => c.relName === name || c.relAlias === name);
    if (!next) throw notEmbedded(name);
    node = next;
  }
  return node;
}

function resolveLogic(node: ReadNode, tree: LogicTree): ResolvedLogic {
  if (tree.kind === 'expr') {
    return { kind: 'expr', not: tree.not, op: tree.op, children: tree.children.map((c) => resolveLogic(node, c)) };
  }
  const { field, expr } = tree.filter;
  const child = field.json.length === 0 ? node.children.find((c) => (c.relAlias ?? c.relName) === field.name) : undefined;
  if (child) {
    if (expr.operation.kind === 'is' && expr.operation.value === 'null') return { kind: 'null-embed', child, not: expr.not };
    if (!node.table.columns.has(field.name)) throw unacceptableFilter(field.name);
  }
  return { kind: 'filter', field: resolveField(node, field), not: expr.not, operation: expr.operation };
}

export function buildReadPlan(cache: SchemaCache, root: RootSpec, params: QueryParams, opts: ReadPlanOptions): ReadNode {
  const rootNode = newNode({
    table: root.table, fromSql: root.fromSql, alias: root.alias, relName: root.table.name, aggAlias: '', depth: 0,
  });
  addSelect(cache, rootNode, params.select);

  for (const { path, filter } of params.filters) {
    const node = findNode(rootNode, path);
    node.where.push(resolveLogic(node, { kind: 'stmt', filter }));
  }
  for (const { path, tree } of params.logic) {
    const node = findNode(rootNode, path);
    node.where.push(resolveLogic(node, tree));
  }
  for (const { path, terms } of params.order) {
    const node = findNode(rootNode, path);
    node.order = terms.map((t) => {
      if (t.relation === undefined) return { field: resolveField(node, t.field), direction: t.direction, nulls: t.nulls };
      const child = node.children.find((c) => c.relName === t.relation || c.relAlias === t.relation);
      if (!child) throw notEmbedded(t.relation);
      if (!child.rel || !isToOne(child.rel)) throw relatedOrderNotToOne(node.table.name, t.relation);
      return { field: resolveField(child, t.field), child, direction: t.direction, nulls: t.nulls };
    });
  }
  for (const [key, range] of params.ranges) {
    if (key === '') continue;
    findNode(rootNode, key.split('.')).range = range;
  }
  rootNode.range = opts.topRange;

  if (opts.maxRows !== undefined) {
    const cap = (n: ReadNode) => {
      n.range = restrictRange(n.range, opts.maxRows);
      n.children.forEach(cap);
    };
    cap(rootNode);
  }
  return rootNode;
}

/** True when an embed selects nothing at any depth: it only filters (`books!inner()`). */
export function isEmptyEmbed(node: ReadNode): boolean {
  return node.select.length === 0 && node.children.every(isEmptyEmbed);
}
