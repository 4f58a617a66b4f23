// Honest numbers: a timing ratio that contradicts its machine-independent count beyond its spread stops the report's data from being built.
import { describe, expect, it, vi } from 'vitest';
import type { Timing, TimingOptions } from '../../src/harness/timing.ts';

// The sampler is replaced for one test so that it can report what a mis-measurement looks like (f timed
// below the timer's resolution: central differences appear as cheap as f itself).
const fake = vi.hoisted(() => ({ contradict: false, perCall: false }));
vi.mock('../../src/harness/timing.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/harness/timing.ts')>();
  return {
    ...real,
    measureTimes: <K extends string>(candidates: Readonly<Record<K, () => void>>, options?: TimingOptions): Record<K, Timing> => {
      if (fake.perCall && 'call' in candidates) {
        // The taping autograd measured at 20× f on the same tensors, where its tape predicts about 2×.
        const t = (median: number): Timing => ({ median, q1: median * 0.95, q3: median * 1.05, samples: 9, batch: 100 });
        return { call: t(20e-3), f: t(1e-3) } as Record<K, Timing>;
      }
      if (!fake.contradict) return real.measureTimes(candidates, options);
      const t = (median: number): Timing => ({ median, q1: median * 0.95, q3: median * 1.05, samples: 9, batch: 100 });
      return Object.fromEntries(Object.keys(candidates).map((k) => [k, t(k === 'reverse' ? 2e-3 : 1e-3)])) as Record<K, Timing>;
    },
  };
});

const { contradiction, timingRatio, measureTimes, TimingContradictionError } = await import('../../src/harness/timing.ts');
const { measureCost, baselineContradictions, tapeContradiction, measureTapeMemory } = await import('../../src/harness/cost.ts');
const { getMethod } = await import('../../src/diff/registry.ts');
const { builtinSuite } = await import('../../src/harness/suites/builtin.ts');

const timing = (median: number, spread = 0.1): Timing => ({ median, q1: median * (1 - spread), q3: median * (1 + spread), samples: 9, batch: 10 });

describe('a timing ratio is checked against the count that predicts it', () => {
  it('a ratio whose spread reaches the count within the slack is consistent; one beyond it is a contradiction', () => {
    // Central differences at n = 10 make 20 evaluations of f.
    expect(contradiction('central', timingRatio(timing(20e-3), timing(1e-3)), 20, 2)).toBeUndefined();
    expect(contradiction('central', timingRatio(timing(12e-3), timing(1e-3)), 20, 2)).toBeUndefined();
    // 5.7× for 20 evaluations (the old report's number) contradicts the count even at the edge of its spread.
    expect(contradiction('central', timingRatio(timing(5.7e-3), timing(1e-3)), 20, 2)).toMatchObject({ label: 'central', count: 20 });
    // A huge spread cannot contradict anything: the check only fails numbers that are wrong beyond their noise.
    expect(contradiction('central', timingRatio(timing(5.7e-3, 0.9), timing(1e-3, 0.9)), 20, 2)).toBeUndefined();
  });

  it('the steady-state baselines are checked for both central differences (2n) and the reverse sweep (instruction ratio)', () => {
    const b = { n: 10, reverseOps: { f: 100, gradient: 175, ratio: 1.75 }, steady: { reverse: timing(1), central: timing(1), reverseRatio: timingRatio(timing(40), timing(1)), centralRatio: timingRatio(timing(20), timing(1)) } };
    const found = baselineContradictions(b).filter((c) => c !== undefined);
    expect(found.map((c) => c!.label)).toEqual(['compiled reverse mode at n = 10 (1.75× f\'s instructions)']);
  });

  it('measureCost refuses to publish timings that contradict their counts after re-measuring', () => {
    const rosenbrock = builtinSuite().families.find((f) => f.roles.includes('cost'))!;
    fake.contradict = true;
    try {
      expect(() => measureCost(rosenbrock, [10], [], { sampleMs: 1, samples: 3 })).toThrow(TimingContradictionError);
      expect(() => measureCost(rosenbrock, [10], [], { sampleMs: 1, samples: 3 })).toThrow(/central differences at n = 10 \(2n = 20 evaluations of f\): measured 1\.00×/);
    } finally {
      fake.contradict = false;
    }
  });

  it('real measurements: a sub-microsecond call is batched far above the timer\'s resolution, and the spread brackets the median', () => {
    let sink = 0;
    const t = measureTimes({ tiny: () => void (sink = (sink + 1) % 1000) }, { sampleMs: 1, samples: 5 }).tiny;
    expect(t.batch).toBeGreaterThan(100); // one sample is many calls, not one tick of the timer
    expect(t.batch * t.median).toBeGreaterThan(0.1); // and lasts far longer than the timer's resolution (about 1 µs)
    expect(t.q1).toBeLessThanOrEqual(t.median);
    expect(t.q3).toBeGreaterThanOrEqual(t.median);
    expect(sink).toBeGreaterThanOrEqual(0);
  });

  it("the taping autograd's per-call ratio is checked against its tape: about 2 within ×3", () => {
    expect(tapeContradiction(10, timingRatio(timing(2.3e-3), timing(1e-3)), 71, 71)).toBeUndefined();
    expect(tapeContradiction(10, timingRatio(timing(20e-3), timing(1e-3)), 71, 71)).toMatchObject({ count: 2 });
    // 0.5×: a gradient cheaper than the forward it records is as impossible as 20×.
    expect(tapeContradiction(10, timingRatio(timing(0.5e-3), timing(1e-3)), 71, 71)).toMatchObject({ count: 2 });
  });

  it('measureCost refuses a per-call autograd timing that contradicts its tape after re-measuring', () => {
    const rosenbrock = builtinSuite().families.find((f) => f.roles.includes('cost'))!;
    fake.perCall = true;
    try {
      expect(() => measureCost(rosenbrock, [10], [getMethod('autograd')], { sampleMs: 1, samples: 3 })).toThrow(/the taping autograd at n = 10 \(71 recorded nodes/);
    } finally {
      fake.perCall = false;
    }
  });

  it('the default clock is CPU time: a call that waits costs (almost) nothing on it, its full wait on the wall clock', () => {
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const wait = () => void Atomics.wait(cell, 0, 0, 3);
    const cpu = measureTimes({ wait }, { sampleMs: 1, samples: 3, warmupMs: 1 }).wait;
    const wall = measureTimes({ wait }, { sampleMs: 1, samples: 3, warmupMs: 1, clock: 'wall' }).wait;
    expect(wall.median).toBeGreaterThanOrEqual(2.5);
    expect(cpu.median).toBeLessThan(0.5 * wall.median);
  });
});

describe('the memory of reverse mode is measured beside its count', () => {
  it("a taped forward keeps heap in proportion to its tape, far more than 8 bytes a node", () => {
    const rosenbrock = builtinSuite().families.find((f) => f.roles.includes('cost'))!;
    const at = (n: number) => measureTapeMemory(() => rosenbrock.build(n), rosenbrock.variables(n), rosenbrock.point(n), 5);
    const [small, large] = [at(100), at(1000)];
    // The tape length is autograd's own count.
    const c = { expr: rosenbrock.build(100), variables: rosenbrock.variables(100), point: rosenbrock.point(100), options: {} };
    expect(small.tapeLength).toBe(getMethod('autograd').compute(c).extra!.tapeLength);
    expect(large.tapeLength).toBeGreaterThan(9 * small.tapeLength);
    expect(small.retained).toBeDefined();
    const growth = large.retained!.median / small.retained!.median;
    expect(growth).toBeGreaterThan(0.5 * (large.tapeLength / small.tapeLength));
    expect(growth).toBeLessThan(2 * (large.tapeLength / small.tapeLength));
    expect(large.retained!.median / large.tapeLength).toBeGreaterThan(8);
  });
});

describe('each per-call ratio divides by f evaluated the way the method evaluates it', () => {
  it('methods that run cached compiled code divide by compiled f, the taping autograd by f on tensors, the rest by the interpreter', async () => {
    const { perCallDenominator } = await import('../../src/harness/cost.ts');
    // forward-mode's dual-number passes are compiled once and cached: against the interpreter it read 0.41× f,
    // cheaper than f itself although it makes one pass per input.
    expect(perCallDenominator('forward-mode')).toBe('f compiled');
    expect(perCallDenominator('autograd-compiled')).toBe('f compiled');
    expect(perCallDenominator('autograd')).toBe('f on tensors');
    for (const m of ['symbolic', 'symbolic-dag', 'numeric-central', 'complex-step']) expect(perCallDenominator(m)).toBe('f interpreted');
  });
});
