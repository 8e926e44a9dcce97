/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/). Keyway takes part in the trace as one hop:
 * a valid incoming `traceparent` keeps its trace id and flags and gets Keyway's own span id as the new
 * parent id (§3.2.2.3: a participant replaces parent-id); `tracestate` passes on untouched. An absent or
 * invalid `traceparent` starts a new trace, and then `tracestate` is dropped (§3.3.1.1: it belongs to the
 * trace it came with). Spans are published on `keyway:trace:span` only when someone subscribes (for
 * in-process consumers); OTLP export is src/observe/otel/ (off by default).
 */
import { channel } from 'node:diagnostics_channel';
import { randomHex } from '../core/random-id.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export interface TraceIds {
  traceId: string;
  spanId: string;
  /** The caller's span, when the request came with a valid `traceparent`. */
  parentId: string | undefined;
}

/** Sets `traceparent` (and keeps or drops `tracestate`) on the upstream headers; returns the ids. */
export function propagateTrace(headers: Record<string, string | string[] | undefined>): TraceIds {
  const incoming = headers['traceparent'];
  const m = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null;
  if (m !== null && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN) {
    const traceId = m[1];
    const spanId = randomHex(8);
    headers['traceparent'] = `00-${traceId}-${spanId}-${m[3]}`;
    return { traceId, spanId, parentId: m[2] };
  }
  // A new trace: its id and Keyway's span id from one draw of 24 random bytes.
  const ids = randomHex(24);
  const traceId = ids.slice(0, 32);
  const spanId = ids.slice(32);
  headers['traceparent'] = `00-${traceId}-${spanId}-01`;
  // Only when present: a `delete` turns the header object into a slow dictionary for the rest of the call.
  if (headers['tracestate'] !== undefined) delete headers['tracestate'];
  return { traceId, spanId, parentId: undefined };
}

export interface SpanEvent extends TraceIds {
  name: string;
  startMs: number;
  durationMs: number;
  status: number;
  attributes: Record<string, string | number>;
}

export const spanChannel = channel('keyway:trace:span');

export function publishSpan(build: () => SpanEvent): void {
  if (spanChannel.hasSubscribers) spanChannel.publish(build());
}
