// A Map with one entry held in fields in front of it. The proxy keeps a few maps of requests in
// flight (by id), and the usual traffic has one request in flight at a time: each request adds
// an entry and its answer removes it. A V8 Map that becomes empty shrinks, allocating a new
// table, and grows again on the next add: callgrind counted about 450 instructions a request
// for each such map, most of it that resizing. Here the first entry goes into the slot, so a
// set/delete pair with nothing else in flight touches no Map at all.
//
// Same answers as a Map for the methods it has (keys compared as Map compares them, -0 as 0),
// except the order of iteration: the slot's entry comes first. No caller depends on that order.

export class SlotMap<K, V> {
  private slotKey: K | undefined = undefined;
  private slotValue: V | undefined = undefined;
  private slotUsed = false;
  private readonly rest = new Map<K, V>();

  get size(): number {
    return this.rest.size + (this.slotUsed ? 1 : 0);
  }

  has(key: K): boolean {
    return (this.slotUsed && sameKey(this.slotKey, key)) || this.rest.has(key);
  }

  get(key: K): V | undefined {
    return this.slotUsed && sameKey(this.slotKey, key) ? this.slotValue : this.rest.get(key);
  }

  set(key: K, value: V): this {
    if (this.slotUsed && sameKey(this.slotKey, key)) this.slotValue = value;
    else if (!this.slotUsed && !this.rest.has(key)) {
      this.slotKey = key;
      this.slotValue = value;
      this.slotUsed = true;
    } else this.rest.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    if (this.slotUsed && sameKey(this.slotKey, key)) {
      this.slotUsed = false;
      this.slotKey = undefined; // nothing kept alive
      this.slotValue = undefined;
      return true;
    }
    return this.rest.delete(key);
  }

  clear(): void {
    this.slotUsed = false;
    this.slotKey = undefined;
    this.slotValue = undefined;
    this.rest.clear();
  }

  *entries(): IterableIterator<[K, V]> {
    if (this.slotUsed) yield [this.slotKey as K, this.slotValue as V];
    yield* this.rest.entries();
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

/** SameValueZero, as a Map compares keys: NaN is NaN, -0 is 0. */
function sameKey(a: unknown, b: unknown): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
