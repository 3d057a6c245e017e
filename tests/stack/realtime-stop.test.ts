// The replication stream stops cleanly at any moment after it started, including while its
// connection is still being opened (Ctrl-C right as `npm start` finishes): stop() returns, the
// slot is dropped and no session of it is left. It once waited for ever when the stop came during
// the connection's handshake. Each cycle stops a little later, so some land in the handshake.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReplicationStream } from '../../scripts/stack/realtime/replication.ts';
import { PUBLICATIONS } from '../../scripts/stack/realtime/index.ts';

const stack = inject('stack');
const CYCLES = 12;
const STOP_BOUND_MS = 15_000;
let db: pg.Client;

beforeAll(async () => {
  db = new pg.Client({ connectionString: stack.dbUrl });
  await db.connect();
});
afterAll(() => db?.end());

describe('replication stream stop', () => {
  it(`returns, drops the slot and leaves no session when stopped 0–${CYCLES - 1} ms after start`, async () => {
    const prefix = `emily_test_stop_${randomUUID().slice(0, 8)}`;
    const outcomes: string[] = [];
    for (let i = 0; i < CYCLES; i++) {
      const stream = new ReplicationStream({
        dbUrl: stack.dbUrl, slotName: `${prefix}_${i}`, publications: PUBLICATIONS,
        log: () => {}, onMessage: () => {}, onSlotLost: () => {},
      });
      await stream.start();
      await new Promise((r) => setTimeout(r, i));
      let timer: NodeJS.Timeout | undefined;
      outcomes.push(await Promise.race([
        stream.stop({ dropSlot: true }).then(() => 'stopped'),
        new Promise<string>((r) => (timer = setTimeout(() => r(`cycle ${i}: stop() still pending after ${STOP_BOUND_MS} ms`), STOP_BOUND_MS))),
      ]).finally(() => clearTimeout(timer)));
    }
    expect(outcomes).toEqual(Array(CYCLES).fill('stopped'));
    const { rows: slots } = await db.query('select slot_name from pg_replication_slots where slot_name like $1', [`${prefix}%`]);
    expect(slots).toEqual([]);
    // A closed connection's backend may be listed for a moment after the socket closed.
    let sessions: unknown[] = [];
    for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      ({ rows: sessions } = await db.query('select application_name from pg_stat_activity where application_name like $1', [`${prefix}%`]));
      if (!sessions.length) break;
    }
    expect(sessions).toEqual([]);
  }, CYCLES * STOP_BOUND_MS + 30_000);
});
