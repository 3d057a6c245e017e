// Private-channel authorisation, done the way Supabase Realtime does it (Tenants.Authorization):
// in a transaction that is always rolled back, with `role`, `realtime.topic`,
// `request.jwt.claims`, `request.jwt.claim.sub/role` and `request.headers` set,
//   read  = probe rows (extension 'broadcast' / 'presence') inserted with the server's own
//           privileges, then SELECTed as the user: a row that comes back is readable;
//   write = an INSERT as the user: allowed unless RLS refuses it (42501).
// The project's RLS policies on realtime.messages are therefore the single source of truth.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { API_ROLES } from '../db.ts';
import type { Claims } from '../jwt.ts';
import type { Policies } from './channel.ts';
import { isConnectionError } from './db-errors.ts';

export type Extension = 'broadcast' | 'presence';

export interface AuthContext {
  /** Topic without the "realtime:" prefix. */
  topic: string;
  claims: Claims;
  headers: Record<string, string>;
}

/** `rls_policy_error`: a policy (or the role) failed; `unavailable`: the database could not be reached. */
export class AuthorizationError extends Error {
  constructor(readonly kind: 'rls_policy_error' | 'unavailable', message: string) {
    super(message);
  }
}

export function emptyPolicies(): Policies {
  return { broadcast: { read: null, write: null }, presence: { read: null, write: null } };
}

const lit = (v: string) => pg.escapeLiteral(v);
/** A policy that hangs must not hold a socket's messages (or a pooled connection) forever. */
const STATEMENT_TIMEOUT = "set local statement_timeout = '5s'";

function classify(err: unknown): AuthorizationError {
  if (err instanceof AuthorizationError) return err;
  const message = (err as Error)?.message ?? String(err);
  return new AuthorizationError(isConnectionError(err) ? 'unavailable' : 'rls_policy_error', message);
}

export class Authorizer {
  constructor(private readonly pool: pg.Pool) {}

  private settingsSql(ctx: AuthContext): string {
    const role = String(ctx.claims.role ?? '');
    // A token naming a superuser-like role must not turn the probe into a privileged one.
    if (!API_ROLES.has(role)) throw new AuthorizationError('rls_policy_error', `role "${role}" is not an API role`);
    const sub = typeof ctx.claims.sub === 'string' ? ctx.claims.sub : '';
    return `select set_config('role', ${lit(role)}, true), set_config('realtime.topic', ${lit(ctx.topic)}, true), ` +
      `set_config('request.jwt.claims', ${lit(JSON.stringify(ctx.claims))}, true), ` +
      `set_config('request.jwt.claim.sub', ${lit(sub)}, true), set_config('request.jwt.claim.role', ${lit(role)}, true), ` +
      `set_config('request.headers', ${lit(JSON.stringify(ctx.headers))}, true)`;
  }

  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new AuthorizationError('unavailable', (err as Error).message);
    }
    let broken = false;
    try {
      return await fn(client);
    } catch (err) {
      await client.query('rollback').catch(() => { broken = true; });
      throw classify(err);
    } finally {
      client.release(broken);
    }
  }

  /** Read rights for `extensions`; the others keep their previous value. One round trip. */
  async read(ctx: AuthContext, policies: Policies, extensions: Extension[]): Promise<Policies> {
    const settings = this.settingsSql(ctx);
    const ids = extensions.map(() => randomUUID());
    const rows = extensions.map((ext, i) => `(${lit(ids[i])}, ${lit(ctx.topic)}, ${lit(ext)})`).join(', ');
    const sql = [
      'begin',
      STATEMENT_TIMEOUT,
      `insert into realtime.messages (id, topic, extension) values ${rows}`,
      settings,
      `select id::text as id from realtime.messages where id in (${ids.map(lit).join(', ')})`,
      'rollback',
    ].join(';\n');
    return this.withClient(async (client) => {
      const results = (await client.query(sql)) as unknown as pg.QueryResult[];
      const visible = new Set(results[4].rows.map((r: { id: string }) => r.id));
      const next = clonePolicies(policies);
      extensions.forEach((ext, i) => { next[ext].read = visible.has(ids[i]); });
      return next;
    });
  }

  /** Write rights for `extensions` (the others are set to false, as Supabase does). */
  async write(ctx: AuthContext, policies: Policies, extensions: Extension[]): Promise<Policies> {
    const settings = this.settingsSql(ctx);
    return this.withClient(async (client) => {
      await client.query(`begin;\n${STATEMENT_TIMEOUT};\n${settings}`);
      const next = clonePolicies(policies);
      for (const ext of ['broadcast', 'presence'] as const) {
        if (!extensions.includes(ext)) { next[ext].write = false; continue; }
        try {
          await client.query(`savepoint probe;\ninsert into realtime.messages (topic, extension) values (${lit(ctx.topic)}, ${lit(ext)});\nrelease savepoint probe`);
          next[ext].write = true;
        } catch (err) {
          if ((err as { code?: string }).code !== '42501') throw err;
          await client.query('rollback to savepoint probe');
          next[ext].write = false;
        }
      }
      await client.query('rollback');
      return next;
    });
  }
}

function clonePolicies(p: Policies): Policies {
  return { broadcast: { ...p.broadcast }, presence: { ...p.presence } };
}
