/**
 * Whether a call is traced, decided when it arrives — because the `traceparent` Keyway sends upstream must
 * carry the same decision (W3C Trace Context §3.2.2.5 `sampled` flag), or the upstream would record spans
 * whose parent never reaches the collector.
 *
 * A caller's `traceparent` decides for its own trace (OpenTelemetry's ParentBased sampler). A trace Keyway
 * starts is sampled by ratio on its trace id with the algorithm of OpenTelemetry's TraceIdRatioBased
 * sampler (XOR of the id's four 32-bit words against ratio × 2³²), so every node and every SDK with the
 * same ratio keeps the same traces.
 */
import type { TraceIds } from '../trace-context.js';

export function ratioSampled(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  let acc = 0;
  for (let i = 0; i < 32; i += 8) acc = (acc ^ parseInt(traceId.slice(i, i + 8), 16)) >>> 0;
  return acc < Math.floor(ratio * 0xffffffff);
}

/**
 * Decides for one call and makes the outgoing `traceparent` say so. `headers` are the upstream headers
 * `propagateTrace` just filled.
 */
export function sampleCall(
  ids: TraceIds,
  headers: Record<string, string | string[] | undefined>,
  ratio: number,
): boolean {
  const tp = headers['traceparent'];
  if (typeof tp !== 'string') return false;
  if (ids.parentId !== undefined) return (parseInt(tp.slice(-2), 16) & 1) === 1;
  if (ratioSampled(ids.traceId, ratio)) return true;
  headers['traceparent'] = `${tp.slice(0, -2)}00`;
  return false;
}
