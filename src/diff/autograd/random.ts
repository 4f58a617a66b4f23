// A seeded random generator (torch.manual_seed / torch.Generator in spirit): reproducible initialisation and data.
//
// The numbers differ from PyTorch's (its CPU generator is a Mersenne Twister with its own float conversion): what
// is kept is the contract, that one seed gives the same numbers on every run and machine.

/** A seeded stream of uniform numbers in [0, 1) (SplitMix32-style integer mixing; 2³² states per stream position). */
export class Generator {
  private state: number;

  constructor(seed = 0) {
    this.state = 0;
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed` (any finite number; its integer part is used). */
  manualSeed(seed: number): this {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new TypeError(`manualSeed(): seed must be a finite number, got ${String(seed)}`);
    this.state = Math.trunc(seed) >>> 0;
    return this;
  }

  /** The next uniform number in [0, 1), with 32 random bits. */
  random(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = this.random();
    while (u === 0) u = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }
}

/** The default generator that `nn.Linear` and the random factories use when given none. */
export const defaultGenerator = new Generator(0);

/** Reseeds the default generator (`torch.manual_seed`). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
