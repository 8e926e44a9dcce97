/**
 * A record intake for data-plane tests that hands each record to whoever waits for its request id: records
 * are pushed when the response closes, a moment after the client has read the answer, so a test awaits
 * the push itself instead of polling. The observer reuses its record object, so each one is copied.
 */
import type { CallRecord } from '../../src/observe/records/call-record.js';
import type { RecordIntake } from '../../src/observe/records/record-buffer.js';

export class RecordsById implements RecordIntake {
  private readonly seen = new Map<string, CallRecord>();
  private readonly waiting = new Map<string, (r: CallRecord) => void>();
  readonly length = 0;

  push(r: Readonly<CallRecord>): boolean {
    const record = { ...r };
    const waiter = this.waiting.get(record.request_id);
    if (waiter !== undefined) {
      this.waiting.delete(record.request_id);
      waiter(record);
    } else this.seen.set(record.request_id, record);
    return true;
  }

  recordOf(requestId: string): Promise<CallRecord> {
    const r = this.seen.get(requestId);
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve) => this.waiting.set(requestId, resolve));
  }
}
