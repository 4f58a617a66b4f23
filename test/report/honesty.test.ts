// Honest numbers: a timing ratio that contradicts its machine-independent count beyond its spread stops the report's data from being built.
import { describe, expect, it, vi } from 'vitest';
import type { Timing, TimingOptions } from '../../src/harness/timing.ts';

// The sampler is replaced for one test so that it can report what a mis-measurement looks like (f timed
// below the timer's resolution: central differences appear as cheap as f itself).
const fake = vi.hoisted(() => ({ contradict: false }));
vi.mock('../../src/harness/timing.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/harness/timing.ts')>();
  return {
    ...real,
    measureTimes: <K extends string>(candidates: Readonly<Record<K, () => void>>, options?: TimingOptions): Record<K, Timing> => {
      if (!fake.contradict) return real.measureTimes(candidates, options);
      const t = (median: number): Timing => ({ median, q1: median * 0.95, q3: median * 1.05, samples: 9, batch: 100 });
      return Object.fromEntries(Object.keys(candidates).map((k) => [k, t(k === 'reverse' ? 2e-3 : 1e-3)])) as Record<K, Timing>;
    },
  };
});

const { contradiction, timingRatio, measureTimes, TimingContradictionError } = await import('../../src/harness/timing.ts');
const { measureCost, baselineContradictions } = await import('../../src/harness/cost.ts');
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
});
