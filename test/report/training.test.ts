// The training section: its caption and notes are computed from the measured run, never from fixed text.
import { describe, expect, it } from 'vitest';
import type { TrainingCurve, TrainingExperiment } from '../../src/harness/training.ts';
import { trainingSection } from '../../src/report/sections/training.ts';
import { timingRatio } from '../../src/harness/timing.ts';

function curve(method: TrainingCurve['method'], forwardPerStep: number): TrainingCurve {
  return { method, loss: [0.7, 0.3, 0.1], elapsedMs: [1, 2, 3], forwardPerStep, backwardPerStep: method === 'ad' ? 1 : 0, finalLoss: 0.1, finalAccuracy: 1 };
}

/** A timing whose quartiles are ±5% around its median. */
const timing = (median: number) => ({ median, q1: 0.95 * median, q3: 1.05 * median, samples: 15, batch: 1 });

/** An experiment whose steps took `adMs` and `fdMs`, and a no-grad forward pass `forwardMs`. */
function experiment(adMs: number, fdMs: number, forwardMs = 0.1): TrainingExperiment {
  const [ad, fd, forward] = [timing(adMs), timing(fdMs), timing(forwardMs)];
  const adInForwards = timingRatio(ad, forward);
  return {
    options: { seed: 1, samples: 64, hidden: 12, steps: 3, lr: 0.03, noise: 0.1, fdStep: 6e-6, timingSampleMs: 5, timingSamples: 15 },
    parameters: 218,
    ad: curve('ad', 1),
    fd: curve('central-difference', 437),
    startGradientRelativeDifference: 1e-9,
    msPerStep: { ad, fd, forward, ratio: timingRatio(fd, ad), adInForwards, fdInForwards: timingRatio(fd, forward), predictedRatio: 437 / adInForwards.median },
  };
}

describe('training section', () => {
  it('states the cost per step from the counts and the measured times', async () => {
    const blocks = await trainingSection.render({ experiment: experiment(0.2, 43.7), svg: '<svg/>' }, {} as never);
    expect(blocks.caption).toContain('437 loss evaluations per step');
    // 43.7 / 0.2 = 218.5×, with the spread of ±5% quartiles on both sides: 43.7·0.95 / (0.2·1.05) = 198, 43.7·1.05 / (0.2·0.95) = 242.
    expect(blocks.caption).toContain('a step took a median 43.7 ms against 0.2 ms: 219× (198–242) slower');
    const table = blocks.tables[0].table;
    expect(table.rows[0][3]).toBe('0.2 ms (0.19 ms–0.21 ms)');
  });

  it('checks the central-difference step against its count of 2n + 1 forward passes, and says when the times contradict it', async () => {
    // 43.7 ms over a 0.1 ms forward pass is 437 passes: the count.
    const agrees = await trainingSection.render({ experiment: experiment(0.2, 43.7), svg: '<svg/>' }, {} as never);
    expect(agrees.notes.join(' ')).toContain('consistent with its count of 437');
    expect(agrees.notes.join(' ')).toContain('the counts predict a ratio of 437 / 2 ≈ 220×');
    // Twice the count, beyond its spread and the slack: the kind of reading a step timed on a loaded wall clock gave.
    const contradicts = await trainingSection.render({ experiment: experiment(0.2, 87.4), svg: '<svg/>' }, {} as never);
    expect(contradicts.notes.join(' ')).toContain('contradicts its count of 437');
  });

  it('calls an AD step within the cheap-gradient bound only when it is (2 forward passes here, 20 there)', async () => {
    // 43.7 ms over 437 forward passes is 0.1 ms per pass.
    const cheap = await trainingSection.render({ experiment: experiment(0.2, 43.7), svg: '<svg/>' }, {} as never);
    expect(cheap.notes.join(' ')).toContain('cost 2× (1.8–2.2) forward passes: within the textbook 2–5');
    const dear = await trainingSection.render({ experiment: experiment(2, 43.7), svg: '<svg/>' }, {} as never);
    expect(dear.notes.join(' ')).toContain('cost 20× (18–22) forward passes: more than the textbook 2–5');
  });
});
