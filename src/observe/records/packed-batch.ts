/**
 * A batch of call records packed for the trip to the record thread: numbers in a Float64Array, the
 * few-valued strings (workspace, route, consumer, method…) as ids into the batch's own dictionary, and the
 * free text (request id, client address, path…) appended to one string with each piece's length kept
 * beside it. The typed arrays are transferred, not copied, and the text crosses as one flat string.
 *
 * Why not record objects and JSON: on the proxy's thread an object per call plus its JSON cost 1.5 µs
 * a record and packing costs 0.36 µs (2,000-record batches posted to a worker, a loop of 600,000 calls);
 * in the `keyway-logging` bench, building and serialising records was the whole of the logging overhead
 * that reached the proxy's thread. Structured cloning an array of the same strings costs more than JSON
 * (1.4 µs a record: every string is serialised on its own).
 */
import type { CallRecord } from './call-record.js';

/** Numeric columns, in their order in `nums`; NaN is null. */
export const PACKED_NUMBERS = [
  'at',
  'status',
  'upstream_status',
  'latency_ms',
  'gateway_ms',
  'upstream_ms',
  'bytes_in',
  'bytes_out',
  'retries',
  'tokens_in',
  'tokens_out',
  'cost',
] as const satisfies ReadonlyArray<keyof CallRecord>;

/** Columns with few distinct values, as ids into `dict`; -1 is null. */
export const PACKED_WORDS = [
  'workspace',
  'service',
  'route',
  'consumer',
  'app',
  'credential',
  'method',
  'target',
  'auth',
  'auth_reason',
  'error_code',
  'model',
  'provider',
] as const satisfies ReadonlyArray<keyof CallRecord>;

/** Free-text columns, in `text` one after the other, lengths in `lens`; a length of -1 is null. */
export const PACKED_TEXTS = [
  'request_id',
  'client_ip',
  'path',
  'trace_id',
  'rate_limit',
  'capture',
] as const satisfies ReadonlyArray<keyof CallRecord>;

const NUMS = PACKED_NUMBERS.length;
const WORDS = PACKED_WORDS.length;
const TEXTS = PACKED_TEXTS.length;

/** What crosses to the record thread (structured-clonable; the three arrays' buffers are transferred). */
export interface PackedBatch {
  count: number;
  nums: Float64Array;
  refs: Int32Array;
  lens: Int32Array;
  dict: string[];
  text: string;
}

/** The buffers a batch hands over with postMessage instead of copying. */
export function transferList(b: PackedBatch): ArrayBuffer[] {
  return [b.nums.buffer as ArrayBuffer, b.refs.buffer as ArrayBuffer, b.lens.buffer as ArrayBuffer];
}

export class BatchPacker {
  count = 0;
  private readonly nums: Float64Array;
  private readonly refs: Int32Array;
  private readonly lens: Int32Array;
  private readonly ids = new Map<string, number>();
  private readonly dict: string[] = [];
  private text = '';

  constructor(readonly capacity: number) {
    this.nums = new Float64Array(capacity * NUMS);
    this.refs = new Int32Array(capacity * WORDS);
    this.lens = new Int32Array(capacity * TEXTS);
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Copies one record in (the caller may reuse `r` afterwards). The caller checks `full` first. */
  add(r: Readonly<CallRecord>): void {
    const i = this.count++;
    // Field by field, in the column order above: a loop over names would be a keyed (megamorphic) load each.
    const nums = this.nums;
    let n = i * NUMS;
    nums[n++] = r.at;
    nums[n++] = r.status;
    nums[n++] = r.upstream_status ?? NaN;
    nums[n++] = r.latency_ms;
    nums[n++] = r.gateway_ms;
    nums[n++] = r.upstream_ms ?? NaN;
    nums[n++] = r.bytes_in ?? NaN;
    nums[n++] = r.bytes_out ?? NaN;
    nums[n++] = r.retries;
    nums[n++] = r.tokens_in ?? NaN;
    nums[n++] = r.tokens_out ?? NaN;
    nums[n] = r.cost ?? NaN;
    const refs = this.refs;
    let w = i * WORDS;
    refs[w++] = this.word(r.workspace);
    refs[w++] = this.word(r.service);
    refs[w++] = this.word(r.route);
    refs[w++] = this.word(r.consumer);
    refs[w++] = this.word(r.app);
    refs[w++] = this.word(r.credential);
    refs[w++] = this.word(r.method);
    refs[w++] = this.word(r.target);
    refs[w++] = this.word(r.auth);
    refs[w++] = this.word(r.auth_reason);
    refs[w++] = this.word(r.error_code);
    refs[w++] = this.word(r.model);
    refs[w] = this.word(r.provider);
    const t = i * TEXTS;
    this.put(t, r.request_id);
    this.put(t + 1, r.client_ip);
    this.put(t + 2, r.path);
    this.put(t + 3, r.trace_id);
    this.put(t + 4, r.rate_limit);
    this.put(t + 5, r.capture);
  }

  /** The batch as it leaves; the packer is spent afterwards (its arrays go with the batch). */
  seal(): PackedBatch {
    return {
      count: this.count,
      nums: this.nums,
      refs: this.refs,
      lens: this.lens,
      dict: this.dict,
      text: this.text,
    };
  }

  private word(s: string | null): number {
    if (s === null) return -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.dict.length;
      this.dict.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  private put(k: number, s: string | null): void {
    if (s === null) {
      this.lens[k] = -1;
      return;
    }
    this.lens[k] = s.length;
    // A rope of appends: flattened once, when the batch is posted.
    this.text += s;
  }
}

/** The records of a packed batch, as objects (on the record thread, or for a sink on the proxy's). */
export function unpack(b: PackedBatch): CallRecord[] {
  const out = new Array<CallRecord>(b.count);
  const { nums, refs, lens, dict, text } = b;
  const num = (k: number): number | null => {
    const v = nums[k] ?? NaN;
    return Number.isNaN(v) ? null : v;
  };
  const word = (k: number): string | null => {
    const id = refs[k] ?? -1;
    return id < 0 ? null : (dict[id] ?? null);
  };
  let pos = 0;
  const str = (k: number): string | null => {
    const len = lens[k] ?? -1;
    if (len < 0) return null;
    const s = text.slice(pos, pos + len);
    pos += len;
    return s;
  };
  for (let i = 0; i < b.count; i++) {
    const n = i * NUMS;
    const w = i * WORDS;
    // Texts in the order they were appended.
    const t = i * TEXTS;
    const requestId = str(t) ?? '';
    const clientIp = str(t + 1) ?? '';
    const path = str(t + 2) ?? '';
    const traceId = str(t + 3);
    const rateLimit = str(t + 4);
    const capture = str(t + 5);
    out[i] = {
      at: num(n) ?? 0,
      request_id: requestId,
      workspace: word(w),
      service: word(w + 1),
      route: word(w + 2),
      consumer: word(w + 3),
      app: word(w + 4),
      credential: word(w + 5),
      client_ip: clientIp,
      method: word(w + 6) ?? '',
      path,
      status: num(n + 1) ?? 0,
      upstream_status: num(n + 2),
      target: word(w + 7),
      latency_ms: num(n + 3) ?? 0,
      gateway_ms: num(n + 4) ?? 0,
      upstream_ms: num(n + 5),
      bytes_in: num(n + 6),
      bytes_out: num(n + 7),
      auth: word(w + 8) ?? 'none',
      auth_reason: word(w + 9),
      error_code: word(w + 10),
      retries: num(n + 8) ?? 0,
      trace_id: traceId,
      rate_limit: rateLimit,
      model: word(w + 11),
      provider: word(w + 12),
      tokens_in: num(n + 9),
      tokens_out: num(n + 10),
      cost: num(n + 11),
      capture,
    };
  }
  return out;
}
