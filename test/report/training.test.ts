// The training section: its caption and notes are computed from the measured run, never from fixed text.
import { describe, expect, it } from 'vitest';
import type { TrainingCurve, TrainingExperiment } from '../../src/harness/training.ts';
import { trainingSection } from '../../src/report/sections/training.ts';

function curve(method: TrainingCurve['method'], forwardPerStep: number): TrainingCurve {
  return { method, loss: [0.7, 0.3, 0.1], elapsedMs: [1, 2, 3], forwardPerStep, backwardPerStep: method === 'ad' ? 1 : 0, finalLoss: 0.1, finalAccuracy: 1 };
}

function experiment(adMs: number, fdMs: number): TrainingExperiment {
  return {
    options: { seed: 1, samples: 64, hidden: 12, steps: 3, lr: 0.03, noise: 0.1, fdStep: 6e-6 },
    parameters: 218,
    ad: curve('ad', 1),
    fd: curve('central-difference', 437),
    startGradientRelativeDifference: 1e-9,
    msPerStep: { ad: adMs, fd: fdMs, ratio: fdMs / adMs },
  };
}

describe('training section', () => {
  it('states the cost per step from the counts and the measured times', async () => {
    const blocks = await trainingSection.render({ experiment: experiment(0.2, 43.7), svg: '<svg/>' }, {} as never);
    expect(blocks.caption).toContain('437 loss evaluations per step');
    expect(blocks.caption).toContain('a step took a median 43.7 ms against 0.2 ms: 220× slower');
  });

  it('calls an AD step within the cheap-gradient bound only when it is (2 forward passes here, 20 there)', async () => {
    // 43.7 ms over 437 forward passes is 0.1 ms per pass.
    const cheap = await trainingSection.render({ experiment: experiment(0.2, 43.7), svg: '<svg/>' }, {} as never);
    expect(cheap.notes.join(' ')).toContain('about 2 no-grad forward passes: within the textbook 2–5');
    const dear = await trainingSection.render({ experiment: experiment(2, 43.7), svg: '<svg/>' }, {} as never);
    expect(dear.notes.join(' ')).toContain('about 20 no-grad forward passes: more than the textbook 2–5');
  });
});
