// The SELECT of a read plan (PostgREST's readPlanToQuery / readPlanToCountQuery): embeds are
// LATERAL subqueries, to-one ones as `row_to_json(…)::jsonb`, to-many ones as `json_agg(…)::jsonb`,
// so the JSON Postgres produces is byte-for-byte the shape PostgREST answers with.
import type { ReadNode, ResolvedLogic, ResolvedSelect } from './plan-types.ts';
import { isEmptyEmbed, isToOne } from './read-plan.ts';
import { fieldSql, ident, limitSql, logicSql, nodeRef, orderSql, qualified, type Params } from './sql.ts';

function selectItemSql(ref: string, item: ResolvedSelect, p: Params): string {
  if (item.kind === 'star') return `${ref}.*`;
  let text = fieldSql(ref, item.field, p);
  if (item.cast) text = `CAST( ${text} AS ${item.cast} )`;
  return item.alias !== undefined ? `${text} AS ${ident(item.alias)}` : text;
}

/** The output names a node's subquery produces (what a spread lifts into its parent). */
function outputNames(node: ReadNode): string[] {
  const names: string[] = [];
  for (const s of node.select) names.push(s.kind === 'star' ? '*' : s.alias ?? s.field.column);
  for (const c of node.children) {
    if (isEmptyEmbed(c)) continue;
    if (c.spread) names.push(...outputNames(c));
    else names.push(c.relAlias ?? c.relName);
  }
  return names;
}

function joinSelects(node: ReadNode): string[] {
  const out: string[] = [];
  for (const child of node.children) {
    if (isEmptyEmbed(child)) continue;
    const agg = ident(child.aggAlias);
    const name = ident(child.relAlias ?? child.relName);
    if (child.spread) {
      for (const n of outputNames(child)) out.push(n === '*' ? `${agg}.*` : `${agg}.${ident(n)}`);
    } else if (isToOne(child.rel!)) {
      out.push(`row_to_json(${agg}.*)::jsonb AS ${name}`);
    } else {
      out.push(`COALESCE( ${agg}.${agg}, '[]') AS ${name}`);
    }
  }
  return out;
}

/** Conditions tying an embedded node to its parent row. */
function joinConditions(node: ReadNode): string[] {
  const rel = node.rel;
  if (!rel || !node.parent) return [];
  const childRef = nodeRef(node);
  const parentRef = nodeRef(node.parent);
  if (rel.cardinality === 'm2m' && rel.junction) {
    const j = qualified(rel.junction.table.schema, rel.junction.table.name);
    return [
      ...rel.junction.targetColumns.map(([jc, fc]) => `${childRef}.${ident(fc)} = ${j}.${ident(jc)}`),
      ...rel.junction.sourceColumns.map(([jc, tc]) => `${j}.${ident(jc)} = ${parentRef}.${ident(tc)}`),
    ];
  }
  return rel.columns.map(([parentCol, childCol]) => `${childRef}.${ident(childCol)} = ${parentRef}.${ident(parentCol)}`);
}

function fromSql(node: ReadNode): string {
  const alias = node.alias !== undefined ? ` AS ${ident(node.alias)}` : '';
  const junction = node.rel?.cardinality === 'm2m' && node.rel.junction
    ? `, ${qualified(node.rel.junction.table.schema, node.rel.junction.table.name)}` : '';
  return ` FROM ${node.fromSql}${alias}${junction}`;
}

function joinsSql(node: ReadNode, p: Params): string {
  let out = '';
  for (const child of node.children) {
    const agg = ident(child.aggAlias);
    const kind = child.joinType === 'inner' ? 'INNER' : 'LEFT';
    const sub = readQuery(child, p);
    if (child.spread || isToOne(child.rel!)) {
      out += ` ${kind} JOIN LATERAL ( ${sub} ) AS ${agg} ON TRUE`;
    } else {
      const cond = child.joinType === 'inner' ? `${agg} IS NOT NULL` : 'TRUE';
      out += ` ${kind} JOIN LATERAL ( SELECT json_agg(${agg})::jsonb AS ${agg} FROM (${sub} ) AS ${agg} ) AS ${agg} ON ${cond}`;
    }
  }
  return out;
}

function whereSql(node: ReadNode, logic: (tree: ResolvedLogic) => string, extra: string[]): string {
  const parts = [...node.where.map(logic), ...joinConditions(node), ...extra];
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

export function readQuery(node: ReadNode, p: Params, opts: { skipWhere?: boolean } = {}): string {
  const ref = nodeRef(node);
  const own = node.select.length === 0 && node.children.length === 0 ? [{ kind: 'star' as const }] : node.select;
  const selects = [...own.map((s) => selectItemSql(ref, s, p)), ...joinSelects(node)];
  const head = `SELECT ${selects.join(', ')}${fromSql(node)}`;
  const joins = joinsSql(node, p);
  const where = opts.skipWhere ? '' : whereSql(node, (t) => logicSql(ref, t, p), []);
  return `${head}${joins}${where}${orderSql(ref, node.order, p)}${limitSql(node.range, p)}`;
}

/** `SELECT 1 …` with the same filters, counting parents only where !inner embeds match. */
export function countQuery(node: ReadNode, p: Params): string {
  const ref = nodeRef(node);
  const logic = (tree: ResolvedLogic): string => {
    if (tree.kind === 'null-embed') return `${tree.not ? '' : 'NOT '}EXISTS (${countQuery(tree.child, p)})`;
    if (tree.kind === 'expr') return `${tree.not ? 'NOT ' : ''}(${tree.children.map(logic).join(tree.op === 'and' ? ' AND ' : ' OR ')})`;
    return logicSql(ref, tree, p);
  };
  const inner = node.children.filter((c) => c.joinType === 'inner').map((c) => `EXISTS (${countQuery(c, p)} )`);
  return `SELECT 1${fromSql(node)}${whereSql(node, logic, inner)}`;
}
