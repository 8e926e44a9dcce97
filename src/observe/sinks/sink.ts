/**
 * Where call records go. A sink takes a batch and resolves once it is written (or has failed: the writer
 * counts the batch as lost and moves on). The writer awaits each batch before taking the next, so a slow
 * sink pushes back on the record buffer, which drops and counts — it never slows the proxy.
 */
import type { CallRecord } from '../records/call-record.js';
import type { RecordBatch } from '../records/packed-batch.js';

export interface RecordSink {
  readonly name: string;
  /** The store sinks write the packed form; the others ask for `batch.records()`. */
  write(batch: RecordBatch): Promise<void>;
  /** Waits until everything written so far is durable (or delivered). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** One JSON object per line, as the file and stdout sinks write (and `jq` reads). */
export function jsonLines(batch: readonly CallRecord[]): string {
  let out = '';
  for (const r of batch) out += JSON.stringify(r) + '\n';
  return out;
}
