import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { publishFetch, publishReject } from '../keys/auth-events.js';
import { logAuthEvents } from './auth-log.js';

function capture(level: string) {
  const lines: string[] = [];
  const log = pino(
    { level },
    new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }),
  );
  return { log, lines };
}

describe('auth diagnostics in the node log', () => {
  it('logs refusal reasons at debug level with the request id', () => {
    const { log, lines } = capture('debug');
    const stop = logAuthEvents(log);
    publishReject({ plugin: 'jwt-auth', requestId: 'r-1', reason: 'expired' });
    publishFetch({ kind: 'jwks', url: 'https://idp.example/jwks', ok: true });
    stop();
    publishReject({ plugin: 'jwt-auth', requestId: 'r-2', reason: 'signature' });
    assert.equal(lines.length, 2);
    assert.match(
      lines[0] ?? '',
      /"reason":"expired".*"requestId":"r-1"|"requestId":"r-1".*"reason":"expired"/,
    );
  });

  it('does not subscribe when debug is off', () => {
    const { log, lines } = capture('info');
    const stop = logAuthEvents(log);
    publishReject({ plugin: 'jwt-auth', requestId: 'r-3', reason: 'expired' });
    stop();
    assert.equal(lines.length, 0);
  });
});
