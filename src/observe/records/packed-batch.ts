/**
 * A batch of call records packed for the trip to the record thread: numbers in a Float64Array, the
 * few-valued strings (workspace, route, consumer, method…) as ids into the batch's own dictionary, and the
 * free text (request id, client address, path…) copied, code unit by code unit, into one Uint16Array with
 * each piece's length kept beside it. The typed arrays are transferred, not copied.
 *
 * Why not record objects and JSON: on the proxy's thread an object per call plus its JSON cost 1.5 µs
 * a record and packing costs 0.36 µs (2,000-record batches posted to a worker, a loop of 600,000 calls);
 * in the `keyway-logging` bench, building and serialising records was the whole of the logging overhead
 * that reached the proxy's thread. Structured cloning an array of the same strings costs more than JSON
 * (1.4 µs a record: every string is serialised on its own). Why copy the text rather than keep the
 * strings (or a rope of them) until the batch leaves: kept for the ~0.1 s a batch takes to fill, each
 * call's request id and path outlive a few young-generation collections and are promoted, and the old
 * generation then collects what the proxy would have freed young.
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
  'access',
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

/** What crosses to the record thread (structured-clonable; the four arrays' buffers are transferred). */
export interface PackedBatch {
  count: number;
  nums: Float64Array;
  refs: Int32Array;
  lens: Int32Array;
  dict: string[];
  /** The text columns' UTF-16 code units, `textLength` of them. */
  chars: Uint16Array;
  textLength: number;
}

/** The arrays of a batch, handed back by the record thread once it is written, to pack the next ones in. */
export type PackedArrays = Pick<PackedBatch, 'nums' | 'refs' | 'lens' | 'chars'>;

/** The buffers a batch (or its spent arrays) hands over with postMessage instead of copying. */
export function transferList(b: PackedArrays): ArrayBuffer[] {
  return [b.nums, b.refs, b.lens, b.chars].map((a) => a.buffer as ArrayBuffer);
}

const UTF16 = new TextDecoder('utf-16le');
const decoded = new WeakMap<PackedBatch, string>();

/** The text columns as one string (decoded once per batch). */
export function textOf(b: PackedBatch): string {
  let t = decoded.get(b);
  if (t === undefined) {
    t = UTF16.decode(b.chars.subarray(0, b.textLength));
    decoded.set(b, t);
  }
  return t;
}

export class BatchPacker {
  count = 0;
  private readonly nums: Float64Array;
  private readonly refs: Int32Array;
  private readonly lens: Int32Array;
  private readonly ids = new Map<string, number>();
  private readonly dict: string[] = [];
  /**
   * The last string seen in each word column and its id: consecutive calls mostly share their route,
   * service and consumer strings (the same string objects, from the snapshot), so a pointer compare
   * replaces most dictionary lookups.
   */
  private readonly lastWord: Array<string | null> = new Array<string | null>(WORDS).fill(null);
  private readonly lastId = new Int32Array(WORDS).fill(-1);
  private chars: Uint16Array;
  private textLength = 0;

  /**
   * `reuse`: the arrays of a written batch of the same capacity (every slot of a row is written when the
   * row is added, so they need no clearing). Fresh arrays of this size are fresh memory mappings, and
   * zeroing them showed in the proxy thread's profile.
   */
  constructor(
    readonly capacity: number,
    reuse?: PackedArrays,
  ) {
    const fits = reuse !== undefined && reuse.nums.length === capacity * NUMS;
    this.nums = fits ? reuse.nums : new Float64Array(capacity * NUMS);
    this.refs = fits ? reuse.refs : new Int32Array(capacity * WORDS);
    this.lens = fits ? reuse.lens : new Int32Array(capacity * TEXTS);
    // A request id, an address, a short path and a RateLimit header: about 100 code units a call.
    this.chars = fits ? reuse.chars : new Uint16Array(capacity * 128);
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
    const w = i * WORDS;
    this.refs[w] = this.word(0, r.workspace);
    this.refs[w + 1] = this.word(1, r.service);
    this.refs[w + 2] = this.word(2, r.route);
    this.refs[w + 3] = this.word(3, r.consumer);
    this.refs[w + 4] = this.word(4, r.app);
    this.refs[w + 5] = this.word(5, r.credential);
    this.refs[w + 6] = this.word(6, r.method);
    this.refs[w + 7] = this.word(7, r.target);
    this.refs[w + 8] = this.word(8, r.auth);
    this.refs[w + 9] = this.word(9, r.auth_reason);
    this.refs[w + 10] = this.word(10, r.error_code);
    this.refs[w + 11] = this.word(11, r.model);
    this.refs[w + 12] = this.word(12, r.provider);
    this.refs[w + 13] = this.word(13, r.access);
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
      chars: this.chars,
      textLength: this.textLength,
    };
  }

  private word(col: number, s: string | null): number {
    if (s === null) return -1;
    if (s === this.lastWord[col]) return this.lastId[col] ?? -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.dict.length;
      this.dict.push(s);
      this.ids.set(s, id);
    }
    this.lastWord[col] = s;
    this.lastId[col] = id;
    return id;
  }

  private put(k: number, s: string | null): void {
    if (s === null) {
      this.lens[k] = -1;
      return;
    }
    const n = s.length;
    this.lens[k] = n;
    const at = this.textLength;
    let chars = this.chars;
    if (at + n > chars.length) {
      const grown = new Uint16Array(Math.max(chars.length * 2, at + n));
      grown.set(chars.subarray(0, at));
      this.chars = chars = grown;
    }
    for (let i = 0; i < n; i++) chars[at + i] = s.charCodeAt(i);
    this.textLength = at + n;
  }
}

/** The records of a packed batch, as objects (on the record thread, or for a sink on the proxy's). */
export function unpack(b: PackedBatch): CallRecord[] {
  const out = new Array<CallRecord>(b.count);
  const { nums, refs, lens, dict } = b;
  const text = textOf(b);
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
      access: word(w + 13),
    };
  }
  return out;
}

/** The distinct values of one word column in the batch. */
export function distinctWords(b: PackedBatch, column: (typeof PACKED_WORDS)[number]): string[] {
  const col = PACKED_WORDS.indexOf(column);
  const ids = new Set<number>();
  for (let i = 0; i < b.count; i++) {
    const id = b.refs[i * WORDS + col] ?? -1;
    if (id >= 0) ids.add(id);
  }
  return [...ids].map((id) => b.dict[id] ?? '');
}

/** A batch of the given rows only (the store splits a batch that crosses midnight by day). */
export function subset(b: PackedBatch, rows: readonly number[]): PackedBatch {
  const all = unpack(b);
  const p = new BatchPacker(Math.max(1, rows.length));
  for (const i of rows) {
    const r = all[i];
    if (r !== undefined) p.add(r);
  }
  return p.seal();
}

/** A packed batch as sinks see it: the packed form, and its records unpacked on first ask (once). */
export class RecordBatch {
  #records: CallRecord[] | undefined;

  constructor(readonly packed: PackedBatch) {}

  get count(): number {
    return this.packed.count;
  }

  records(): CallRecord[] {
    return (this.#records ??= unpack(this.packed));
  }
}
