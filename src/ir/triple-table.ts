// A hash table from triples of small non-negative integers (op, first, second) to numbers, on one typed array (for the compilers: code generation and the compiled gradient).
//
// The compiler numbers hundreds of thousands of nodes and instructions by their op and operands. A Map keyed by a
// number built from the triple needs doubles above 2^31, which V8 boxes on every lookup: the lookups cost more
// than the rest of the lowering together. Here keys live in an Int32Array, probed linearly; nothing is allocated
// per lookup. A cell's four numbers (op, first, second, value) sit side by side, so a probe reads one cache line:
// the table of a 200,000-instruction gradient is megabytes, and four separate arrays cost four cache misses a
// lookup. Linear memory (at most four times the entries, four numbers each).

/** Triples `(op, first, second)` of integers in [0, 2^31) mapped to integers in [0, 2^31). */
export class TripleTable {
  /** Cell c holds op, first, second and value at 4c … 4c + 3; a value of −1 marks an empty cell. */
  private cells: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    this.cells = TripleTable.emptyCells(capacity);
    this.mask = capacity - 1;
  }

  private static emptyCells(capacity: number): Int32Array {
    const cells = new Int32Array(4 * capacity);
    for (let c = 3; c < cells.length; c += 4) cells[c] = -1;
    return cells;
  }

  /** How many triples are stored. */
  get size(): number {
    return this.count;
  }

  /** The index (in `cells`) of the triple's cell, or of the empty cell where it would go. */
  private cellOf(op: number, first: number, second: number): number {
    let h = Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(op + 1, 0xc2b2ae3d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    const cells = this.cells;
    const mask = this.mask;
    let cell = h & mask;
    for (;;) {
      const at = 4 * cell;
      if (cells[at + 3] === -1 || (cells[at + 1] === first && cells[at + 2] === second && cells[at] === op)) return at;
      cell = (cell + 1) & mask;
    }
  }

  /** The value stored for the triple, or −1. */
  get(op: number, first: number, second: number): number {
    return this.cells[this.cellOf(op, first, second) + 3];
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
    const at = this.cellOf(op, first, second);
    const cells = this.cells;
    const existing = cells[at + 3];
    if (existing !== -1) return existing;
    cells[at] = op;
    cells[at + 1] = first;
    cells[at + 2] = second;
    cells[at + 3] = value;
    if (++this.count * 2 > this.mask) this.grow();
    return -1;
  }

  private grow(): void {
    const old = this.cells;
    const capacity = 2 * (this.mask + 1);
    this.cells = TripleTable.emptyCells(capacity);
    this.mask = capacity - 1;
    const cells = this.cells;
    for (let i = 0; i < old.length; i += 4) {
      if (old[i + 3] === -1) continue;
      const at = this.cellOf(old[i], old[i + 1], old[i + 2]);
      cells[at] = old[i];
      cells[at + 1] = old[i + 1];
      cells[at + 2] = old[i + 2];
      cells[at + 3] = old[i + 3];
    }
  }
}
