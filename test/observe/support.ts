/** A call record with plausible values, for tests that need many. */
import type { CallRecord } from '../../src/observe/records/call-record.js';

export function record(over: Partial<CallRecord> = {}): CallRecord {
  return {
    at: Date.now(),
    request_id: Math.random().toString(36).slice(2),
    workspace: 'default',
    service: 'svc',
    route: 'weather',
    consumer: 'acme',
    app: 'acme-dashboard',
    credential: 'key-1',
    client_ip: '127.0.0.1',
    method: 'GET',
    path: '/weather',
    status: 200,
    upstream_status: 200,
    target: '127.0.0.1:9',
    latency_ms: 3,
    gateway_ms: 1,
    upstream_ms: 2,
    bytes_in: 0,
    bytes_out: 10,
    auth: 'ok',
    auth_reason: null,
    error_code: null,
    retries: 0,
    trace_id: null,
    rate_limit: null,
    model: null,
    provider: null,
    tokens_in: null,
    tokens_out: null,
    cost: null,
    capture: null,
    ...over,
  };
}
