/**
 * Alert webhooks, signed so a receiver can tell Keyway sent them and when:
 *   Keyway-Timestamp: <unix ms>
 *   Keyway-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * The timestamp is inside the signed text so a captured request cannot be replayed later with a fresh
 * one (receivers should refuse timestamps older than a few minutes). Compare in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const TIMEOUT_MS = 10_000;

export function sign(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function verify(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** POSTs the payload; resolves with the receiver's status, 0 when it could not be reached. */
export async function deliver(url: string, secret: string, payload: unknown, now: number): Promise<number> {
  const body = JSON.stringify(payload);
  const timestamp = String(now);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'keyway-timestamp': timestamp,
        'keyway-signature': sign(secret, timestamp, body),
        'user-agent': 'keyway-alerts',
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
