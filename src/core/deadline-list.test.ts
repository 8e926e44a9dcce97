import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { DeadlineList, deadlineList, type Timed } from './deadline-list.js';

class Entry implements Timed {
  timedList: DeadlineList | undefined = undefined;
  timedPrev: Timed | undefined = undefined;
  timedNext: Timed | undefined = undefined;
  timedAt = 0;
  constructor(
    readonly name: string,
    private readonly fired: string[],
  ) {}
  onDeadline(): void {
    this.fired.push(this.name);
  }
}

/** Waits until `done()` holds; the bound is generous (a loaded machine), not what is tested. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await sleep(10);
}

describe('deadline lists', () => {
  it('expires entries in the order they were added, once each, and none that was removed', async () => {
    const fired: string[] = [];
    const list = new DeadlineList(5);
    const a = new Entry('a', fired);
    const b = new Entry('b', fired);
    const c = new Entry('c', fired);
    const d = new Entry('d', fired);
    list.add(a);
    list.add(b);
    list.add(c);
    list.add(d);
    list.remove(b);
    list.remove(d);
    await until(() => fired.length >= 2);
    await sleep(20);
    assert.deepEqual(fired, ['a', 'c']);
    assert.equal(list.empty, true);
    assert.equal(a.timedList, undefined);
  });

  it('re-arms for entries added after the first one expired, and takes an entry added twice once', async () => {
    const fired: string[] = [];
    const list = new DeadlineList(5);
    const first = new Entry('first', fired);
    list.add(first);
    await until(() => fired.length === 1);
    const later = new Entry('later', fired);
    list.add(later);
    list.add(later);
    await until(() => fired.length === 2);
    await sleep(20);
    assert.deepEqual(fired, ['first', 'later']);
  });

  it('removing the head leaves the rest to expire; removing what is not on the list does nothing', async () => {
    const fired: string[] = [];
    const list = new DeadlineList(5);
    const other = new DeadlineList(5);
    const head = new Entry('head', fired);
    const tail = new Entry('tail', fired);
    list.add(head);
    list.add(tail);
    other.remove(tail);
    list.remove(head);
    list.remove(head);
    await until(() => fired.length === 1);
    assert.deepEqual(fired, ['tail']);
  });

  it('shares one list per length, and makes a new one once the old one emptied', async () => {
    const fired: string[] = [];
    const list = deadlineList(7);
    assert.equal(deadlineList(7), list);
    assert.notEqual(deadlineList(8), list);
    list.add(new Entry('x', fired));
    await until(() => fired.length === 1);
    await sleep(5);
    assert.notEqual(deadlineList(7), list);
  });
  it('keeps one timer when an expiring entry adds another (a retry)', async () => {
    const fired: string[] = [];
    let emptied = 0;
    const list = new DeadlineList(5, () => emptied++);
    const retry = new Entry('retry', fired);
    const first = new Entry('first', fired);
    first.onDeadline = () => {
      fired.push('first');
      list.add(retry);
    };
    list.add(first);
    await until(() => fired.length === 2);
    await sleep(30);
    assert.deepEqual(fired, ['first', 'retry']);
    // Two timers would each find the list empty in the end.
    assert.equal(emptied, 1);
  });
});
