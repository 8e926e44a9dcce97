import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ExchangeGuard } from './exchange-guard.js';

/** A guard that records its cuts; `wanted` plays the proxy's "the answer is not complete yet". */
class Recorded extends ExchangeGuard {
  readonly cuts: Array<{ code: unknown; message: string }> = [];
  wanted = true;

  protected override cut(err: Error): void {
    this.cuts.push({ code: (err as { code?: unknown }).code, message: err.message });
  }

  protected override stillWanted(): boolean {
    return this.wanted;
  }

  /** What `ctx.onClientGone` (the proxy) or a call's cancellation (the AI engine) calls. */
  leave(): void {
    this.clientGone();
  }
}

describe('the exchange guard (proxy and AI engine)', () => {
  it('cuts once when the time is up, and says so', async () => {
    const g = new Recorded(5);
    await sleep(30);
    g.leave();
    assert.equal(g.cutBy, 'timeout');
    assert.deepEqual(g.cuts, [{ code: 'KW_TOTAL_TIMEOUT', message: 'no complete answer within 5 ms' }]);
  });

  it('cuts once when the client leaves first; the timer no longer matters', async () => {
    const g = new Recorded(20);
    g.leave();
    g.leave();
    await sleep(40);
    assert.equal(g.cutBy, 'client');
    assert.deepEqual(
      g.cuts.map((c) => c.code),
      ['KW_CLIENT_GONE'],
    );
  });

  it('leaves a finished exchange alone, and a disarmed one to its own end', async () => {
    const done = new Recorded(0);
    done.wanted = false;
    done.leave();
    assert.equal(done.cutBy, undefined);
    const disarmed = new Recorded(5);
    disarmed.disarm();
    await sleep(30);
    assert.equal(disarmed.cutBy, undefined);
    assert.deepEqual(disarmed.cuts, []);
  });
});
