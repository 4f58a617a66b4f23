// Section "training": one small network trained with AD gradients and with central-difference gradients from the same start.
//
// The lesson of the seeds' last step (loss, zero_grad, backward, step) in one picture: both runs take the same
// optimizer steps on the same data from the same weights, so their loss curves lie on top of each other against
// steps, and separate by the cost of the gradient against wall-clock time: 2n + 1 loss evaluations per step for
// central differences against one forward and one backward pass for reverse mode.
import type { TopLevelSpec } from 'vega-lite';
import { trainingExperiment, type TrainingCurve, type TrainingExperiment } from '../../harness/training.ts';
import { renderFigure } from '../plots.ts';
import type { ReportSection } from '../section.ts';
import { sig } from './common.ts';

/** Steps per run in each profile: the central-difference run costs 2n + 1 forward passes per step. */
const stepsByProfile = { full: 150, quick: 60, tiny: 5 } as const;

/** The experiment's data with the rendered figure kept out of the JSON. */
export interface TrainingData {
  readonly experiment: TrainingExperiment;
  readonly svg: string;
  readonly narrowSvg?: string;
}

const label = (c: TrainingCurve) => (c.method === 'ad' ? 'reverse-mode AD' : 'central differences');

/** Two panels: loss against optimizer step (the curves coincide) and against wall-clock time (they do not). */
function trainingSpec(e: TrainingExperiment): TopLevelSpec {
  const values: { step: number; ms: number; loss: number; series: string }[] = [];
  for (const c of [e.ad, e.fd]) c.loss.forEach((loss, i) => values.push({ step: i + 1, ms: c.elapsedMs[i], loss, series: label(c) }));
  const y = { field: 'loss', type: 'quantitative' as const, title: 'cross-entropy loss', scale: { type: 'log' as const }, axis: { format: '~g' } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: [label(e.ad), label(e.fd)], range: ['#1f77b4', '#d62728'] }, legend: { orient: 'bottom' as const, direction: 'vertical' as const } };
  const panel = (x: Record<string, unknown>, title: string) => ({
    title,
    width: 300,
    height: 220,
    data: { values },
    mark: { type: 'line', strokeWidth: 2.5 },
    encoding: { x, y, color },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 12, labelLimit: 360 } },
    title: { text: `Training a ${e.parameters}-parameter network on two moons`, subtitle: 'same start, same data, same Adam steps; only the gradient differs' },
    // One panel above the other, so the figure fits a phone's width.
    vconcat: [
      panel({ field: 'step', type: 'quantitative', title: 'optimizer step' }, 'against steps: the curves coincide'),
      panel({ field: 'ms', type: 'quantitative', title: 'wall-clock time (ms, log)', scale: { type: 'log' } }, 'against time: AD is done first'),
    ],
  } as unknown as TopLevelSpec;
}

export const trainingSection: ReportSection<TrainingData> = {
  id: 'training',
  dataKey: 'training',
  weight: 3,
  applies: (suite) => suite.experiments.training === true,
  async measure(_suite, _settings, ctx) {
    ctx.progress(0, 'training with AD and with central differences');
    const experiment = trainingExperiment({ seed: ctx.seed, steps: stepsByProfile[ctx.profile] });
    return { experiment, ...(await renderFigure(trainingSpec(experiment))) };
  },
  render({ experiment: e, svg, narrowSvg }) {
    const n = e.parameters;
    // One AD step measured in units of the no-grad forward passes the central-difference run made.
    const forwardMs = e.msPerStep.fd / e.fd.forwardPerStep;
    const adInForwards = e.msPerStep.ad / forwardMs;
    const caption =
      `With n = ${n} parameters, a central-difference gradient costs ${e.fd.forwardPerStep} loss evaluations per step against one forward and one backward pass for reverse-mode AD; ` +
      `both runs reach the same loss (${sig(e.ad.finalLoss)} and ${sig(e.fd.finalLoss)} after ${e.ad.loss.length} steps), but a step took a median ${sig(e.msPerStep.fd)} ms against ${sig(e.msPerStep.ad)} ms: ${sig(e.msPerStep.ratio, 2)}× slower.`;
    const row = (c: TrainingCurve, ms: number) => [
      c.method === 'ad' ? 'reverse-mode AD' : 'central differences',
      String(c.forwardPerStep),
      String(c.backwardPerStep),
      sig(ms),
      sig(c.loss[0], 4),
      sig(c.finalLoss, 4),
      `${Math.round(c.finalAccuracy * 100)}%`,
    ];
    return {
      title: 'Training a network: AD against finite differences',
      caption,
      notes: [
        `A 2→${e.options.hidden}→${e.options.hidden}→2 tanh network (n = ${n} parameters, PyTorch's default initialisation from seed ${e.options.seed}) is trained on ${e.options.samples} two-moons points with Adam (learning rate ${e.options.lr}) and the cross-entropy loss, twice from the same weights: once with loss.backward(), once with central-difference gradients (step ${e.options.fdStep}·max(1, |θ|)).`,
        `At the common start the two gradients differ by ${sig(e.startGradientRelativeDifference, 2)} relative to the largest entry: central differences are accurate enough to train with, which is why the curves against steps lie on top of each other. What differs is cost: per step, differences evaluate the loss 2n + 1 times, reverse mode once forward and once backward, whatever n is (the cheap gradient principle). Times per step are medians over the run's steps on this machine. Measured in the central-difference run's own unit, one AD step (recording the graph, then the backward pass) cost about ${sig(adInForwards, 2)} no-grad forward passes: ${
          adInForwards <= 5
            ? 'within the textbook 2–5 of the cheap gradient principle'
            : 'more than the textbook 2–5, because on tensors this small the per-op bookkeeping outweighs the arithmetic'
        }, and far below 2n + 1 = ${e.fd.forwardPerStep}.`,
      ],
      tables: [
        {
          title: 'Per optimizer step',
          table: {
            columns: ['gradient', 'forward passes', 'backward passes', 'ms (median)', 'loss at start', 'final loss', 'accuracy'],
            align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
            rows: [row(e.ad, e.msPerStep.ad), row(e.fd, e.msPerStep.fd)],
          },
        },
      ],
      figures: [{ id: 'training', file: 'training.svg', title: 'Loss against steps and against time', caption, svg, narrowSvg }],
      code: [],
    };
  },
  json: ({ svg: _svg, narrowSvg: _narrow, ...rest }) => rest,
};
