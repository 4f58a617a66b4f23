// Section "training": one small network trained with AD gradients and with central-difference gradients from the same start.
//
// The lesson of the seeds' last step (loss, zero_grad, backward, step) in one picture: both runs take the same
// optimizer steps on the same data from the same weights, so their loss curves lie on top of each other against
// steps, and separate by the cost of the gradient against CPU time: 2n + 1 loss evaluations per step for
// central differences against one forward and one backward pass for reverse mode.

/**
 * How far a central-difference step may cost more or less than 2n + 1 forward passes before the times contradict
 * the count: besides the passes, a step perturbs and restores each entry and runs Adam, a few percent here.
 */
const countSlack = 1.5;
import type { TopLevelSpec } from 'vega-lite';
import { trainingExperiment, type TrainingCurve, type TrainingExperiment } from '../../harness/training.ts';
import { contradiction, measureTimes } from '../../harness/timing.ts';
import { renderFigure } from '../plots.ts';
import { figureFont } from '../text-metrics.ts';
import type { ReportSection } from '../section.ts';
import { formatRatio, formatTiming, sig } from './common.ts';

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
    config: { font: figureFont, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 12, labelLimit: 360 } },
    title: { text: `Training a ${e.parameters}-parameter network on two moons`, subtitle: 'same start, same data, same Adam steps; only the gradient differs' },
    // One panel above the other, so the figure fits a phone's width.
    vconcat: [
      panel({ field: 'step', type: 'quantitative', title: 'optimizer step' }, 'against steps: the curves coincide'),
      panel({ field: 'ms', type: 'quantitative', title: 'CPU time (ms, log)', scale: { type: 'log' } }, 'against time: AD is done first'),
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
    // At least 9 interleaved samples of each kind of step, even in the tiny profile, so the quartiles mean something.
    // (Each sample lasts at least one central-difference step, tens of ms: see trainingExperiment.)
    const experiment = trainingExperiment({ seed: ctx.seed, steps: stepsByProfile[ctx.profile], timingSampleMs: ctx.settings.sampleMs, timingSamples: Math.max(9, ctx.settings.samples), timer: measureTimes });
    return { experiment, ...(await renderFigure(trainingSpec(experiment))) };
  },
  render({ experiment: e, svg, narrowSvg }) {
    const n = e.parameters;
    const t = e.msPerStep;
    if (t === undefined) throw new Error('training section: the experiment was run without a timer, so its steps have no times');
    // The forward pass, timed in the same interleaved rounds, is the unit of the counts: a central-difference step is
    // 2n + 1 of them, an AD step one forward (recording the graph) and one backward.
    const conflict = contradiction('central-difference step in forward passes', t.fdInForwards, e.fd.forwardPerStep, countSlack);
    const caption =
      `With n = ${n} parameters, a central-difference gradient costs ${e.fd.forwardPerStep} loss evaluations per step against one forward and one backward pass for reverse-mode AD; ` +
      `both runs reach the same loss (${sig(e.ad.finalLoss)} and ${sig(e.fd.finalLoss)} after ${e.ad.loss.length} steps), but a step took a median ${sig(t.fd.median)} ms against ${sig(t.ad.median)} ms: ${formatRatio(t.ratio)} slower (quartile spread in brackets).`;
    const row = (c: TrainingCurve, time: typeof t.ad, inForwards: typeof t.ratio) => [
      c.method === 'ad' ? 'reverse-mode AD' : 'central differences',
      String(c.forwardPerStep),
      String(c.backwardPerStep),
      formatTiming(time),
      formatRatio(inForwards),
      sig(c.loss[0], 4),
      sig(c.finalLoss, 4),
      `${Math.round(c.finalAccuracy * 100)}%`,
    ];
    const adK = t.adInForwards.median;
    return {
      title: 'Training a network: AD against finite differences',
      caption,
      notes: [
        `A 2→${e.options.hidden}→${e.options.hidden}→2 tanh network (n = ${n} parameters, PyTorch's default initialisation from seed ${e.options.seed}) is trained on ${e.options.samples} two-moons points with Adam (learning rate ${e.options.lr}) and the cross-entropy loss, twice from the same weights: once with loss.backward(), once with central-difference gradients (step ${e.options.fdStep}·max(1, |θ|)).`,
        `At the common start the two gradients differ by ${sig(e.startGradientRelativeDifference, 2)} relative to the largest entry: central differences are accurate enough to train with, which is why the curves against steps lie on top of each other. What differs is cost: per step, differences evaluate the loss 2n + 1 times, reverse mode once forward and once backward, whatever n is (the cheap gradient principle).`,
        `How the times were taken: apart from the two runs, on this process's CPU clock (so waiting for a core on a busy machine does not count), each kind of step warmed up until V8's optimised code settled, then AD steps, central-difference steps and bare no-grad forward passes sampled in ${t.ad.samples} interleaved rounds; medians, with the quartiles in brackets. In units of that forward pass, one AD step (recording the graph, the backward pass, Adam) cost ${formatRatio(t.adInForwards)} forward passes: ${
          adK <= 5
            ? 'within the textbook 2–5 of the cheap gradient principle'
            : 'more than the textbook 2–5, because on tensors this small the per-op bookkeeping of the graph outweighs the arithmetic'
        }, and far below 2n + 1 = ${e.fd.forwardPerStep}. One central-difference step cost ${formatRatio(t.fdInForwards)} forward passes, ${
          conflict === undefined
            ? `consistent with its count of ${e.fd.forwardPerStep}`
            : `which contradicts its count of ${e.fd.forwardPerStep} beyond ×${countSlack}: a measurement problem, not a property of the method`
        }; so the counts predict a ratio of ${e.fd.forwardPerStep} / ${sig(adK, 2)} ≈ ${sig(t.predictedRatio, 2)}×, against the ${formatRatio(t.ratio)} measured. The loss against time in the figure is each run's own CPU time, first steps included.`,
      ],
      tables: [
        {
          title: 'Per optimizer step',
          table: {
            columns: ['gradient', 'forward passes', 'backward passes', 'time (median, quartiles)', 'time in forward passes', 'loss at start', 'final loss', 'accuracy'],
            align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
            rows: [row(e.ad, t.ad, t.adInForwards), row(e.fd, t.fd, t.fdInForwards)],
          },
        },
      ],
      figures: [{ id: 'training', file: 'training.svg', title: 'Loss against steps and against time', caption, svg, narrowSvg }],
      code: [],
    };
  },
  json: ({ svg: _svg, narrowSvg: _narrow, ...rest }) => rest,
};
