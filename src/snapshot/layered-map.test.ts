/** A layered map answers as the plain map it stands for, through many rounds of changes and flattenings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LayeredMap } from './layered-map.js';

describe('LayeredMap', () => {
  it('matches a plain map over random sets and deletes, the previous versions unchanged', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const plain = new Map<string, number>();
    for (let i = 0; i < 500; i++) plain.set(`k${i}`, i);
    let layered = LayeredMap.of(new Map(plain));
    const history: Array<[LayeredMap<string, number>, Map<string, number>]> = [];
    for (let round = 0; round < 300; round++) {
      const set: Array<[string, number]> = [];
      const deleted: string[] = [];
      for (let i = random(4); i >= 0; i--) set.push([`k${random(700)}`, round]);
      for (let i = random(3); i >= 0; i--) deleted.push(`k${random(700)}`);
      layered = layered.with(set, deleted);
      for (const k of deleted) plain.delete(k);
      for (const [k, v] of set) plain.set(k, v);
      assert.equal(layered.size, plain.size, `size after round ${round}`);
      assert.deepEqual(new Map(layered), plain);
      for (const k of ['k0', `k${random(700)}`]) {
        assert.equal(layered.get(k), plain.get(k));
        assert.equal(layered.has(k), plain.has(k));
      }
      if (round % 50 === 0) history.push([layered, new Map(plain)]);
    }
    for (const [old, expected] of history) assert.deepEqual(new Map(old), expected);
  });
});
