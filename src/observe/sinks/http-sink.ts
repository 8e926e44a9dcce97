/**
 * Batched POST of a JSON array to a collector (Vector, Fluent Bit, a SIEM's HTTP intake). One attempt
 * per batch with a timeout: a collector that is down costs the records of that window (counted by the
 * writer), not memory.
 */
import type { RecordBatch } from '../records/packed-batch.js';
import type { RecordSink } from './sink.js';

const TIMEOUT_MS = 10_000;

export class HttpSink implements RecordSink {
  readonly name = 'http';

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async write(batch: RecordBatch): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.headers },
      body: JSON.stringify(batch.records()),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`collector answered ${res.status}`);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
