// Routes the replication stream: inserts into realtime.messages become database broadcasts, and
// every change of a published table goes to Postgres Changes (when anyone listens).
import type { Pgoutput } from 'pg-logical-replication';
import { broadcastMessageRow, isMessagesTable, type TextRow } from './db-broadcast.ts';
import type { RealtimeServer } from './server.ts';

export interface RowChange {
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  relation: Pgoutput.MessageRelation;
  /** New row (INSERT, UPDATE), text values. */
  record: TextRow | null;
  /** Old row: key columns, or all of them with REPLICA IDENTITY FULL (UPDATE, DELETE). */
  old: TextRow | null;
  /** Commit time of the transaction, microseconds since the Unix epoch. */
  commitTimeMicros: bigint;
  /** The transaction's id (32 bits, as pgoutput sends it). */
  xid: number;
}

export interface ChangeSink {
  onRelation(relation: Pgoutput.MessageRelation): void;
  onChange(change: RowChange): void;
}

export class ChangeFeed {
  private commitTimeMicros = 0n;
  private xid = 0;
  /** Postgres Changes, once wired. */
  sink: ChangeSink | undefined;

  constructor(private readonly server: RealtimeServer) {}

  onMessage = (msg: Pgoutput.Message): void => {
    switch (msg.tag) {
      case 'begin':
        this.commitTimeMicros = msg.commitTime as bigint;
        this.xid = msg.xid >>> 0;
        return;
      case 'relation':
        this.sink?.onRelation(msg);
        return;
      case 'insert':
        if (isMessagesTable(msg.relation.schema, msg.relation.name)) broadcastMessageRow(this.server, msg.new as TextRow);
        this.sink?.onChange({ type: 'INSERT', relation: msg.relation, record: msg.new as TextRow, old: null, commitTimeMicros: this.commitTimeMicros, xid: this.xid });
        return;
      case 'update':
        this.sink?.onChange({ type: 'UPDATE', relation: msg.relation, record: msg.new as TextRow, old: (msg.old ?? msg.key) as TextRow | null, commitTimeMicros: this.commitTimeMicros, xid: this.xid });
        return;
      case 'delete':
        this.sink?.onChange({ type: 'DELETE', relation: msg.relation, record: null, old: (msg.old ?? msg.key) as TextRow | null, commitTimeMicros: this.commitTimeMicros, xid: this.xid });
        return;
      default:
        return;
    }
  };

  /** The slot had to be recreated: say so on every channel rather than miss messages silently. */
  onSlotLost = (): void => {
    for (const channel of this.server.channels()) {
      channel.system('system', 'error', 'UnableToBroadcastChanges: the database change stream was interrupted and restarted; messages sent from the database meanwhile may not have been delivered');
    }
  };
}
