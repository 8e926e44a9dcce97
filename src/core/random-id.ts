/**
 * Random identifiers for the request path (request ids, trace and span ids, `chatcmpl-…`, `msg_…`, tool call ids),
 * cut from a pooled buffer: one `randomFillSync` (the CSPRNG) per 4 KiB instead of one call per id, as
 * Node's own `randomUUID` does. `randomBytes(18)` measured 4.7 µs an id in a hot loop and far more between
 * requests (67 µs per AI call under `--cpu-prof`). For identifiers only; secrets take their own bytes.
 */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

function take(bytes: number): number {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += bytes;
  return start;
}

/** `bytes` random bytes (at most 4096) as lowercase hex. */
export function randomHex(bytes: number): string {
  const start = take(bytes);
  return pool.toString('hex', start, start + bytes);
}

/** `bytes` random bytes (at most 4096) as base64url, unpadded. */
export function randomBase64url(bytes: number): string {
  const start = take(bytes);
  return pool.toString('base64url', start, start + bytes);
}

/** Lowercase hex digits as byte values, and the 36 bytes a UUID's text is formatted in. */
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const uuidText = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
/** Where each of the 16 bytes' two digits go in the text (the dashes stay where they are). */
const UUID_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/**
 * A random (version 4) UUID, RFC 9562 §5.4: what `crypto.randomUUID()` gives, made as one flat string.
 * Node's own joins 21 pieces (a rope V8 flattens again when the id is written as a header): 590 bytes
 * allocated per id against 56 here (bench/allocations.mjs, bench `keyway`, where each request gets one).
 */
export function randomUuid(): string {
  const start = take(16);
  for (let i = 0; i < 16; i++) {
    let b = pool[start + i];
    if (i === 6)
      b = (b & 0x0f) | 0x40; // version 4
    else if (i === 8) b = (b & 0x3f) | 0x80; // variant 10
    const at = UUID_AT[i];
    uuidText[at] = HEX[b >> 4];
    uuidText[at + 1] = HEX[b & 0x0f];
  }
  return uuidText.toString('latin1', 0, 36);
}
