// The report's content: runs the default suite, measures every section, and derives each caption from the measured numbers.
import { cpus } from 'node:os';
import fc from 'fast-check';
import type { GradientMethod } from '../diff/method.ts';
import { toInfix, toWengert } from '../ir/print.ts';
import { measureVCurve, type VCurve } from '../harness/accuracy.ts';
import { askMethod, type MethodOptions } from '../harness/answers.ts';
import { expressionWithPoint, type GradientCase } from '../harness/arbitraries.ts';
import { judgeCase, runAgreement, isPass, type AgreementRun, type CaseReport } from '../harness/agreement.ts';
import { measureCost, type CostSweep } from '../harness/cost.ts';
import { errorText, exactText, formatCounterexample, pointText } from '../harness/format.ts';
import { referenceGradient, referenceTrace } from '../harness/reference.ts';
import { accuracyCases, lessons, logisticMap, pitfalls, type LessonCase } from '../harness/suite.ts';
import { measureSwell, type SwellRow } from '../harness/swell.ts';
import { defaultFactors } from '../harness/tolerance.ts';
import { accuracySpec, costSpec, countSpec, renderSvg, swellSpec, vCurveSpec } from './plots.ts';
import { graphDot, renderDot, type GraphNode } from './graph.ts';
import { agreementTable, type TableData } from './tables.ts';
import { higherOrderSection, measureTraces, tracesSection } from './teaching.ts';
import { measureHigherOrder } from '../harness/higher-order.ts';
import { measureJacobianShapes } from '../harness/jacobian-shape.ts';
import { tallWideSection } from './tall-wide.ts';
import { measureControlFlow } from '../harness/control-flow.ts';
import { controlFlowSection } from './control-flow.ts';

/** How much work a report does: `full` (the committed example), `quick` (under a minute), `tiny` (tests). */
export type ReportProfile = 'full' | 'quick' | 'tiny';

interface ProfileSettings {
  readonly agreementRuns: number;
  readonly randomCases: number;
  readonly costNs: readonly number[];
  readonly costMinTimeMs: number;
  /** Longest one gradient call the cost sweep will make (predicted from the previous n). */
  readonly slowCallMs: number;
  readonly swellMax: number;
  readonly symbolicBudgetMs: number;
  readonly vPerDecade: number;
  readonly chainDepth: number;
  /** Highest derivative order of the higher-order section. */
  readonly higherOrderMax: number;
  /** Tall versus wide: each timing sample repeats a Jacobian for this long (ms), and this many samples give the median. */
  readonly jacobianMinTimeMs: number;
  readonly jacobianSamples: number;
}

/** The settings of each profile (documented in `gradlab report --help`). */
export const profiles: Readonly<Record<ReportProfile, ProfileSettings>> = {
  full: { agreementRuns: 1000, randomCases: 200, costNs: [10, 30, 100, 300, 1000], costMinTimeMs: 100, slowCallMs: 30_000, swellMax: 10, symbolicBudgetMs: 20_000, vPerDecade: 8, chainDepth: 1000, higherOrderMax: 8, jacobianMinTimeMs: 20, jacobianSamples: 9 },
  quick: { agreementRuns: 100, randomCases: 30, costNs: [10, 100, 1000], costMinTimeMs: 20, slowCallMs: 1500, swellMax: 10, symbolicBudgetMs: 1000, vPerDecade: 4, chainDepth: 1000, higherOrderMax: 6, jacobianMinTimeMs: 5, jacobianSamples: 5 },
  tiny: { agreementRuns: 15, randomCases: 8, costNs: [10, 100], costMinTimeMs: 2, slowCallMs: 5000, swellMax: 8, symbolicBudgetMs: 1000, vPerDecade: 2, chainDepth: 200, higherOrderMax: 6, jacobianMinTimeMs: 1, jacobianSamples: 3 },
};

/** A figure: an SVG produced by vega-lite or Graphviz, with the takeaway as its caption. */
export interface Figure {
  readonly id: string;
  /** File name under `figures/`. */
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

/** One section of the report. */
export interface Section {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  /** The one-sentence takeaway, derived from this run's numbers. */
  readonly caption: string;
  /** Paragraphs explaining what is measured (method, not results). */
  readonly notes: readonly string[];
  readonly tables: readonly { readonly title: string; readonly table: TableData }[];
  readonly figures: readonly Figure[];
  readonly code: readonly { readonly title: string; readonly text: string }[];
}

/** Facts about the run, for the reader and for reproducing it. */
export interface ReportMeta {
  readonly title: string;
  readonly profile: ReportProfile;
  readonly seed: number;
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly platform: string;
  readonly methods: readonly { readonly name: string; readonly summary: string; readonly kind: 'exact' | 'numeric' }[];
  readonly tolerance: { readonly exactFactor: number; readonly numericFactor: number };
  runtimeMs: number;
}

/** Everything the report holds: sections to render and the raw measurements (the JSON report). */
export interface ReportData {
  readonly meta: ReportMeta;
  readonly sections: readonly Section[];
  readonly data: Readonly<Record<string, unknown>>;
}

/** Options for {@link buildReport}. */
export interface BuildOptions {
  readonly seed: number;
  readonly profile: ReportProfile;
  readonly methods: readonly GradientMethod[];
  /** Called as work progresses: fraction done (0..1) and what is running. */
  readonly onProgress?: (fraction: number, label: string) => void;
}

const symbolicNames = ['symbolic', 'symbolic-simplified'];

function methodOptionsFor(settings: ProfileSettings): MethodOptions {
  return Object.fromEntries(symbolicNames.map((n) => [n, { timeBudgetMs: settings.symbolicBudgetMs }]));
}

/** Options for timing runs: numeric methods skip their error estimate ("false for pure timing runs"). */
function timingOptionsFor(settings: ProfileSettings, methods: readonly GradientMethod[], kinds: Map<string, string>): MethodOptions {
  return {
    ...methodOptionsFor(settings),
    ...Object.fromEntries(methods.filter((m) => kinds.get(m.name) === 'numeric').map((m) => [m.name, { estimate: false }])),
  };
}

/** The method kinds, judged by what they return on a lesson (numeric methods report an error estimate). */
function methodKinds(methods: readonly GradientMethod[]): Map<string, 'exact' | 'numeric'> {
  const probe = lessons()[0];
  return new Map(methods.map((m) => [m.name, askMethod(m, probe).result?.errorEstimate !== undefined ? 'numeric' : 'exact']));
}

const sig = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));
const ms = (x: number | undefined) => (x === undefined ? '—' : x < 0.01 ? `${(x * 1000).toFixed(2)} µs` : x < 10 ? `${x.toFixed(3)} ms` : `${x.toFixed(0)} ms`);

function answerRow(a: CaseReport['answers'][number], width: number): string[] {
  if (a.result === undefined) return [a.method, a.status, ...Array<string>(width).fill(''), '—', `${a.verdict}: ${a.explanation}`];
  return [a.method, exactText(a.result.value), ...Array.from(a.result.gradient, exactText), errorText(a.error), a.verdict];
}

// ---------------------------------------------------------------------------------------------------------------
// Section 1: the seeds' lessons

function lessonsSection(reports: readonly { lesson: LessonCase; report: CaseReport }[], kinds: Map<string, string>): Section {
  const tables = reports.map(({ lesson, report }) => ({
    title: `${lesson.title}: \`${lesson.text}\``,
    table: {
      columns: ['method', 'f', ...lesson.variables.map((v) => `∂f/∂${v}`), 'rel. error', 'verdict'],
      rows: [
        ['lesson says', '', ...lesson.expected.map(exactText), '', ''],
        ['reference (64 digits)', exactText(report.reference.value), ...Array.from(report.reference.gradient, exactText), '0', ''],
        ...report.answers.map((a) => answerRow(a, lesson.variables.length)),
      ],
    },
  }));
  const worst = new Map<string, number>();
  for (const { report } of reports) {
    for (const a of report.answers) worst.set(a.method, Math.max(worst.get(a.method) ?? 0, a.error ?? Infinity));
  }
  const exact = [...worst].filter(([m]) => kinds.get(m) === 'exact');
  const perfect = exact.filter(([, e]) => e === 0).map(([m]) => m);
  const numeric = [...worst].filter(([m]) => kinds.get(m) === 'numeric').sort((a, b) => b[1] - a[1]);
  const agreeWithLessons = reports.every(({ lesson, report }) => lesson.expected.every((g, i) => g === report.reference.gradient[i]));
  const caption =
    `${perfect.length} of ${exact.length} exact methods (${perfect.join(', ') || 'none'}) reproduce every lesson's gradient to the last bit` +
    (numeric.length > 0 ? `, while the finite-difference family is off by up to ${errorText(numeric[0][1])} (${numeric[0][0]})` : '') +
    (agreeWithLessons ? '; the 64-digit reference confirms every number the lessons print.' : '; the reference disagrees with a lesson (see the tables).');
  return {
    id: 'lessons',
    number: 1,
    title: "The seeds' lessons, every method side by side",
    caption,
    notes: [
      'Each lesson from the PyTorch tutorials the project was seeded with, differentiated by every registered method at the lesson\'s point. ' +
        '"rel. error" is ‖ĝ − g‖∞ / ‖g‖∞ against the 64-digit BigNumber reference; the Wengert lists below are the programs every method differentiates.',
    ],
    tables,
    figures: [],
    code: reports.map(({ lesson }) => ({ title: `${lesson.text} (Wengert list)`, text: toWengert(lesson.expr) })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Section 2: accuracy

interface AccuracyEntry {
  readonly caseId: string;
  readonly method: string;
  readonly verdict: string;
  readonly error: number | null;
}

function accuracyTable(entries: readonly AccuracyEntry[], methods: readonly string[], kinds: Map<string, string>): TableData {
  return {
    columns: ['method', 'kind', 'cases measured', 'exactly 0', 'median rel. error', 'max rel. error', 'not measured (why)'],
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'left'],
    rows: methods.map((m) => {
      const mine = entries.filter((e) => e.method === m);
      const errors = mine.filter((e) => e.error !== null).map((e) => e.error!).sort((a, b) => a - b);
      const skipped = new Map<string, number>();
      for (const e of mine) if (e.error === null) skipped.set(e.verdict, (skipped.get(e.verdict) ?? 0) + 1);
      return [
        m,
        kinds.get(m) ?? '',
        String(errors.length),
        String(errors.filter((e) => e === 0).length),
        errorText(errors.length ? errors[Math.floor((errors.length - 1) / 2)] : undefined),
        errorText(errors.length ? errors[errors.length - 1] : undefined),
        [...skipped].map(([v, k]) => `${v} ${k}`).join(', ') || '—',
      ];
    }),
  };
}

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
}

function vCurveTable(v: VCurve): TableData {
  return {
    columns: ['scheme', 'error model', 'best measured error', 'at h', 'model optimum h*', 'model error at h*'],
    align: ['left', 'left', 'right', 'right', 'right', 'right'],
    rows: [
      ...v.series.map((s) => [s.method, s.formula, errorText(s.best.error), errorText(s.best.h), errorText(s.optimalStep), errorText(s.optimalError)]),
      ...v.flat.map((f) => [f.method, 'no step: exact up to rounding', errorText(f.error), '—', '—', '—']),
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Section 3: cost

function costTables(sweep: CostSweep): { title: string; table: TableData }[] {
  const methods = [...new Set(sweep.points.map((p) => p.method))];
  const ratioTable: TableData = {
    columns: ['method', ...sweep.ns.map((n) => `n = ${n}`)],
    rows: methods.map((m) => [
      m,
      ...sweep.ns.map((n) => {
        const p = sweep.points.find((q) => q.method === m && q.n === n)!;
        if (p.ratio !== undefined) return `${sig(p.ratio)}× (${ms(p.timeMs)})`;
        return p.status === 'skipped' ? 'skipped' : p.status === 'budget' ? 'budget cut-off' : p.status;
      }),
    ]),
  };
  const count = (method: string, n: number, pick: (p: CostSweep['points'][number]) => number | undefined) => {
    const p = sweep.points.find((q) => q.method === method && q.n === n);
    const v = p ? pick(p) : undefined;
    return v === undefined ? '—' : String(v);
  };
  const countTable: TableData = {
    columns: [
      'n', 'f ops', 'f time', 'reverse mode compiled once (÷ f)', 'central FD, f compiled once (÷ f)', 'reverse-mode instructions (÷ f)', 'autograd tape', 'central FD evaluations', 'forward FD evaluations',
      'complex-step evaluations', 'symbolic-dag derivative nodes', 'mathjs derivative nodes',
    ],
    rows: sweep.baselines.map((b) => [
      String(b.n),
      String(b.fOps),
      ms(b.fTimeMs),
      `${ms(b.steady.reverseMs)} (${sig(b.steady.reverseRatio)}×)`,
      `${ms(b.steady.centralMs)} (${sig(b.steady.centralRatio)}×)`,
      `${b.reverseOps.gradient} (${sig(b.reverseOps.ratio)}×)`,
      count('autograd', b.n, (p) => p.tapeLength),
      count('numeric-central', b.n, (p) => p.evaluations),
      count('numeric-forward', b.n, (p) => p.evaluations),
      count('complex-step', b.n, (p) => p.evaluations),
      count('symbolic-dag', b.n, (p) => p.derivativeSize),
      count('symbolic', b.n, (p) => p.derivativeSize),
    ]),
  };
  return [
    { title: 'time(∇f) / time(f), with the time of one gradient', table: ratioTable },
    { title: 'Steady-state times (everything compiled once) and machine-independent counts', table: countTable },
  ];
}

function costCaption(sweep: CostSweep): string {
  const first = sweep.ns[0];
  const last = sweep.ns[sweep.ns.length - 1];
  const ratio = (method: string, n: number) => sweep.points.find((p) => p.method === method && p.n === n)?.ratio;
  const ops = (n: number) => sweep.baselines.find((b) => b.n === n)!.reverseOps.ratio;
  const central = (n: number) => sweep.points.find((p) => p.method === 'numeric-central' && p.n === n)?.evaluations;
  const steady = (n: number) => sweep.baselines.find((b) => b.n === n)!.steady;
  const parts = [
    `From n = ${first} to n = ${last} the reverse-mode gradient stays at ${sig(ops(first)) === sig(ops(last)) ? sig(ops(first)) : `${sig(ops(first))}–${sig(ops(last))}`}× f's instructions` +
      ` (compiled once, ${sig(steady(first).reverseRatio)}× → ${sig(steady(last).reverseRatio)}× f's time)`,
  ];
  const c0 = central(first);
  const c1 = central(last);
  parts.push(
    `, while central differences need ${c0 ?? 2 * first} → ${c1 ?? 2 * last} evaluations of f (2n) and cost ${sig(steady(first).centralRatio)}× → ${sig(steady(last).centralRatio)}× f`,
  );
  const a0 = ratio('autograd', first);
  const a1 = ratio('autograd', last);
  if (a0 !== undefined && a1 !== undefined) parts.push(`; per call, the taping autograd interpreter costs ${sig(a0)}× → ${sig(a1)}× f`);
  return `${parts.join('')}.`;
}

// ---------------------------------------------------------------------------------------------------------------
// Section 4: swell

function swellTable(rows: readonly SwellRow[]): TableData {
  const cell = (s: SwellRow['mathjs']) => (s.size !== undefined ? String(s.size) : s.status === 'budget' ? 'budget cut-off' : s.status === 'skipped' ? 'not tried' : s.status);
  return {
    columns: [
      'n', 'lₙ tree', 'lₙ DAG', 'mathjs dlₙ/dx (tree)', 'mathjs + simplify (tree)', 'DAG dlₙ/dx (distinct)', 'DAG dlₙ/dx as tree', 'autograd tape',
      'mathjs time', 'simplify time', 'DAG time', 'autograd time',
    ],
    rows: rows.map((r) => [
      String(r.n), String(r.fTree), String(r.fDag), cell(r.mathjs), cell(r.simplified), String(r.dag.size), String(r.dag.tree ?? '—'),
      r.tapeLength === undefined ? '—' : String(r.tapeLength), ms(r.mathjs.ms), r.simplified.status === 'budget' ? 'over budget' : ms(r.simplified.ms), ms(r.dag.ms), ms(r.autogradMs),
    ]),
  };
}

function swellCaption(rows: readonly SwellRow[]): string {
  const last = rows[rows.length - 1];
  const prev = rows[rows.length - 2];
  const parts: string[] = [];
  if (last.mathjs.size !== undefined && prev?.mathjs.size !== undefined) {
    parts.push(`At n = ${last.n} mathjs's derivative has ${last.mathjs.size} tree nodes (×${sig(last.mathjs.size / prev.mathjs.size, 2)} per step)`);
  }
  parts.push(`${parts.length ? ' while' : `At n = ${last.n}`} the DAG derivative has ${last.dag.size} distinct nodes (+${prev ? last.dag.size! - prev.dag.size! : 0} per step)`);
  if (last.tapeLength !== undefined) parts.push(` and the autograd tape ${last.tapeLength}`);
  const cut = rows.find((r) => r.simplified.status === 'budget');
  parts.push(cut ? `; simplify hit its time budget at n = ${cut.n}` : '; simplify finished within its budget for every n');
  return `${parts.join('')}: swell is a tree effect.`;
}

// ---------------------------------------------------------------------------------------------------------------
// Section 6: pitfalls

interface PitfallResult {
  readonly id: string;
  readonly title: string;
  readonly expression: string;
  readonly point: string;
  readonly why: string;
  readonly reference: { readonly value: number; readonly gradient: number };
  readonly answers: readonly { readonly method: string; readonly status: string; readonly value?: number; readonly gradient?: number; readonly note?: string }[];
}

function pitfallCaption(results: readonly PitfallResult[]): string {
  const bad = (r: PitfallResult) => r.answers.filter((a) => a.gradient === undefined || !Number.isFinite(a.gradient)).length;
  const naive = results.find((r) => r.id === 'log1pexp-naive');
  const stable = results.find((r) => r.id === 'log1pexp-stable');
  const chain = results.find((r) => r.id === 'deep-chain');
  const parts: string[] = [];
  if (naive && stable) {
    const stableOk = stable.answers.filter((a) => a.gradient !== undefined && Math.abs(a.gradient - 1) < 1e-6).length;
    parts.push(`At x = 1000 naive log(1 + exp(x)) leaves ${bad(naive)} of ${naive.answers.length} methods without a finite derivative while the stable softplus gives ≈1 in ${stableOk} of ${stable.answers.length}`);
  }
  if (chain) {
    const central = chain.answers.find((a) => a.method === 'numeric-central');
    if (central?.gradient !== undefined) {
      parts.push(`on the deep chain central differences return ${sig(central.gradient)} where the derivative is ${sig(chain.reference.gradient)}`);
    }
  }
  return `${parts.join('; ')}: AD is exact for the program, and the program must be numerically sound.`;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Runs the default suite and assembles the report: eleven sections with tables, figures (vega-lite and
 * Graphviz SVG) and captions computed from the measurements, plus every number for the JSON report.
 */
export async function buildReport(options: BuildOptions): Promise<ReportData> {
  const start = performance.now();
  const settings = profiles[options.profile];
  const methods = options.methods;
  const methodOptions = methodOptionsFor(settings);
  const judge = { methodOptions };
  const weights = { lessons: 1, accuracy: 3, vcurve: 2, cost: 6, swell: 4, agreement: 6, pitfalls: 2, graph: 1, traces: 1, higherOrder: 1, tallWide: 1, controlFlow: 1, figures: 1 };
  const total = Object.values(weights).reduce((s, w) => s + w, 0);
  let done = 0;
  const progress = (part: keyof typeof weights, fraction: number, label: string) =>
    options.onProgress?.(Math.min(1, (done + weights[part] * fraction) / total), label);
  const finish = (part: keyof typeof weights) => {
    done += weights[part];
    options.onProgress?.(done / total, `${part} done`);
  };
  const kinds = methodKinds(methods);

  // 1. Lessons.
  progress('lessons', 0, 'lessons');
  const lessonReports = lessons().map((lesson) => ({ lesson, report: judgeCase(lesson, methods, judge) }));
  finish('lessons');

  // 2. Accuracy over the suite: lessons, fixed cases, and random cases from the arbitraries (seeded).
  const random = fc.sample(expressionWithPoint({ depth: 4 }), { seed: options.seed, numRuns: settings.randomCases });
  const suite = [
    ...lessonReports.map(({ lesson }) => ({ id: lesson.id, case: lesson as GradientCase })),
    ...accuracyCases(),
    ...random.map((c, i) => ({ id: `random-${i + 1}: ${toInfix(c.expr)} at ${pointText(c.variables, c.point)}`, case: c })),
  ];
  const entries: AccuracyEntry[] = [];
  suite.forEach(({ id, case: c }, i) => {
    progress('accuracy', i / suite.length, `accuracy: ${i + 1}/${suite.length}`);
    const report = judgeCase(c, methods, judge);
    for (const a of report.answers) {
      const measured = a.error !== undefined && (isPass(a.verdict) || a.verdict === 'disagree' || a.verdict === 'under-resolved');
      entries.push({ caseId: id, method: a.method, verdict: a.verdict, error: measured ? a.error! : null });
    }
  });
  finish('accuracy');
  progress('vcurve', 0, 'V curve');
  const vcurve = measureVCurve(logisticMap(4), 'x', 0.2, methods, { perDecade: settings.vPerDecade, label: 'l₄ = 4th logistic-map iterate' });
  finish('vcurve');

  // 3. Cost.
  const cost = measureCost(settings.costNs, methods, {
    minTimeMs: settings.costMinTimeMs,
    slowCallMs: settings.slowCallMs,
    methodOptions: timingOptionsFor(settings, methods, kinds),
    onStep: (label) => progress('cost', 0.5, label),
  });
  finish('cost');

  // 4. Swell.
  const autograd = methods.find((m) => m.name === 'autograd');
  const swell = measureSwell(settings.swellMax, autograd, { timeBudgetMs: settings.symbolicBudgetMs, onStep: (l) => progress('swell', 0.5, l) });
  finish('swell');

  // 5. Agreement.
  const agreement: AgreementRun = runAgreement({
    methods,
    runs: settings.agreementRuns,
    seed: options.seed,
    methodOptions,
    continueAfterFailure: true,
    onCase: (i) => progress('agreement', i / settings.agreementRuns, `agreement: ${i + 1}/${settings.agreementRuns}`),
  });
  finish('agreement');

  // 6. Pitfalls.
  const pitfallResults: PitfallResult[] = pitfalls(settings.chainDepth).map((p, i) => {
    progress('pitfalls', i / 6, `pitfalls: ${p.id}`);
    const ref = referenceGradient(p.expr, p.variables, p.point);
    return {
      id: p.id,
      title: p.title,
      expression: p.expr.kind === 'op' && toInfix(p.expr).length > 120 ? `${toInfix(p.expr).slice(0, 117)}…` : toInfix(p.expr),
      point: pointText(p.variables, p.point),
      why: p.why,
      reference: { value: ref.value, gradient: ref.gradient[0] },
      answers: methods.map((m) => {
        const a = askMethod(m, p, methodOptions[m.name]);
        return a.result
          ? { method: m.name, status: a.status, value: a.result.value, gradient: a.result.gradient[0], note: a.result.notes?.join('; ') }
          : { method: m.name, status: a.status, note: a.reason };
      }),
    };
  });
  finish('pitfalls');

  // 7. Graph.
  progress('graph', 0, 'graph');
  const graphLesson = lessonReports.find(({ lesson }) => lesson.id === 'neuron')!.lesson;
  const trace = referenceTrace(graphLesson.expr, graphLesson.variables, graphLesson.point);
  const { dot, nodes } = graphDot(graphLesson.expr, trace);
  const graphSvg = await renderDot(dot);
  finish('graph');

  // 8. Evaluation traces (Baydin's example).
  progress('traces', 0, 'evaluation traces');
  const traces = measureTraces(methods.filter((m) => kinds.get(m.name) === 'numeric'), methodOptions);
  finish('traces');

  // 9. Higher order.
  progress('higherOrder', 0, 'higher order');
  const higherOrder = measureHigherOrder({ x: 0.5, maxOrder: settings.higherOrderMax, budgetMs: settings.symbolicBudgetMs });
  const higherOrderPart = await higherOrderSection(higherOrder, 9);
  finish('higherOrder');

  // 10. Tall versus wide.
  progress('tallWide', 0, 'tall versus wide Jacobians');
  const jacobianShapes = measureJacobianShapes({ minTimeMs: settings.jacobianMinTimeMs, samples: settings.jacobianSamples });
  const tallWidePart = await tallWideSection(jacobianShapes, 10);
  finish('tallWide');

  // 11. Control flow.
  progress('controlFlow', 0, 'control flow');
  const controlFlow = measureControlFlow();
  const controlFlowPart = controlFlowSection(controlFlow, 11);
  finish('controlFlow');

  // Figures.
  progress('figures', 0, 'figures');
  const measuredEntries = entries.filter((e): e is AccuracyEntry & { error: number } => e.error !== null && Number.isFinite(e.error));
  const accuracyFigure: Figure = {
    id: 'accuracy',
    file: 'accuracy.svg',
    title: 'Relative error per method over the suite',
    caption: '',
    svg: await renderSvg(accuracySpec(measuredEntries)),
  };
  const vFigure: Figure = { id: 'v-curve', file: 'v-curve.svg', title: 'Error against step size', caption: '', svg: await renderSvg(vCurveSpec(vcurve)) };
  const costFigure: Figure = { id: 'cost', file: 'cost.svg', title: 'Cost against n', caption: '', svg: await renderSvg(costSpec(cost)) };
  const countFigure: Figure = { id: 'counts', file: 'counts.svg', title: 'Counts against n', caption: '', svg: await renderSvg(countSpec(cost)) };
  const swellFigure: Figure = { id: 'swell', file: 'swell.svg', title: 'Expression swell', caption: '', svg: await renderSvg(swellSpec(swell)) };
  finish('figures');

  // Captions from the numbers.
  const exactMethods = methods.filter((m) => kinds.get(m.name) === 'exact').map((m) => m.name);
  const numericMethods = methods.filter((m) => kinds.get(m.name) === 'numeric').map((m) => m.name);
  const errorsOf = (names: readonly string[]) => measuredEntries.filter((e) => names.includes(e.method)).map((e) => e.error);
  const exactErrors = errorsOf(exactMethods);
  const perNumeric = numericMethods.map((m) => ({ m, median: medianOf(errorsOf([m])) })).filter((x) => Number.isFinite(x.median)).sort((a, b) => a.median - b.median);
  const accuracyCaption =
    `Over ${suite.length} cases the exact methods' relative error has median ${errorText(medianOf(exactErrors))} and maximum ${errorText(Math.max(...exactErrors, 0))}` +
    (perNumeric.length > 0
      ? `, while the numeric methods' medians run from ${errorText(perNumeric[0].median)} (${perNumeric[0].m}) to ${errorText(perNumeric[perNumeric.length - 1].median)} (${perNumeric[perNumeric.length - 1].m}).`
      : '.');
  const forward = vcurve.series.find((s) => s.scheme === 'forward');
  const centralV = vcurve.series.find((s) => s.scheme === 'central');
  const complex = vcurve.series.find((s) => s.scheme === 'complex-step');
  const vParts = [forward, centralV].filter((s) => s !== undefined).map((s) => `${s!.scheme} differences bottom out at ${errorText(s!.best.error)} near h = ${errorText(s!.best.h)} (model optimum ${errorText(s!.optimalStep)})`);
  if (complex) vParts.push(`the complex step reaches ${errorText(complex.best.error)}`);
  if (vcurve.flat.length > 0) vParts.push(`${vcurve.flat.map((f) => f.method).join(', ')} sit flat at ≤ ${errorText(Math.max(...vcurve.flat.map((f) => f.error)))}`);
  const vCaption = `On l₄ at x = 0.2 (f′ = ${sig(vcurve.exact, 10)}), ${vParts.join('; ')}.`;
  const methodRows = agreement.rows.filter((r) => r.b === 'reference');
  const knownTotal = methodRows.reduce((s, r) => s + r.runs - r.passed - r.counts.disagree - r.counts.crash, 0);
  const buggy = methodRows.filter((r) => r.counts.disagree + r.counts.crash > 0);
  const checked = methodRows.reduce((s, r) => s + r.passed, 0);
  const agreementCaption =
    buggy.length > 0
      ? `Over ${agreement.runsCompleted} random expressions ${methodRows.length - buggy.length} of ${methodRows.length} methods always agreed with the reference within their error models, but ${buggy.map((r) => `${r.a} disagreed ${r.counts.disagree + r.counts.crash} times`).join(', ')}: real bugs (the shrunk counterexample is below).`
      : `Over ${agreement.runsCompleted} random expressions every one of ${methodRows.length} methods agreed with the reference within its error model whenever it ran (${checked} checked answers, ${knownTotal} known cases, 0 bugs).`;

  const figures = {
    accuracy: { ...accuracyFigure, caption: accuracyCaption },
    v: { ...vFigure, caption: vCaption },
    cost: { ...costFigure, caption: costCaption(cost) },
    counts: { ...countFigure, caption: `Counts do not depend on the machine: evaluations of f grow with n for the difference schemes, the reverse-mode instruction ratio stays at ${sig(cost.baselines[0].reverseOps.ratio)}–${sig(cost.baselines[cost.baselines.length - 1].reverseOps.ratio)}.` },
    swell: { ...swellFigure, caption: swellCaption(swell) },
    graph: {
      id: 'graph',
      file: 'graph.svg',
      title: 'Computational graph',
      caption: `Reverse accumulation on ${graphLesson.text} at ${pointText(graphLesson.variables, graphLesson.point)}: each input's grad is the sum over paths of the products of the edge partials (${graphLesson.variables.map((v, i) => `∂f/∂${v} = ${exactText(trace.gradient[i].toNumber())}`).join(', ')}).`,
      svg: graphSvg,
    },
  };

  const sections: Section[] = [
    lessonsSection(lessonReports, kinds),
    {
      id: 'accuracy',
      number: 2,
      title: 'Accuracy against the high-precision reference',
      caption: `${accuracyCaption} ${vCaption}`,
      notes: [
        `The suite: the ${lessonReports.length} lessons, ${accuracyCases().length} fixed cases (Baydin's ln(x₁) + x₁x₂ − sin(x₂), l₄, sin(x)eˣ, a tanh chain, Rosenbrock n = 10, a hand-written sigmoid) and ${random.length} random expressions from the harness's arbitraries (seed ${options.seed}). ` +
          'Errors are norm-wise, ‖ĝ − g‖∞ / max(‖g‖∞, |f|/max(1, ‖x‖∞), ε), against the 64-digit BigNumber reference.',
        'The V curve runs each finite-difference scheme at fixed steps (option h, no error estimate) on l₄ = the 4th logistic-map iterate at x = 0.2 (Baydin et al.). Dashed lines are the error models of src/diff/numeric/error-model.ts fed with the true higher derivatives; diamonds mark each model\'s optimal step. Errors of exactly 0 are drawn at 1e-18.',
      ],
      tables: [
        { title: 'Relative error per method over the suite', table: accuracyTable(entries, methods.map((m) => m.name), kinds) },
        { title: 'V curve: best measured error against the model', table: vCurveTable(vcurve) },
      ],
      figures: [figures.accuracy, figures.v],
      code: [],
    },
    {
      id: 'cost',
      number: 3,
      title: 'Cost against the number of inputs',
      caption: figures.cost.caption,
      notes: [
        `Rosenbrock's function at n = ${settings.costNs.join(', ')} (the classic start x = (−1.2, 1, −1.2, …)). Time ratios divide the median time of one gradient by the median time of one compiled evaluation of f; they depend on the machine (see the metadata), the counts do not. The thick lines are the steady state a training loop sees, with everything compiled once: gradlab's compiled reverse-mode gradient (compileGradient), and central differences as 2n calls of compiled f. The thin lines are each registered method called through its public interface.`,
        `Each method is called through its public interface, so times include what a user pays per call (building the tape, compiling, differentiating symbolically); numeric methods run without their error estimate. A method is not tried at an n where one call would take over ${settings.slowCallMs / 1000} s (predicted from the previous n), nor after a budget cut-off.`,
      ],
      tables: costTables(cost),
      figures: [figures.cost, figures.counts],
      code: [],
    },
    {
      id: 'swell',
      number: 4,
      title: 'Expression swell on the logistic map',
      caption: figures.swell.caption,
      notes: [
        `lₙ₊₁ = 4lₙ(1 − lₙ), l₁ = x, differentiated for n = 1…${settings.swellMax}. mathjs works on trees: its derivative without simplify is counted in tree nodes, and simplify runs under a ${settings.symbolicBudgetMs / 1000} s budget per step (cut-offs are shown as such; larger n are not tried after one). gradlab's symbolic-dag builds the same derivative by reverse accumulation on the shared DAG.`,
      ],
      tables: [{ title: 'Sizes and times (teaching.md R1)', table: swellTable(swell) }],
      figures: [figures.swell],
      code: [],
    },
    {
      id: 'agreement',
      number: 5,
      title: 'Agreement matrix from the property run',
      caption: agreementCaption,
      notes: [
        `fast-check generated ${agreement.runsCompleted} random expressions (depth ≤ 4, every op, points inside every op's domain; seed ${agreement.seed}). ` +
          `Each method's gradient is compared with the reference: exact methods within ${defaultFactors.exact}× a first-order rounding bound that scales with conditioning, numeric methods also within ${defaultFactors.numeric}× their own error estimate. ` +
          'Pairs of methods are judged through the reference. Known cases (a method declaring it cannot run, a budget, a non-finite or non-differentiable point, a function the finite-difference step does not resolve) are counted, not failed.',
      ],
      tables: [{ title: 'Agreement matrix', table: agreementTable(agreement.rows) }],
      figures: [],
      code: agreement.counterexample
        ? [{ title: 'Shrunk counterexample', text: formatCounterexample(agreement.counterexample, `gradlab check --seed ${agreement.seed} --path "${agreement.counterexample.path}"`) }]
        : [],
    },
    {
      id: 'pitfalls',
      number: 6,
      title: 'Pitfalls: what each method returns, and why',
      caption: pitfallCaption(pitfallResults),
      notes: pitfallResults.map((r) => `**${r.title}.** ${r.why}`),
      tables: pitfallResults.map((r) => ({
        title: `${r.title}: \`${r.expression}\` at ${r.point}`,
        table: {
          columns: ['method', 'f', 'f′', 'note'],
          align: ['left', 'right', 'right', 'left'],
          rows: [
            ['reference (64 digits)', exactText(r.reference.value), exactText(r.reference.gradient), 'the exact derivative of the program'],
            ...r.answers.map((a) => [a.method, a.value === undefined ? a.status : exactText(a.value), a.gradient === undefined ? '—' : exactText(a.gradient), a.note ?? '']),
          ],
        },
      })),
      figures: [],
      code: [],
    },
    {
      id: 'graph',
      number: 7,
      title: 'The computational graph of a lesson',
      caption: figures.graph.caption,
      notes: [
        'Each value is a record { label | data | grad } as in micrograd\'s draw_dot; each op is a small node; the label on an edge into an op is the local partial ∂out/∂in at this point, from the op table. Drawn by Graphviz compiled to WebAssembly.',
      ],
      tables: [
        {
          title: 'Nodes (forward values and adjoints)',
          table: { columns: ['node', 'data', 'grad'], align: ['left', 'right', 'right'], rows: nodes.map((n: GraphNode) => [n.label, exactText(n.value), exactText(n.grad)]) },
        },
      ],
      figures: [figures.graph],
      code: [{ title: 'Wengert list', text: toWengert(graphLesson.expr) }],
    },
    tracesSection(traces, 8),
    higherOrderPart,
    tallWidePart,
    controlFlowPart,
  ];

  const meta: ReportMeta = {
    title: 'gradlab report: symbolic, numeric and automatic differentiation, measured',
    profile: options.profile,
    seed: options.seed,
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    platform: `${process.platform} ${process.arch}`,
    methods: methods.map((m) => ({ name: m.name, summary: m.summary, kind: kinds.get(m.name) ?? 'exact' })),
    tolerance: { exactFactor: defaultFactors.exact, numericFactor: defaultFactors.numeric },
    runtimeMs: 0,
  };
  const data = {
    lessons: lessonReports.map(({ lesson, report }) => ({
      id: lesson.id,
      expression: lesson.text,
      variables: lesson.variables,
      point: Array.from(lesson.point),
      expected: lesson.expected,
      reference: { value: report.reference.value, gradient: Array.from(report.reference.gradient) },
      answers: report.answers.map((a) => ({
        method: a.method,
        status: a.status,
        verdict: a.verdict,
        value: a.result?.value,
        gradient: a.result ? Array.from(a.result.gradient) : undefined,
        error: a.error,
        timeMs: a.timeMs,
      })),
    })),
    accuracy: { cases: suite.map((s) => s.id), entries },
    vcurve,
    cost,
    swell,
    agreement: {
      seed: agreement.seed,
      runsRequested: agreement.runsRequested,
      runsCompleted: agreement.runsCompleted,
      pointClasses: agreement.pointClasses,
      rows: agreement.rows,
      counterexample: agreement.counterexample
        ? { seed: agreement.counterexample.seed, path: agreement.counterexample.path, expression: toInfix(agreement.counterexample.report.case.expr) }
        : null,
      timeMs: agreement.timeMs,
    },
    pitfalls: pitfallResults,
    graph: { expression: graphLesson.text, dot, nodes },
    traces,
    higherOrder,
    jacobianShapes,
    controlFlow,
  };
  meta.runtimeMs = performance.now() - start;
  return { meta, sections, data };
}
