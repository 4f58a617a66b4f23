// The training experiment: AD and central differences from the same start, with their evaluation counts.
import { describe, expect, it } from 'vitest';
import { trainingExperiment, twoMoons } from '../../src/harness/training.ts';
import { measureTimes } from '../../src/harness/timing.ts';

describe('trainingExperiment', () => {
  const r = trainingExperiment({ hidden: 4, samples: 32, steps: 40, lr: 0.05, timer: measureTimes });

  it('counts 2n + 1 loss evaluations per central-difference step and one forward and one backward per AD step', () => {
    // 2→4→4→2: (2·4 + 4) + (4·4 + 4) + (4·2 + 2) = 42 parameters.
    expect(r.parameters).toBe(42);
    expect([r.fd.forwardPerStep, r.fd.backwardPerStep]).toEqual([85, 0]);
    expect([r.ad.forwardPerStep, r.ad.backwardPerStep]).toEqual([1, 1]);
  });

  it('starts both runs from the same weights, with gradients that agree to central differences’ accuracy', () => {
    expect(r.ad.loss[0]).toBe(r.fd.loss[0]);
    expect(r.startGradientRelativeDifference).toBeLessThan(1e-6);
    expect(r.startGradientRelativeDifference).toBeGreaterThan(0);
  });

  it('both runs learn, and their curves stay close (the same steps from almost the same gradients)', () => {
    expect(r.ad.loss).toHaveLength(40);
    expect(r.ad.elapsedMs).toHaveLength(40);
    expect(r.ad.finalLoss).toBeLessThan(r.ad.loss[0] * 0.7);
    expect(Math.abs(r.ad.finalLoss - r.fd.finalLoss)).toBeLessThan(1e-4);
  });

  it('times each kind of step with its spread, and the ratio is the quotient of the two medians', () => {
    const t = r.msPerStep!;
    for (const k of [t.ad, t.fd, t.forward]) {
      expect(k.samples).toBe(15);
      expect(k.q1).toBeLessThanOrEqual(k.median);
      expect(k.median).toBeLessThanOrEqual(k.q3);
    }
    expect(t.ratio.median).toBeCloseTo(t.fd.median / t.ad.median, 10);
    expect(t.ratio.low).toBeLessThanOrEqual(t.ratio.median);
    expect(t.ratio.high).toBeGreaterThanOrEqual(t.ratio.median);
    expect(t.predictedRatio).toBeCloseTo((2 * r.parameters + 1) / t.adInForwards.median, 10);
  });

  it('without a timer the steps are not timed (the module stays free of Node-only timing code)', () => {
    expect(trainingExperiment({ hidden: 2, samples: 8, steps: 2 }).msPerStep).toBeUndefined();
  });

  it('twoMoons is deterministic in its seed and balanced', () => {
    const a = twoMoons(10, 0.1, 3), b = twoMoons(10, 0.1, 3), c = twoMoons(10, 0.1, 4);
    expect(a.x.tolist()).toEqual(b.x.tolist());
    expect(a.x.tolist()).not.toEqual(c.x.tolist());
    expect(a.y.tolist()).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(() => twoMoons(1, 0, 0)).toThrow(RangeError);
  });
});
