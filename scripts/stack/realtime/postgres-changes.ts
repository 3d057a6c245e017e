// Postgres Changes (Supabase's postgres_cdc_rls, fed by the server's replication stream instead of
// polling): bindings get ids in the join reply, are checked against the supabase_realtime
// publication ("Subscribed to PostgreSQL" or an error system message), and every change is sent
// only to the bindings whose event and filters match and whose user may SELECT the row under
// RLS, checked per change, batched per distinct set of claims, in one round trip.
import pg from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import { API_ROLES } from '../db.ts';
import type { ChangeSink, RowChange } from './change-feed.ts';
import type { Channel } from './channel.ts';
import { isConnectionError } from './db-errors.ts';
import { isMessagesTable, type TextRow } from './db-broadcast.ts';
import { bindingToLog, parseBinding, passesFilters, type ParsedBinding } from './pg-filters.ts';
import { changePayload } from './pg-payload.ts';
import type { RelationCatalog } from './pg-relations.ts';
import { textToValue } from './pg-values.ts';
import { visibleTo } from './pg-visibility.ts';
import { isObject } from './payload.ts';
import { encodeMessage } from './protocol.ts';
import type { PostgresChangesPort } from './server.ts';

interface Binding {
  id: number;
  channel: Channel;
  parsed: ParsedBinding | { error: string };
  active: boolean;
}

/** Changes waiting for their RLS checks; beyond this new ones are refused, not hoarded. */
const MAX_QUEUED_CHANGES = 10_000;
/** Wait before checking a channel's bindings again when the database was unreachable. */
const RETRY_MS = 5_000;

/** Supabase ids bindings with :erlang.phash2(params), an integer below 2^27: same params, same id. */
function bindingId(params: unknown): number {
  const canonical = (v: unknown): unknown =>
    isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : Array.isArray(v) ? v.map(canonical) : v;
  const text = JSON.stringify(canonical(params));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7ffffff;
}

const lit = (v: string) => pg.escapeLiteral(v);
const key = (schema: string, table: string) => `${schema}\u0000${table}`;

export class PostgresChanges implements PostgresChangesPort, ChangeSink {
  private readonly byChannel = new Map<Channel, Binding[]>();
  /** Active bindings by "schema\0table" (either may be "*"). */
  private readonly index = new Map<string, Set<Binding>>();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(private readonly pool: pg.Pool, private readonly catalog: RelationCatalog, private readonly log: (line: string) => void) {}

  subscribe(channel: Channel, requested: unknown[]): Array<Record<string, unknown>> {
    const bindings = requested.map((params) => ({ id: bindingId(params), channel, parsed: parseBinding(params), active: false }));
    this.byChannel.set(channel, bindings);
    return requested.map((params, i) => ({ ...(isObject(params) ? params : {}), id: bindings[i].id }));
  }

  /**
   * Checks the channel's bindings against the publication and the tables' columns; all of them
   * start or none does (Supabase inserts them in one transaction). Resolves with the error text,
   * or null once subscribed. With `notify` the outcome also goes to the channel as a system message.
   */
  async activate(channel: Channel, notify = true): Promise<string | null> {
    const bindings = this.byChannel.get(channel);
    if (!bindings?.length) return null;
    let error: string | null = null;
    try {
      for (const b of bindings) {
        error = await this.check(b);
        if (error) break;
      }
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      if (notify && !channel.closed) {
        channel.system('postgres_changes', 'error', `Realtime was unable to connect to the project database: ${(err as Error).message}`);
        setTimeout(() => { if (!channel.closed && this.byChannel.get(channel) === bindings) void this.activate(channel); }, RETRY_MS).unref();
      }
      return 'Realtime was unable to connect to the project database';
    }
    if (channel.closed || this.byChannel.get(channel) !== bindings) return null;
    if (!error) {
      for (const b of bindings) this.enable(b);
      if (notify) channel.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
    } else if (notify) {
      channel.system('postgres_changes', 'error', error);
    }
    return error;
  }

  private async check(b: Binding): Promise<string | null> {
    if ('error' in b.parsed) return b.parsed.error;
    const p = b.parsed;
    const tables = await this.catalog.publishedTables(p.schema, p.table);
    if (!tables.length) {
      return `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [${bindingToLog(p)}]`;
    }
    for (const t of tables) {
      const info = await this.catalog.get(Number(t.oid));
      if (!info) continue;
      for (const f of p.filters) {
        const column = info.columns.find((c) => c.name === f.column);
        const fail = (why: string) =>
          `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${bindingToLog(p)}]. Exception: ${why}`;
        if (!column) return fail(`invalid column for filter ${f.column}`);
        if (f.op === 'is' && !['null', 'true', 'false', 'unknown'].includes(f.value.toLowerCase())) return fail('invalid value for is filter: must be null, true, false, or unknown');
        if (['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'isdistinct'].includes(f.op)) {
          try {
            await this.pool.query(`select ${lit(f.value)}::${column.sqlType}${f.op === 'in' ? '[]' : ''}`);
          } catch (err) {
            if (isConnectionError(err)) throw err;
            return fail((err as Error).message);
          }
        }
      }
    }
    return null;
  }

  private enable(b: Binding): void {
    const p = b.parsed as ParsedBinding;
    b.active = true;
    const k = key(p.schema, p.table);
    let set = this.index.get(k);
    if (!set) this.index.set(k, (set = new Set()));
    set.add(b);
  }

  updateClaims(channel: Channel): void {
    // Supabase re-subscribes with the new claims and says so again.
    const bindings = this.byChannel.get(channel);
    if (bindings?.some((b) => b.active)) channel.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
  }

  unsubscribe(channel: Channel): void {
    const bindings = this.byChannel.get(channel);
    if (!bindings) return;
    this.byChannel.delete(channel);
    for (const b of bindings) {
      if (!b.active || 'error' in b.parsed) continue;
      const k = key(b.parsed.schema, b.parsed.table);
      const set = this.index.get(k);
      set?.delete(b);
      if (set?.size === 0) this.index.delete(k);
    }
  }

  onRelation(relation: Pgoutput.MessageRelation): void {
    this.catalog.onRelation(relation);
  }

  private candidates(schema: string, table: string, type: RowChange['type']): Binding[] {
    const out: Binding[] = [];
    for (const k of [key(schema, table), key(schema, '*'), key('*', '*'), key('*', table)]) {
      for (const b of this.index.get(k) ?? []) {
        const p = b.parsed as ParsedBinding;
        if (!b.channel.closed && (p.event === '*' || p.event === type)) out.push(b);
      }
    }
    return out;
  }

  onChange(change: RowChange): void {
    const { schema, name } = change.relation;
    if (!this.candidates(schema, name, change.type).length) return;
    if (this.queued >= MAX_QUEUED_CHANGES) {
      this.log(`[realtime] Postgres Changes: ${this.queued} changes waiting; dropping a change of ${schema}.${name}`);
      return;
    }
    this.queued++;
    this.queue = this.queue
      .then(() => this.process(change))
      .catch((err) => this.log(`[realtime] Postgres Changes: ${(err as Error).stack ?? err}`))
      .finally(() => { this.queued--; });
  }

  private async process(change: RowChange): Promise<void> {
    const info = await this.catalog.get(change.relation.relationOid);
    if (!info || (isMessagesTable(info.schema, info.table) && !info.published)) return;
    const bindings = this.candidates(info.schema, info.table, change.type);
    if (!bindings.length) return;

    const typed = (row: TextRow | null): Record<string, unknown> | null => {
      if (!row) return null;
      const out: Record<string, unknown> = {};
      for (const c of info.columns) if (row[c.name] !== undefined) out[c.name] = textToValue(row[c.name], c.type);
      return out;
    };
    const record = typed(change.record);
    // Without REPLICA IDENTITY FULL only the key is known: from the old key tuple, else the new row.
    let oldText = change.old;
    if (change.type === 'UPDATE' && !oldText && change.record) {
      oldText = Object.fromEntries(info.pk.map((c) => [c, change.record![c]]));
    }
    const old = typed(oldText);
    const visibleByFilters = bindings.filter((b) => {
      const f = (b.parsed as ParsedBinding).filters;
      return change.type === 'DELETE' ? passesFilters(f, old, info.types) : passesFilters(f, record, info.types);
    });
    if (!visibleByFilters.length) return;

    const byRole = new Map<string, Binding[]>();
    for (const b of visibleByFilters) {
      const role = String(b.channel.claims.role ?? '');
      if (!API_ROLES.has(role)) continue;
      let list = byRole.get(role);
      if (!list) byRole.set(role, (list = []));
      list.push(b);
    }
    const commitTimestamp = new Date(Number(change.commitTimeMicros / 1000n)).toISOString();
    for (const [role, roleBindings] of byRole) {
      const selectable = await this.catalog.selectable(info.oid, role);
      let errors: string[] | null = null;
      let visible = roleBindings;
      if (change.type !== 'DELETE' && info.pk.length === 0) errors = ['Error 400: Bad Request, no primary key'];
      else if (change.type !== 'DELETE' && info.pk.some((c) => !selectable.has(c))) errors = ['Error 401: Unauthorized'];
      else if (info.rlsEnabled && change.type !== 'DELETE') {
        const claimsOf = (b: Binding) => JSON.stringify(b.channel.claims);
        const allowed = await visibleTo(this.pool, info, change.record!, change.xid, role, [...new Set(roleBindings.map(claimsOf))]);
        visible = roleBindings.filter((b) => allowed.has(claimsOf(b)));
      }
      if (!visible.length) continue;
      const bySelect = new Map<string, Binding[]>();
      for (const b of visible) {
        const k = (b.parsed as ParsedBinding).select?.join('\u0000') ?? '';
        bySelect.set(k, [...(bySelect.get(k) ?? []), b]);
      }
      for (const group of bySelect.values()) {
        const select = (group[0].parsed as ParsedBinding).select;
        const data = changePayload(info, change.type, { record, old, selectable, select, errors, commitTimestamp });
        this.send(group, data);
      }
    }
  }

  private send(bindings: Binding[], dataJson: string): void {
    const byChannel = new Map<Channel, number[]>();
    for (const b of bindings) {
      const ids = byChannel.get(b.channel) ?? [];
      if (!ids.includes(b.id)) ids.push(b.id);
      byChannel.set(b.channel, ids);
    }
    for (const [channel, ids] of byChannel) {
      if (channel.closed) continue;
      const payload = `{"ids":${JSON.stringify(ids)},"data":${dataJson}}`;
      channel.session.send(encodeMessage(channel.session.vsn, null, null, channel.topic, 'postgres_changes', payload));
    }
  }
}
