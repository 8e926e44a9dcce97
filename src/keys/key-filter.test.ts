import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { KeyChangeFeed } from './key-change-feed.js';
import { KeyFilter, loadKeyHashes } from './key-filter.js';

/** `n` random 64-hex-digit hashes, as HMAC-SHA-256 makes them. */
function hashes(n: number): string[] {
  const bytes = randomBytes(32 * n);
  return Array.from({ length: n }, (_, i) => bytes.subarray(32 * i, 32 * i + 32).toString('hex'));
}

describe('KeyFilter', () => {
  it('holds every key it was given through its growth, and refuses almost every other', () => {
    const filter = new KeyFilter();
    const members = hashes(200_000);
    for (const h of members) filter.add(h);
    const size = filter.size;
    // Distinct fingerprints: two of 200,000 random keys share their 32 bits ≈ 5 times.
    assert.ok(size > 199_950 && size <= 200_000, String(size));
    for (const h of members.slice(0, 1000)) filter.add(h);
    assert.equal(filter.size, size, 'adding again changes nothing');
    assert.ok(
      members.every((h) => filter.has(h)),
      'no false negative, ever',
    );
    // False positives: ≈ members / 2^32 per probe, so ≈ 9 expected in 200,000 strangers.
    const strangers = hashes(200_000).filter((h) => filter.has(h)).length;
    assert.ok(strangers < 60, `${strangers} false positives in 200,000`);
  });

  it('keeps a million keys in 8 MiB', () => {
    const filter = new KeyFilter();
    for (const h of hashes(1_000_000)) filter.add(h);
    assert.equal(filter.bytes, 8 * 2 ** 20);
    assert.equal(new KeyFilter(1_000_000).bytes, 8 * 2 ** 20, 'sized up front for a known count');
  });

  it('loads every hash of a source, page by page', async () => {
    const all = hashes(2_500).sort();
    const pages: string[] = [];
    const source = {
      apiKeyHashesAfter(after: string, limit: number) {
        pages.push(after);
        return Promise.resolve(all.filter((h) => h > after).slice(0, limit));
      },
    };
    const filter = new KeyFilter();
    await loadKeyHashes(source, filter, 1000);
    assert.equal(filter.size, 2_500);
    assert.deepEqual(pages, ['', all[999], all[1999]]);
  });
});

describe('KeyChangeFeed', () => {
  /** A feed whose rows become visible in the order the test commits them, ids taken in advance. */
  function feed() {
    const rows: Array<{ id: number; hash: string }> = [];
    return {
      rows,
      commit(id: number, hash: string) {
        rows.push({ id, hash });
        rows.sort((a, b) => a.id - b.id);
      },
      apiKeyChangesSince(cursor: number) {
        const page = rows.filter((r) => r.id > cursor).slice(0, 1000);
        return Promise.resolve({
          cursor: page.at(-1)?.id ?? cursor,
          hashes: page.map((r) => r.hash),
          ids: page.map((r) => r.id),
        });
      },
    };
  }

  it('starts at the end, then hands out each change once', async () => {
    const src = feed();
    src.commit(1, 'a');
    src.commit(2, 'b');
    const f = new KeyChangeFeed(src, { now: () => 0 });
    assert.deepEqual(await f.next(), [], 'the first call only finds the end');
    src.commit(3, 'c');
    assert.deepEqual(await f.next(), ['c']);
    assert.deepEqual(await f.next(), []);
  });

  it('picks up a transaction that took an earlier id but committed later (PostgreSQL)', async () => {
    const src = feed();
    let now = 1_000;
    const f = new KeyChangeFeed(src, { now: () => now, gapWindowMs: 60_000 });
    await f.start();
    src.commit(2, 'late-starter'); // id 1 is taken by a transaction still open
    assert.deepEqual(await f.next(), ['late-starter']);
    assert.equal(f.gaps, 1);
    src.commit(1, 'slow-commit');
    src.commit(3, 'next');
    assert.deepEqual(await f.next(), ['next', 'slow-commit']);
    assert.equal(f.gaps, 0);
    // A gap nobody fills (a rolled-back transaction) is given up after the window.
    src.commit(5, 'after-rollback');
    assert.deepEqual(await f.next(), ['after-rollback']);
    now += 60_001;
    assert.deepEqual(await f.next(), []);
    assert.equal(f.gaps, 0);
  });
});
