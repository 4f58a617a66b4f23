// The report's plots as vega-lite specifications, rendered to SVG in Node by vega (no browser, no network).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { VCurve } from '../harness/accuracy.ts';
import type { CostSweep } from '../harness/cost.ts';
import type { SwellRow } from '../harness/swell.ts';
import type { HigherOrder } from '../harness/higher-order.ts';
import type { JacobianShapeSweep } from '../harness/jacobian-shape.ts';

/** Errors of exactly 0 cannot sit on a log axis: plots draw them here and say so in the legend. */
export const plotFloor = 1e-18;

const clamp = (error: number) => Math.max(error, plotFloor);

/** Renders a vega-lite specification to a standalone SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  config: { font: 'sans-serif', range: { category: { scheme: 'tableau20' } }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 } },
} as const;

const logAxis = (title: string, format = '.0e') => ({ type: 'quantitative' as const, title, scale: { type: 'log' as const }, axis: { format, tickCount: 8 } });

/** Accuracy strip plot: each method's relative errors over the suite, one row per method, log x axis. */
export function accuracySpec(entries: readonly { method: string; caseId: string; error: number }[]): TopLevelSpec {
  return {
    ...base,
    title: 'Relative error of each method against the 64-digit reference',
    width: 560,
    height: { step: 22 },
    data: { values: entries.map((e) => ({ ...e, plotted: clamp(e.error), exact: e.error === 0 ? 'exactly 0 (drawn at 1e-18)' : 'non-zero' })) },
    mark: { type: 'tick', thickness: 2 },
    encoding: {
      x: { field: 'plotted', ...logAxis('relative error ‖ĝ − g‖∞ / ‖g‖∞'), scale: { type: 'log', domain: [plotFloor / 10, 1] } },
      y: { field: 'method', type: 'nominal', title: null, sort: null },
      color: { field: 'exact', type: 'nominal', title: null, scale: { range: ['#1f77b4', '#2ca02c'], domain: ['non-zero', 'exactly 0 (drawn at 1e-18)'] } },
      tooltip: [{ field: 'caseId' }, { field: 'error' }],
    },
  } as TopLevelSpec;
}

/** The V curve: measured error against step for each scheme (solid), its model (dashed), optimal steps (diamonds), exact methods (flat). */
export function vCurveSpec(v: VCurve): TopLevelSpec {
  const measured = v.series.flatMap((s) =>
    s.measured.filter((m) => m.error !== null && Number.isFinite(m.error)).map((m) => ({ series: s.scheme, h: m.h, error: clamp(m.error!), kind: 'measured' })),
  );
  const model = v.series.flatMap((s) => s.model.filter((m) => m.error > 0 && Number.isFinite(m.error)).map((m) => ({ series: s.scheme, h: m.h, error: clamp(m.error), kind: 'model' })));
  const optimal = v.series.filter((s) => Number.isFinite(s.optimalStep) && s.optimalStep > 0 && s.optimalStep >= v.steps[v.steps.length - 1] && s.optimalStep <= v.steps[0])
    .map((s) => ({ series: s.scheme, h: s.optimalStep, error: clamp(s.optimalError), kind: 'optimal h (model)' }));
  const hMin = v.steps[v.steps.length - 1];
  const hMax = v.steps[0];
  const flat = v.flat.flatMap((f) =>
    [hMax, hMin].map((h) => ({ series: `${f.method} (no step${f.error === 0 ? '; exactly 0, drawn at 1e-18' : ''})`, h, error: clamp(f.error), kind: 'exact method' })),
  );
  const x = { field: 'h', ...logAxis('step h'), scale: { type: 'log' as const, domain: [hMin, hMax], reverse: true } };
  const y = { field: 'error', ...logAxis('relative error of f′'), scale: { type: 'log' as const, domain: [plotFloor / 10, 10] } };
  const color = { field: 'series', type: 'nominal' as const, title: 'method' };
  return {
    ...base,
    title: `Error of f′ against the step h: ${v.label} at ${v.variable} = ${v.point} (solid: measured, dashed: model, ◆: optimal h)`,
    width: 560,
    height: 360,
    layer: [
      { data: { values: measured }, mark: { type: 'line', point: { size: 18 } }, encoding: { x, y, color } },
      { data: { values: model }, mark: { type: 'line', strokeDash: [4, 3], opacity: 0.7 }, encoding: { x, y, color } },
      { data: { values: optimal }, mark: { type: 'point', shape: 'diamond', size: 140, filled: true, stroke: 'black' }, encoding: { x, y, color } },
      { data: { values: flat }, mark: { type: 'line', strokeWidth: 3, opacity: 0.8 }, encoding: { x, y, color } },
    ],
  } as TopLevelSpec;
}

/** Cost against n on log-log axes: time(∇f)/time(f) per method. */
export function costSpec(sweep: CostSweep): TopLevelSpec {
  const perCall = sweep.points.filter((p) => p.ratio !== undefined && p.ratio > 0).map((p) => ({ n: p.n, ratio: p.ratio, method: `${p.method} (per call)` }));
  const steady = sweep.baselines.flatMap((b) => [
    { n: b.n, ratio: b.steady.reverseRatio, method: 'reverse mode, compiled once' },
    { n: b.n, ratio: b.steady.centralRatio, method: 'central FD, f compiled once' },
  ]);
  const x = { field: 'n', ...logAxis('number of inputs n', '~s') };
  const y = { field: 'ratio', ...logAxis('time(∇f) / time(f)', '~s') };
  const color = { field: 'method', type: 'nominal' as const, title: 'method', sort: null };
  return {
    ...base,
    title: 'Cost of the gradient relative to f (Rosenbrock)',
    width: 560,
    height: 380,
    layer: [
      { data: { values: perCall }, mark: { type: 'line', point: { size: 20 }, opacity: 0.55, strokeWidth: 1.5 }, encoding: { x, y, color } },
      { data: { values: steady }, mark: { type: 'line', point: { size: 60, filled: true }, strokeWidth: 4 }, encoding: { x, y, color } },
    ],
  } as TopLevelSpec;
}

/** Machine-independent counts against n: evaluations of f, tape length, derivative size, reverse-mode instructions, each over f's. */
export function countSpec(sweep: CostSweep): TopLevelSpec {
  const values: { n: number; ratio: number; series: string }[] = [];
  for (const b of sweep.baselines) values.push({ n: b.n, ratio: b.reverseOps.ratio, series: 'reverse mode: gradient instructions / f instructions' });
  for (const p of sweep.points) {
    if (p.evaluations !== undefined && p.evaluations > 0) values.push({ n: p.n, ratio: p.evaluations, series: `${p.method}: evaluations of f` });
  }
  return {
    ...base,
    title: 'Machine-independent cost: work of the gradient in units of f',
    width: 560,
    height: 320,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'n', ...logAxis('number of inputs n', '~s') },
      y: { field: 'ratio', ...logAxis('cost in evaluations of f', '~s') },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

/** Expression swell: sizes against n (log y). */
export function swellSpec(rows: readonly SwellRow[]): TopLevelSpec {
  const values: { n: number; size: number; series: string }[] = [];
  for (const r of rows) {
    values.push({ n: r.n, size: r.fTree, series: 'lₙ as a tree' });
    values.push({ n: r.n, size: r.fDag, series: 'lₙ as a DAG' });
    if (r.mathjs.size !== undefined) values.push({ n: r.n, size: r.mathjs.size, series: 'mathjs derivative (tree)' });
    if (r.simplified.size !== undefined) values.push({ n: r.n, size: r.simplified.size, series: 'mathjs derivative, simplified (tree)' });
    if (r.dag.size !== undefined) values.push({ n: r.n, size: r.dag.size, series: 'DAG derivative (distinct nodes)' });
    if (r.tapeLength !== undefined) values.push({ n: r.n, size: r.tapeLength, series: 'autograd tape length' });
  }
  // A log axis cannot show 0 (the tape of l₁ = x is empty).
  const positive = values.filter((v) => v.size > 0);
  return {
    ...base,
    title: 'Expression swell on the logistic map lₙ₊₁ = 4lₙ(1 − lₙ)',
    width: 560,
    height: 340,
    data: { values: positive },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'n', type: 'quantitative', title: 'iterate n', axis: { tickMinStep: 1 } },
      y: { field: 'size', ...logAxis('nodes', '~s') },
      color: { field: 'series', type: 'nominal', title: null, sort: null },
    },
  } as TopLevelSpec;
}

/** Higher order: relative error of the nth derivative of tanh against the reference, per method (log y). */
export function higherOrderSpec(h: HigherOrder): TopLevelSpec {
  const values: { order: number; error: number; plotted: number; series: string }[] = [];
  const push = (order: number, error: number | undefined, series: string) => {
    if (error !== undefined && Number.isFinite(error)) values.push({ order, error, plotted: clamp(error), series });
  };
  for (const r of h.rows) {
    push(r.order, r.ad?.error, 'AD-of-AD (grad with createGraph)');
    push(r.order, r.symbolic?.error, 'symbolic-dag applied n times');
    push(r.order, r.fd.error, `FD-of-FD, fixed h = ${h.h.toPrecision(2)}`);
    push(r.order, r.fdTuned.error, 'FD-of-FD, h = ε^(1/(n+2)) per order');
  }
  return {
    ...base,
    title: `Relative error of dⁿ tanh/dxⁿ at x = ${h.x} (0 drawn at 1e-18)`,
    width: 560,
    height: 340,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'order', type: 'quantitative', title: 'order n', axis: { tickMinStep: 1 } },
      y: { field: 'plotted', ...logAxis('relative error against the 64-digit closed form') },
      color: { field: 'series', type: 'nominal', title: null, sort: null },
      strokeDash: { field: 'series', type: 'nominal', legend: null, sort: null },
      tooltip: [{ field: 'series' }, { field: 'order' }, { field: 'error' }],
    },
  } as TopLevelSpec;
}

/** Tall versus wide: cost of the forward-mode Jacobian over the reverse-mode one against m/n (log-log), with the break-even line. */
export function jacobianShapeSpec(sweep: JacobianShapeSweep): TopLevelSpec {
  const values = sweep.rows.flatMap((r) => [
    { aspect: r.aspect, ratio: r.instructionRatio, series: 'instructions executed (machine-independent)', shape: `${r.n}×${r.m}` },
    { aspect: r.aspect, ratio: r.timeRatio, series: 'median time', shape: `${r.n}×${r.m}` },
  ]);
  const aspects = sweep.rows.map((r) => r.aspect);
  const x = { field: 'aspect', ...logAxis('m / n (outputs per input: > 1 tall, < 1 wide)', '~g'), scale: { type: 'log' as const, domain: [Math.min(...aspects), Math.max(...aspects)] } };
  const y = { field: 'ratio', ...logAxis('cost(forward) / cost(reverse)', '~g') };
  return {
    ...base,
    title: `Full Jacobian of f: ℝⁿ → ℝᵐ with n·m = ${sweep.product}: forward over reverse (below 1: forward wins)`,
    width: 560,
    height: 340,
    layer: [
      { data: { values: [{ ratio: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' }, encoding: { y: { field: 'ratio', type: 'quantitative' } } },
      {
        data: { values },
        mark: { type: 'line', point: { size: 40, filled: true } },
        encoding: { x, y, color: { field: 'series', type: 'nominal', title: null, sort: null }, tooltip: [{ field: 'shape', title: 'n×m' }, { field: 'series' }, { field: 'ratio' }] },
      },
    ],
  } as TopLevelSpec;
}
