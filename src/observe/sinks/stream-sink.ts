/**
 * JSON lines to a file (appended, created 0600: records name consumers and client addresses) or to
 * stdout. A full stream buffer makes `write` wait for `drain`, which is the back-pressure the writer
 * passes on to the ring.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { RecordBatch } from '../records/packed-batch.js';
import { jsonLines, type RecordSink } from './sink.js';

export class StreamSink implements RecordSink {
  private constructor(
    readonly name: string,
    private readonly stream: Writable,
    private readonly owned: boolean,
  ) {}

  static file(path: string): StreamSink {
    return new StreamSink('file', createWriteStream(path, { flags: 'a', mode: 0o600 }), true);
  }

  static stdout(stream: Writable = process.stdout): StreamSink {
    return new StreamSink('stdout', stream, false);
  }

  async write(batch: RecordBatch): Promise<void> {
    if (!this.stream.write(jsonLines(batch.records()))) await once(this.stream, 'drain');
  }

  async flush(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    if (!this.owned) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
