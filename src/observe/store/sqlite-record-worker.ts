/**
 * Worker thread that writes call records into SQLite. better-sqlite3 is synchronous and one insert of a
 * record with its four indexes measured 4.5 µs; at 30k calls/s that is 14% of the proxy's thread, more
 * than the whole budget for logging. Here the inserts run on their own thread with their own connection
 * (WAL lets it write beside the node's store connection); the proxy's thread only serializes the batch.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { RECORD_COLUMNS } from '../call-record.js';
import { createDaySql, dayOf, tableFor } from './record-tables.js';

export type WorkerRequest = { type: 'write'; id: number; rows: string } | { type: 'close'; id: number };
export type WorkerReply = { id: number; ok: true } | { id: number; ok: false; error: string };

const require = createRequire(import.meta.url);
const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
const { file } = workerData as { file: string };
const db = new Sqlite(file);
db.pragma('journal_mode = WAL');
// NORMAL in WAL mode: a power cut may lose the last commits, never corrupt; records are not config.
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');

const statements = new Map<string, BetterSqlite3.Statement>();
const placeholders = RECORD_COLUMNS.map(() => '?').join(', ');

function statementFor(day: string): BetterSqlite3.Statement {
  let st = statements.get(day);
  if (st === undefined) {
    for (const ddl of createDaySql('sqlite', day)) db.exec(ddl);
    st = db.prepare(`insert into ${tableFor(day)} (${RECORD_COLUMNS.join(', ')}) values (${placeholders})`);
    statements.set(day, st);
  }
  return st;
}

const insertAll = db.transaction((rows: unknown[][]) => {
  let day = '';
  let dayEnd = 0;
  let st: BetterSqlite3.Statement | undefined;
  for (const row of rows) {
    const at = row[0] as number;
    if (st === undefined || at >= dayEnd || dayOf(at) !== day) {
      day = dayOf(at);
      dayEnd = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)) + 1);
      st = statementFor(day);
    }
    st.run(row);
  }
});

parentPort?.on('message', (msg: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (msg.type === 'write') {
      insertAll(JSON.parse(msg.rows) as unknown[][]);
    } else {
      statements.clear();
      db.close();
    }
    reply = { id: msg.id, ok: true };
  } catch (err) {
    // Prepared statements of a dropped day (retention on another connection) are stale: prepare again.
    statements.clear();
    reply = { id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
