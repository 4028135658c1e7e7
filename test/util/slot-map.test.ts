import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlotMap } from '../../src/util/slot-map.js';

/** A small deterministic generator, so a failure names its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const KEYS: Array<string | number> = [1, 2, 3, '1', '2', 'a', 0, -0, Number.NaN, 2 ** 53 + 2];

test('SlotMap answers as a Map does over random operations (ids as numbers and strings, 1 and "1" apart, -0 as 0, NaN)', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const next = random(seed);
    const map = new Map<string | number, number>();
    const slot = new SlotMap<string | number, number>();
    for (let step = 0; step < 300; step++) {
      const key = KEYS[Math.floor(next() * KEYS.length)]!;
      const op = next();
      const where = `seed ${seed}, step ${step}, key ${String(key)}`;
      if (op < 0.4) {
        assert.equal(slot.set(key, step), slot, where);
        map.set(key, step);
      } else if (op < 0.75) assert.equal(slot.delete(key), map.delete(key), where);
      else if (op < 0.98) {
        assert.equal(slot.get(key), map.get(key), where);
        assert.equal(slot.has(key), map.has(key), where);
      } else {
        slot.clear();
        map.clear();
      }
      assert.equal(slot.size, map.size, where);
    }
    const sorted = (entries: Iterable<[string | number, number]>) => [...entries].map(([k, v]) => `${typeof k}:${String(k)}=${v}`).sort();
    assert.deepEqual(sorted(slot), sorted(map.entries()), `seed ${seed}: entries`);
    assert.deepEqual([...slot.values()].sort(), [...map.values()].sort(), `seed ${seed}: values`);
  }
});

test('SlotMap: one request in flight at a time, a thousand times, then two answered in either order', () => {
  const slot = new SlotMap<number, object>();
  for (let id = 1; id <= 1000; id++) {
    slot.set(id, { id });
    assert.equal(slot.size, 1);
    assert.deepEqual(slot.get(id), { id });
    assert.equal(slot.delete(id), true);
    assert.equal(slot.size, 0);
    assert.equal(slot.has(id), false);
  }
  assert.equal(slot.delete(5), false);
  // Two in flight: the second goes to the Map, each answered in any order.
  slot.set(7, { id: 7 }).set(8, { id: 8 });
  assert.deepEqual([...slot].map(([k]) => k).sort(), [7, 8]);
  assert.equal(slot.delete(8), true);
  assert.equal(slot.delete(7), true);
  assert.equal(slot.size, 0);
});
