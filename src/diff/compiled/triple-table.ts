// A hash table from triples of small non-negative integers (op, first, second) to numbers, on typed arrays.
//
// The compiler numbers hundreds of thousands of nodes and instructions by their op and operands. A Map keyed by a
// number built from the triple needs doubles above 2^31, which V8 boxes on every lookup: the lookups cost more
// than the rest of the lowering together. Here keys live in Int32Arrays, probed linearly; nothing is allocated
// per lookup. Linear memory (at most four times the entries, in four Int32Arrays).

/** Triples `(op, first, second)` of integers in [0, 2^31) mapped to integers in [0, 2^31). */
export class TripleTable {
  private ops: Int32Array;
  private firsts: Int32Array;
  private seconds: Int32Array;
  /** −1 marks an empty cell. */
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    this.ops = new Int32Array(capacity);
    this.firsts = new Int32Array(capacity);
    this.seconds = new Int32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  /** How many triples are stored. */
  get size(): number {
    return this.count;
  }

  private cellOf(op: number, first: number, second: number): number {
    let h = Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(op + 1, 0xc2b2ae3d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    let cell = h & this.mask;
    for (;;) {
      const v = this.values[cell];
      if (v === -1 || (this.firsts[cell] === first && this.seconds[cell] === second && this.ops[cell] === op)) return cell;
      cell = (cell + 1) & this.mask;
    }
  }

  /** The value stored for the triple, or −1. */
  get(op: number, first: number, second: number): number {
    return this.values[this.cellOf(op, first, second)];
  }

  /**
   * The value stored for the triple; when there is none, stores `value` and returns −1.
   * @throws RangeError when a key or the value is outside [0, 2^31).
   */
  getOrSet(op: number, first: number, second: number, value: number): number {
    const limit = 0x7fffffff;
    if (!(op >= 0 && first >= 0 && second >= 0 && value >= 0 && op <= limit && first <= limit && second <= limit && value <= limit)) {
      throw new RangeError(`internal error: triple table entry (${op}, ${first}, ${second}) → ${value} is outside [0, 2^31)`);
    }
    const cell = this.cellOf(op, first, second);
    const existing = this.values[cell];
    if (existing !== -1) return existing;
    this.ops[cell] = op;
    this.firsts[cell] = first;
    this.seconds[cell] = second;
    this.values[cell] = value;
    if (++this.count * 2 > this.mask) this.grow();
    return -1;
  }

  private grow(): void {
    const { ops, firsts, seconds, values } = this;
    const capacity = 2 * (this.mask + 1);
    this.ops = new Int32Array(capacity);
    this.firsts = new Int32Array(capacity);
    this.seconds = new Int32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === -1) continue;
      const cell = this.cellOf(ops[i], firsts[i], seconds[i]);
      this.ops[cell] = ops[i];
      this.firsts[cell] = firsts[i];
      this.seconds[cell] = seconds[i];
      this.values[cell] = values[i];
    }
  }
}
