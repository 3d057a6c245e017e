// The grammar of PostgREST's query parameters (src/PostgREST/ApiRequest/QueryParams.hs): select
// trees, filters, logic trees, order terms and column lists. Parsing yields plain data; nothing
// here builds SQL. Errors carry the position in the Parsec style PostgREST reports:
// `"failed to parse select parameter (…)" (line 1, column N)`.
import { queryParamError } from './errors.ts';

export type JsonOperand = { key: string } | { index: string };
export interface JsonOp { arrow: '->' | '->>'; operand: JsonOperand }
export interface Field { name: string; json: JsonOp[] }

export type SelectItem =
  | { kind: 'field'; field: Field; alias?: string; cast?: string; aggregate?: string }
  | { kind: 'relation'; name: string; alias?: string; hint?: string; joinType?: 'inner' | 'left'; spread: boolean; children: SelectItem[] };

export type QuantOperator = 'eq' | 'gte' | 'gt' | 'lte' | 'lt' | 'like' | 'ilike' | 'match' | 'imatch';
export type SimpleOperator = 'neq' | 'cs' | 'cd' | 'ov' | 'sl' | 'sr' | 'nxr' | 'nxl' | 'adj';
export type FtsOperator = 'fts' | 'plfts' | 'phfts' | 'wfts';
export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

export type Operation =
  | { kind: 'quant'; op: QuantOperator; quantifier?: 'any' | 'all'; value: string }
  | { kind: 'simple'; op: SimpleOperator; value: string }
  | { kind: 'in'; values: string[] }
  | { kind: 'is'; value: IsValue }
  | { kind: 'isdistinct'; value: string }
  | { kind: 'fts'; op: FtsOperator; language?: string; value: string };

export interface OpExpr { not: boolean; operation: Operation }
export interface Filter { field: Field; expr: OpExpr }

export type LogicTree =
  | { kind: 'expr'; not: boolean; op: 'and' | 'or'; children: LogicTree[] }
  | { kind: 'stmt'; filter: Filter };

export interface OrderTerm {
  /** Set for a related order: `order=author(name).desc`. */
  relation?: string;
  field: Field;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

class ParseFailure extends Error {
  constructor(public pos: number, public detail: string) {
    super(detail);
  }
}

/** A cursor over one parameter's text, with the backtracking the grammar needs. */
class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  get eof() { return this.pos >= this.s.length; }
  peek(n = 1) { return this.s.slice(this.pos, this.pos + n); }
  at(str: string) { return this.s.startsWith(str, this.pos); }
  take(str: string): boolean {
    if (!this.at(str)) return false;
    this.pos += str.length;
    return true;
  }
  expect(str: string, what = `"${str}"`) {
    if (!this.take(str)) this.fail(what);
  }
  fail(expecting: string): never {
    const unexpected = this.eof ? 'end of input' : `${JSON.stringify(this.s[this.pos])}`;
    throw new ParseFailure(this.pos, `unexpected ${unexpected} expecting ${expecting}`);
  }
  /** Runs `fn`; on failure rewinds and returns undefined. */
  attempt<T>(fn: () => T): T | undefined {
    const start = this.pos;
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      this.pos = start;
      return undefined;
    }
  }
  spaces() { while (this.peek() === ' ' || this.peek() === '\t') this.pos++; }
}

function run<T>(what: string, input: string, parse: (c: Cursor) => T): T {
  const c = new Cursor(input);
  try {
    const value = parse(c);
    if (!c.eof) c.fail('end of input');
    return value;
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    throw queryParamError(`"failed to parse ${what} (${input})" (line 1, column ${e.pos + 1})`, e.detail);
  }
}

// ---- Lexical pieces -----------------------------------------------------------------------------

const IDENT_CHAR = /[\p{L}\p{N}_ $]/u;
const FIELD_EXPECTING = 'field name (* or [a..z0..9_$])';

/** `"…"` with backslash escapes. */
function quoted(c: Cursor): string {
  c.expect('"');
  let out = '';
  for (;;) {
    if (c.eof) c.fail('"\\"" (closing quote)');
    const ch = c.s[c.pos++];
    if (ch === '"') return out;
    if (ch === '\\') {
      if (c.eof) c.fail('escaped character');
      out += c.s[c.pos++];
    } else {
      out += ch;
    }
  }
}

/** Identifier pieces joined by dashes that do not start an arrow (`a-b`, not `a->b`). */
function sepByDash(c: Cursor, piece: (c: Cursor) => string, expecting: string): string {
  const parts = [piece(c)];
  for (;;) {
    if (c.at('-') && !c.at('->')) {
      const next = c.attempt(() => {
        c.pos++;
        return piece(c);
      });
      if (next === undefined) break;
      parts.push(next);
    } else {
      break;
    }
  }
  if (parts.some((p) => p === '')) c.fail(expecting);
  return parts.join('-');
}

function identifierPiece(c: Cursor): string {
  const start = c.pos;
  while (!c.eof && IDENT_CHAR.test(c.s[c.pos])) c.pos++;
  if (c.pos === start) c.fail(FIELD_EXPECTING);
  return c.s.slice(start, c.pos).trim();
}

export function fieldName(c: Cursor): string {
  if (c.at('"')) return quoted(c);
  return sepByDash(c, identifierPiece, FIELD_EXPECTING);
}

function jsonKeyPiece(c: Cursor): string {
  const start = c.pos;
  while (!c.eof && !'(-:.,>)'.includes(c.s[c.pos])) c.pos++;
  if (c.pos === start) c.fail('any non reserved character different from: .,>()');
  return c.s.slice(start, c.pos).trim();
}

function jsonPath(c: Cursor): JsonOp[] {
  const ops: JsonOp[] = [];
  for (;;) {
    let arrow: '->' | '->>';
    if (c.take('->>')) arrow = '->>';
    else if (c.take('->')) arrow = '->';
    else return ops;
    const index = c.attempt(() => {
      let text = c.take('-') ? '-' : '+';
      const start = c.pos;
      while (!c.eof && /[0-9]/.test(c.s[c.pos])) c.pos++;
      if (c.pos === start) c.fail('digit');
      text += c.s.slice(start, c.pos);
      if (!(c.eof || c.at('->') || c.at('::') || c.at('.') || c.at(','))) c.fail('"->", "::", ".", "," or end of input');
      return text;
    });
    if (index !== undefined) {
      ops.push({ arrow, operand: { index } });
      continue;
    }
    const key = c.at('"') ? quoted(c) : sepByDash(c, jsonKeyPiece, 'any non reserved character different from: .,>()');
    ops.push({ arrow, operand: { key } });
  }
}

function field(c: Cursor): Field {
  c.spaces();
  const name = fieldName(c);
  const json = jsonPath(c);
  c.spaces();
  return { name, json };
}

/** Type names in casts: letters, digits, underscores and spaces (`double precision`). */
function castIdentifier(c: Cursor): string {
  const start = c.pos;
  while (!c.eof && /[\p{L}\p{N}_ ]/u.test(c.s[c.pos])) c.pos++;
  const text = c.s.slice(start, c.pos).trim().replace(/\s+/g, ' ');
  if (!text) c.fail('letter or digit');
  return text;
}

// ---- select -------------------------------------------------------------------------------------

function atItemEnd(c: Cursor) {
  return c.eof || c.at(')') || c.at(',');
}

function embedParams(c: Cursor): { hint?: string; joinType?: 'inner' | 'left' } {
  const out: { hint?: string; joinType?: 'inner' | 'left' } = {};
  for (let i = 0; i < 2 && c.at('!'); i++) {
    c.pos++;
    const name = fieldName(c);
    if ((name === 'inner' || name === 'left') && !out.joinType) out.joinType = name;
    else if (!out.hint) out.hint = name;
    else c.fail('"(" after the embed hint');
  }
  return out;
}

function aliasPrefix(c: Cursor): string | undefined {
  return c.attempt(() => {
    const alias = fieldName(c);
    if (!c.at(':') || c.at('::')) c.fail('":"');
    c.pos++;
    return alias;
  });
}

/** Embeds nest at most this deep: deeper select trees are refused, not recursed into. */
const MAX_EMBED_DEPTH = 16;

function selectItem(c: Cursor, depth: number): SelectItem {
  c.spaces();
  // Spread: ...relation(…)
  if (c.at('...')) {
    c.pos += 3;
    const name = fieldName(c);
    const { hint, joinType } = embedParams(c);
    c.expect('(');
    const children = forest(c, depth + 1);
    c.expect(')');
    c.spaces();
    return { kind: 'relation', name, hint, joinType, spread: true, children };
  }
  const relation = c.attempt(() => {
    const alias = aliasPrefix(c);
    const name = fieldName(c);
    if (name === 'count') c.fail('relation');
    const { hint, joinType } = embedParams(c);
    if (!c.at('(')) c.fail('"("');
    c.pos++;
    const children = forest(c, depth + 1);
    c.expect(')');
    c.spaces();
    return { kind: 'relation' as const, name, alias, hint, joinType, spread: false, children };
  });
  if (relation) return relation;

  if (c.at('*')) {
    c.pos++;
    c.spaces();
    if (!atItemEnd(c)) c.fail('")", "," or end of input');
    return { kind: 'field', field: { name: '*', json: [] } };
  }
  const alias = aliasPrefix(c);
  if (c.at('count()')) {
    c.pos += 'count()'.length;
    if (c.take('::')) castIdentifier(c);
    c.spaces();
    return { kind: 'field', field: { name: '*', json: [] }, alias, aggregate: 'count' };
  }
  const f = field(c);
  let cast: string | undefined;
  if (c.take('::')) cast = castIdentifier(c);
  let aggregate: string | undefined;
  const agg = /^\.(sum|avg|count|max|min)\(\)/.exec(c.s.slice(c.pos));
  if (agg) {
    c.pos += agg[0].length;
    aggregate = agg[1];
    if (c.take('::')) castIdentifier(c);
  }
  c.spaces();
  if (!atItemEnd(c)) c.fail('"->>", "->", "::", ".", ")", "," or end of input');
  return { kind: 'field', field: f, alias, cast, aggregate };
}

function forest(c: Cursor, depth: number): SelectItem[] {
  if (depth > MAX_EMBED_DEPTH) c.fail(`at most ${MAX_EMBED_DEPTH} levels of embedding`);
  const items: SelectItem[] = [];
  c.spaces();
  if (c.eof || c.at(')')) return items;
  for (;;) {
    items.push(selectItem(c, depth));
    c.spaces();
    if (!c.take(',')) return items;
  }
}

export const parseSelect = (text: string) => run('select parameter', text, (c) => forest(c, 0));

// ---- filters ------------------------------------------------------------------------------------

const QUANT_OPS: QuantOperator[] = ['eq', 'gte', 'gt', 'lte', 'lt', 'like', 'ilike', 'match', 'imatch'];
const SIMPLE_OPS: SimpleOperator[] = ['neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj'];
const FTS_OPS: FtsOperator[] = ['phfts', 'plfts', 'wfts', 'fts'];
const IS_VALUES: IsValue[] = ['not_null', 'null', 'true', 'false', 'unknown'];
const OPERATOR_EXPECTING = 'operator (eq, gt, ...)';

function listValue(c: Cursor): string[] {
  c.spaces();
  c.expect('(');
  c.spaces();
  const values: string[] = [];
  for (;;) {
    const q = c.attempt(() => {
      const v = quoted(c);
      if (!c.eof && !',)'.includes(c.s[c.pos])) c.fail('"," or ")"');
      return v;
    });
    if (q !== undefined) {
      values.push(q);
    } else {
      const start = c.pos;
      while (!c.eof && !',)'.includes(c.s[c.pos])) c.pos++;
      values.push(c.s.slice(start, c.pos));
    }
    if (!c.take(',')) break;
  }
  c.expect(')');
  c.spaces();
  return values;
}

function opExpr(c: Cursor, singleValue: (c: Cursor) => string): OpExpr {
  const not = c.attempt(() => { c.expect('not'); c.expect('.'); return true; }) ?? false;
  const operation = operationOf(c, singleValue);
  return { not, operation };
}

function operationOf(c: Cursor, singleValue: (c: Cursor) => string): Operation {
  if (c.at('in.')) {
    c.pos += 3;
    return { kind: 'in', values: listValue(c) };
  }
  if (c.at('isdistinct.')) {
    c.pos += 'isdistinct.'.length;
    return { kind: 'isdistinct', value: singleValue(c) };
  }
  if (c.at('is.')) {
    c.pos += 3;
    const rest = c.s.slice(c.pos);
    const value = IS_VALUES.find((v) => rest.toLowerCase().startsWith(v));
    if (!value) c.fail('isVal: (null, not_null, true, false, unknown)');
    c.pos += value.length;
    return { kind: 'is', value };
  }
  for (const op of FTS_OPS) {
    const m = c.attempt(() => {
      c.expect(op);
      let language: string | undefined;
      if (c.take('(')) {
        language = castIdentifier(c);
        c.expect(')');
      }
      c.expect('.', 'delimiter (.)');
      return { kind: 'fts' as const, op, language, value: singleValue(c) };
    });
    if (m) return m;
  }
  for (const op of SIMPLE_OPS) {
    if (c.at(`${op}.`)) {
      c.pos += op.length + 1;
      return { kind: 'simple', op, value: singleValue(c) };
    }
  }
  for (const op of QUANT_OPS) {
    const m = c.attempt(() => {
      c.expect(op);
      let quantifier: 'any' | 'all' | undefined;
      if (c.take('(any)')) quantifier = 'any';
      else if (c.take('(all)')) quantifier = 'all';
      c.expect('.', 'delimiter (.)');
      return { kind: 'quant' as const, op, quantifier, value: singleValue(c) };
    });
    if (m) return m;
  }
  c.fail(OPERATOR_EXPECTING);
}

const restOfInput = (c: Cursor) => {
  const v = c.s.slice(c.pos);
  c.pos = c.s.length;
  return v;
};

/** `id=eq.1`: the value side of a filter. */
export const parseFilterValue = (text: string) => run('filter', text, (c) => opExpr(c, restOfInput));

/** The key side of a filter: an embed path and the field (`books.title`, `data->>a`). */
export function parseTreePath(text: string): { path: string[]; field: Field } {
  return run('tree path', text, (c) => {
    const names = [fieldName(c)];
    while (c.take('.')) names.push(fieldName(c));
    const json = jsonPath(c);
    return { path: names.slice(0, -1), field: { name: names[names.length - 1], json } };
  });
}

// ---- logic trees (and / or) ---------------------------------------------------------------------

function logicSingleValue(c: Cursor): string {
  const q = c.attempt(() => {
    const v = quoted(c);
    if (!c.eof && !',)'.includes(c.s[c.pos])) c.fail('"," or ")"');
    return v;
  });
  if (q !== undefined) return q;
  if (c.at('{')) {
    const close = c.s.indexOf('}', c.pos);
    const inner = close < 0 ? '' : c.s.slice(c.pos + 1, close);
    if (close >= 0 && !inner.includes('{')) {
      const v = c.s.slice(c.pos, close + 1);
      c.pos = close + 1;
      return v;
    }
  }
  const start = c.pos;
  while (!c.eof && !',)'.includes(c.s[c.pos])) c.pos++;
  return c.s.slice(start, c.pos);
}

function logicTree(c: Cursor, depth: number): LogicTree {
  if (depth > 32) c.fail('a shallower logic tree');
  const stmt = c.attempt(() => {
    const f = field(c);
    c.expect('.', 'delimiter (.)');
    return { kind: 'stmt' as const, filter: { field: f, expr: opExpr(c, logicSingleValue) } };
  });
  if (stmt) return stmt;
  const not = c.attempt(() => { c.expect('not'); c.expect('.'); return true; }) ?? false;
  let op: 'and' | 'or';
  if (c.take('and')) op = 'and';
  else if (c.take('or')) op = 'or';
  else c.fail('logic operator (and, or)');
  c.spaces();
  c.expect('(');
  const children: LogicTree[] = [];
  for (;;) {
    c.spaces();
    children.push(logicTree(c, depth + 1));
    c.spaces();
    if (!c.take(',')) break;
  }
  c.expect(')');
  c.spaces();
  return { kind: 'expr', not, op, children };
}

/** `or=(a.eq.1,b.eq.2)` with key `or`, `not.and`, `books.or`… */
export function parseLogic(key: string, value: string): { path: string[]; tree: LogicTree } {
  const names = run('logic path', key, (c) => {
    const out = [fieldName(c)];
    while (c.take('.')) out.push(fieldName(c));
    return out;
  });
  const op = names[names.length - 1];
  const negated = names.slice(0, -1).includes('not');
  const path = names.slice(0, -1).filter((n) => n !== 'not');
  const text = `${negated ? 'not.' : ''}${op}${value}`;
  const tree = run('logic tree', text, (c) => logicTree(c, 0));
  return { path, tree };
}

// ---- order, columns -----------------------------------------------------------------------------

function orderTerm(c: Cursor): OrderTerm {
  c.spaces();
  const related = c.attempt(() => {
    const relation = fieldName(c);
    c.expect('(');
    const f = field(c);
    c.expect(')');
    return { relation, field: f };
  });
  const term: OrderTerm = related ?? { field: field(c) };
  if (c.take('.asc')) term.direction = 'asc';
  else if (c.take('.desc')) term.direction = 'desc';
  if (c.take('.nullsfirst')) term.nulls = 'first';
  else if (c.take('.nullslast')) term.nulls = 'last';
  c.spaces();
  if (!(c.eof || c.at(','))) c.fail('"asc", "desc", "nullsfirst", "nullslast", "," or end of input');
  return term;
}

export function parseOrder(key: string, value: string): { path: string[]; terms: OrderTerm[] } {
  const path = run('tree path', key, (c) => {
    const out = [fieldName(c)];
    while (c.take('.')) out.push(fieldName(c));
    return out.slice(0, -1);
  });
  const terms = run('order', value, (c) => {
    const out = [orderTerm(c)];
    while (c.take(',')) out.push(orderTerm(c));
    return out;
  });
  return { path, terms };
}

function columnList(c: Cursor): string[] {
  const out: string[] = [];
  for (;;) {
    c.spaces();
    out.push(fieldName(c));
    c.spaces();
    if (!c.take(',')) return out;
  }
}

export const parseColumns = (text: string) => run('columns parameter', text, columnList);
export const parseOnConflict = (text: string) => run('on_conflict parameter', text, columnList);

/** `books.limit` → ['books']; used for the keys of limit/offset. */
export const parseEmbedPath = (key: string) =>
  run('tree path', key, (c) => {
    const out = [fieldName(c)];
    while (c.take('.')) out.push(fieldName(c));
    return out.slice(0, -1);
  });
