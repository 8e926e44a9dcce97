/**
 * The record thread: everything call records cost beyond packing them happens here, off the proxy's
 * thread — the store sink (a block per batch: SQLite on this thread's own connection, or PostgreSQL),
 * the file and HTTP sinks (which unpack), and the rollups (folded per batch from the packed columns,
 * added to the store every few seconds and on every flush). The proxy's thread only packs records and
 * posts batches (record-thread.ts is its side of the conversation).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteFile } from '../../store/connection.js';
import { RollupAggregator } from '../rollups.js';
import { HttpSink } from '../sinks/http-sink.js';
import type { RecordSink } from '../sinks/sink.js';
import { SpoolingSink } from '../sinks/spooling-sink.js';
import { StreamSink } from '../sinks/stream-sink.js';
import { openObserveDb, sqliteObserveDb, type ObserveDb } from '../store/observe-db.js';
import { PgBlockSink } from '../store/pg-block-sink.js';
import { SqliteBlockSink } from '../store/sqlite-block-sink.js';
import { RecordBatch, transferList, type PackedArrays, type PackedBatch } from './packed-batch.js';
import { RecordSpool } from './record-spool.js';

export interface RecordThreadSettings {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL schema of the tables (tests isolate themselves in one). */
  schema?: string | undefined;
  /** Deadline of a store connection and statement (`store_timeout_ms`). */
  storeTimeoutMs?: number | undefined;
  /** Bound of the spool the store sink falls back to while the store is away; 0: no spool. */
  spoolBytes?: number | undefined;
  /** How often spooled records are offered to the store again. */
  spoolRetryMs?: number | undefined;
  /** This worker's slot under `--workers` (0 alone): where its search for a free spool file starts. */
  spoolSlot?: number | undefined;
  /** The sinks that run here (stdout stays on the proxy's thread, which owns the process's stdout). */
  sinks: ReadonlyArray<'store' | 'file' | 'http'>;
  file?: string | undefined;
  httpUrl?: string | undefined;
  /** How often folded rollups are added to the store. */
  rollupFlushMs: number;
}

export type ThreadRequest =
  | { type: 'batch'; id: number; batch: PackedBatch }
  | { type: 'flush'; id: number }
  | { type: 'close'; id: number };

/** What became of one batch at one sink. */
export interface SinkOutcome {
  sink: string;
  error?: string;
}

export type ThreadReply =
  | {
      type: 'done';
      id: number;
      count: number;
      outcomes: SinkOutcome[];
      spent?: PackedArrays;
      /** Records waiting in the spool after this request. */
      spooled?: number;
    }
  | { type: 'failed'; id: number; error: string }
  | { type: 'warn'; msg: string; error: string }
  /** The spool changed: records now waiting in it, and what happened (for the log). */
  | { type: 'spool'; state: 'spooling' | 'drained' | 'progress'; records: number; reason?: string }
  /** Records the thread had taken and then lost (a spooled batch the store refused for good). */
  | { type: 'lost'; count: number; error: string };

const settings = workerData as RecordThreadSettings;
const port = parentPort;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function openStore(): { store: ObserveDb; sink: RecordSink } {
  if (settings.databaseUrl !== undefined) {
    const store = openObserveDb({
      dataDir: settings.dataDir,
      databaseUrl: settings.databaseUrl,
      ...(settings.schema === undefined ? {} : { schema: settings.schema }),
      ...(settings.storeTimeoutMs === undefined ? {} : { timeoutMs: settings.storeTimeoutMs }),
    });
    return { store, sink: new PgBlockSink(store.db) };
  }
  // The same private (0600) file as the node's store connection (store/connection.ts).
  const database = openSqliteFile(settings.dataDir);
  database.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a power cut may lose the last commits, never corrupt; records are not config.
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${settings.storeTimeoutMs ?? 5000}`);
  return { store: sqliteObserveDb(database), sink: new SqliteBlockSink(database) };
}

const { store, sink: storeSink } = openStore();

/** The store sink behind the spool (unless the spool is off): an outage costs no records. */
function spooled(sink: RecordSink): SpoolingSink | undefined {
  if ((settings.spoolBytes ?? 0) <= 0) return undefined;
  const source = {
    open: () => RecordSpool.open(settings.dataDir, settings.spoolBytes ?? 0, settings.spoolSlot ?? 0),
    leftovers: RecordSpool.leftovers(settings.dataDir),
  };
  return new SpoolingSink(sink, source, {
    retryMs: settings.spoolRetryMs ?? 1_000,
    onState(state, records, reason) {
      port?.postMessage({
        type: 'spool',
        state,
        records,
        ...(reason === undefined ? {} : { reason }),
      } satisfies ThreadReply);
    },
    onLost(count, error) {
      port?.postMessage({ type: 'lost', count, error } satisfies ThreadReply);
    },
  });
}

const spool = settings.sinks.includes('store') ? spooled(storeSink) : undefined;
const sinks: RecordSink[] = [];
for (const kind of settings.sinks) {
  if (kind === 'store') sinks.push(spool ?? storeSink);
  else if (kind === 'file' && settings.file !== undefined) sinks.push(StreamSink.file(settings.file));
  else if (kind === 'http' && settings.httpUrl !== undefined) sinks.push(new HttpSink(settings.httpUrl));
}
const rollups = new RollupAggregator();

async function flushRollups(): Promise<void> {
  try {
    await rollups.flush(store);
  } catch (err) {
    port?.postMessage({
      type: 'warn',
      msg: 'rollups not stored yet',
      error: message(err),
    } satisfies ThreadReply);
  }
}
const timer = setInterval(() => void flushRollups(), settings.rollupFlushMs);
timer.unref();

async function write(packed: PackedBatch): Promise<SinkOutcome[]> {
  rollups.addPacked(packed);
  const batch = new RecordBatch(packed);
  return Promise.all(
    sinks.map((s) =>
      s.write(batch).then(
        (): SinkOutcome => ({ sink: s.name }),
        (err: unknown): SinkOutcome => ({ sink: s.name, error: message(err) }),
      ),
    ),
  );
}

async function handle(msg: ThreadRequest): Promise<ThreadReply> {
  switch (msg.type) {
    case 'batch': {
      const b = msg.batch;
      const outcomes = await write(b);
      // The arrays go back (transferred) to pack later batches in.
      const spent = { nums: b.nums, refs: b.refs, lens: b.lens, chars: b.chars };
      return { type: 'done', id: msg.id, count: b.count, outcomes, spent, spooled: spool?.spooled ?? 0 };
    }
    case 'flush':
      await flushRollups();
      await Promise.all(sinks.map((s) => s.flush().catch(() => undefined)));
      return { type: 'done', id: msg.id, count: 0, outcomes: [], spooled: spool?.spooled ?? 0 };
    case 'close':
      clearInterval(timer);
      await flushRollups();
      await Promise.all(sinks.map((s) => s.close().catch(() => undefined)));
      await store.close();
      return { type: 'done', id: msg.id, count: 0, outcomes: [] };
  }
}

// One message at a time, in order: a flush answers only after every batch posted before it is written.
let queue = Promise.resolve();
port?.on('message', (msg: ThreadRequest) => {
  queue = queue.then(async () => {
    let reply: ThreadReply;
    try {
      reply = await handle(msg);
    } catch (err) {
      reply = { type: 'failed', id: msg.id, error: message(err) };
    }
    port.postMessage(
      reply,
      reply.type === 'done' && reply.spent !== undefined ? transferList(reply.spent) : [],
    );
  });
});
