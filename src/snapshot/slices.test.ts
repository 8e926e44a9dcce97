/**
 * The slicer cuts work where the budget runs out and gives the event loop a turn there. The clock is
 * injected: each unit of work advances it by a known amount, so the expected cuts are exact and do not
 * depend on how loaded the machine is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Slicer, runNow, type Work } from './slices.js';

/** `units` units of work, each taking `costMs` on the fake clock; returns how many ran. */
function* units(clock: { t: number }, count: number, costMs: number, log?: string[]): Work<number> {
  for (let i = 0; i < count; i++) {
    clock.t += costMs;
    log?.push(`u${i}`);
    yield;
  }
  return count;
}

function fakeSlicer(
  clock: { t: number },
  log: string[],
  opts: { budgetMs?: number; checkEvery?: number } = {},
) {
  return new Slicer({
    ...opts,
    now: () => clock.t,
    yieldToLoop: async () => {
      log.push('turn');
    },
  });
}

describe('slices', () => {
  it('runNow drives the work to its end in one go', () => {
    const clock = { t: 0 };
    assert.equal(runNow(units(clock, 5, 1)), 5);
    assert.equal(clock.t, 5);
  });

  it('gives the event loop a turn each time a slice used its budget', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const slicer = fakeSlicer(clock, log, { budgetMs: 2, checkEvery: 1 });
    assert.equal(await slicer.run(units(clock, 6, 1, log)), 6);
    // 1 ms a unit, 2 ms a slice: a turn after every second unit, none after the end.
    assert.deepEqual(log, ['u0', 'u1', 'turn', 'u2', 'u3', 'turn', 'u4', 'u5', 'turn']);
    const stats = slicer.takeStats();
    assert.equal(stats.slices, 4, 'three full slices and the last (empty) step');
    assert.equal(stats.busyMs, 6);
    assert.equal(stats.longestMs, 2);
    assert.deepEqual(slicer.takeStats(), { slices: 0, busyMs: 0, longestMs: 0 }, 'taking resets');
  });

  it('reads the clock only every checkEvery units', async () => {
    const clock = { t: 0 };
    let reads = 0;
    const log: string[] = [];
    const slicer = new Slicer({
      budgetMs: 1,
      checkEvery: 4,
      now: () => {
        reads++;
        return clock.t;
      },
      yieldToLoop: async () => {
        log.push('turn');
      },
    });
    await slicer.run(units(clock, 8, 1, log));
    assert.deepEqual(log, ['u0', 'u1', 'u2', 'u3', 'turn', 'u4', 'u5', 'u6', 'u7', 'turn']);
    // begin + check, then (end + begin + check) per cut... far fewer reads than units would be per unit.
    assert.ok(reads <= 8, `clock read ${reads} times for 8 units`);
  });

  it('cheap work runs in one slice', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const slicer = fakeSlicer(clock, log, { budgetMs: 2, checkEvery: 1 });
    await slicer.run(units(clock, 100, 0.01));
    assert.deepEqual(log, []);
    assert.equal(slicer.takeStats().slices, 1);
  });

  it('an error thrown by the work rejects the run', async () => {
    const slicer = fakeSlicer({ t: 0 }, []);
    function* failing(): Work<void> {
      yield;
      throw new Error('bad config');
    }
    await assert.rejects(slicer.run(failing()), /bad config/);
  });

  it('pause gives the loop a turn only once the slice has used its budget', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const slicer = fakeSlicer(clock, log, { budgetMs: 2 });
    await slicer.pause(); // the slice starts at 0
    clock.t = 1;
    await slicer.pause();
    assert.deepEqual(log, [], 'within budget: no turn');
    clock.t = 3;
    await slicer.pause();
    assert.deepEqual(log, ['turn'], 'past budget: a turn');
    clock.t = 4;
    const stats = slicer.takeStats();
    assert.equal(stats.slices, 2, 'the 3 ms slice before the turn, and the one open until taken');
    assert.equal(stats.longestMs, 3);
    assert.equal(stats.busyMs, 4);
  });

  it('the real loop turn lets a setImmediate callback run between slices', async () => {
    let t = 0;
    const slicer = new Slicer({ budgetMs: 1, checkEvery: 1, now: () => t });
    const seen: number[] = [];
    let done = 0;
    function* work(): Work<void> {
      for (let i = 0; i < 4; i++) {
        setImmediate(() => seen.push(done));
        t += 1;
        done++;
        yield;
      }
    }
    await slicer.run(work());
    assert.deepEqual(seen.slice(0, 3), [1, 2, 3], 'each callback ran right after the slice that queued it');
  });
});
