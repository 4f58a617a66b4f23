// Section "accuracy": every method's error against the 64-digit reference over the suite, and the error-versus-step V curve.
import fc from 'fast-check';
import { apply, constant, type Expr } from '../../ir/node.ts';
import { toInfix } from '../../ir/print.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import { measureVCurve, type VCurve } from '../../harness/accuracy.ts';
import { expressionWithPoint, type GradientCase } from '../../harness/arbitraries.ts';
import { isPass, judgeCase } from '../../harness/agreement.ts';
import type { Suite } from '../../harness/suite.ts';
import { accuracySpec, renderFigure, vCurveSpec, typicalFloor } from '../plots.ts';
import type { ReportSection } from '../section.ts';
import type { TableData } from '../tables.ts';
import { errorText, medianOf, pointText, relativeErrorDefinition, sig } from './common.ts';

/** One method's error on one case (null when the answer was not measured: refused, or a non-finite point). */
export interface AccuracyEntry {
  readonly caseId: string;
  readonly method: string;
  readonly verdict: string;
  readonly error: number | null;
}

/** What the accuracy section measured. */
export interface AccuracyData {
  readonly cases: readonly string[];
  readonly fixedCases: number;
  readonly randomCases: number;
  readonly entries: readonly AccuracyEntry[];
  readonly vcurve?: VCurve;
}

/** `expr` with every variable but `keep` replaced by its value at the point: a one-variable slice for the V curve. */
export function sliceAlong(expr: Expr, variables: readonly string[], point: ArrayLike<number>, keep: string): Expr {
  const value = new Map(variables.map((v, i) => [v, point[i]]));
  const built = new Map<number, Expr>();
  for (const node of topologicalOrder(expr)) {
    if (node.kind === 'var') built.set(node.id, node.name === keep ? node : constant(value.get(node.name)!));
    else if (node.kind === 'const') built.set(node.id, node);
    else built.set(node.id, apply(node.op, ...(node.args.map((a) => built.get(a.id)!) as [Expr, Expr])));
  }
  return built.get(expr.id)!;
}

function vCurveTarget(suite: Suite): { expr: Expr; variable: string; x: number; label: string } | undefined {
  if (suite.vCurve) {
    const f = suite.vCurve.function;
    const i = f.variables.indexOf(suite.vCurve.variable);
    return { expr: sliceAlong(f.expr, f.variables, f.point, suite.vCurve.variable), variable: suite.vCurve.variable, x: f.point[i], label: suite.vCurve.label };
  }
  const f = suite.functions[0];
  if (f === undefined) return undefined;
  const v = f.variables[0];
  const others = f.variables.length > 1 ? ` (the other variables held at ${pointText(f.variables.slice(1), f.point.slice(1))})` : '';
  return { expr: sliceAlong(f.expr, f.variables, f.point, v), variable: v, x: f.point[0], label: `${f.name}${others}` };
}

function accuracyTable(entries: readonly AccuracyEntry[], methods: readonly string[], kinds: ReadonlyMap<string, string>): TableData {
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
        errorText(errors.length ? medianOf(errors) : undefined),
        errorText(errors.length ? errors[errors.length - 1] : undefined),
        [...skipped].map(([v, k]) => `${v} ${k}`).join(', ') || '—',
      ];
    }),
  };
}

function vCurveTable(v: VCurve): TableData {
  return {
    columns: ['scheme', 'error model (a bound)', 'typical floor (median over a decade of h)', 'single best point', 'at h', 'model optimum h*', 'model bound at h*'],
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    rows: [
      ...v.series.map((s) => {
        const floor = typicalFloor(s);
        return [s.method, s.formula, floor ? `${errorText(floor.error)} (h ≈ ${errorText(floor.h)})` : '—', errorText(s.best.error), errorText(s.best.h), Number.isFinite(s.optimalStep) ? errorText(s.optimalStep) : '∞ (no truncation term)', errorText(s.optimalError)];
      }),
      ...v.flat.map((f) => [f.method, 'no step: exact up to rounding', f.error === 0 ? 'exact 0' : errorText(f.error), '—', '—', '—', '—']),
    ],
  };
}

export const accuracySection: ReportSection<AccuracyData> = {
  id: 'accuracy',
  dataKey: 'accuracy',
  weight: 5,
  measure(suite, profile, ctx) {
    const random = suite.randomExpressions ? fc.sample(expressionWithPoint({ depth: 4 }), { seed: ctx.seed, numRuns: profile.randomCases }) : [];
    const cases: { id: string; case: GradientCase }[] = [
      ...suite.functions.map((f) => ({ id: f.id, case: f as GradientCase })),
      ...suite.accuracyCases,
      ...random.map((c, i) => ({ id: `random-${i + 1}: ${toInfix(c.expr)} at ${pointText(c.variables, c.point)}`, case: c })),
    ];
    const entries: AccuracyEntry[] = [];
    cases.forEach(({ id, case: c }, i) => {
      ctx.progress((0.8 * i) / cases.length, `accuracy: ${i + 1}/${cases.length}`);
      const report = judgeCase(c, ctx.methods, { methodOptions: ctx.methodOptions });
      for (const a of report.answers) {
        const measured = a.error !== undefined && (isPass(a.verdict) || a.verdict === 'disagree' || a.verdict === 'under-resolved');
        entries.push({ caseId: id, method: a.method, verdict: a.verdict, error: measured ? a.error! : null });
      }
    });
    ctx.progress(0.8, 'V curve');
    const target = vCurveTarget(suite);
    const vcurve = target ? measureVCurve(target.expr, target.variable, target.x, ctx.methods, { perDecade: profile.vPerDecade, label: target.label }) : undefined;
    return { cases: cases.map((c) => c.id), fixedCases: cases.length - random.length, randomCases: random.length, entries, vcurve };
  },
  async render(data, ctx) {
    const methods = ctx.methods.map((m) => m.name);
    const measured = data.entries.filter((e): e is AccuracyEntry & { error: number } => e.error !== null && Number.isFinite(e.error));
    const exactMethods = methods.filter((m) => ctx.kinds.get(m) === 'exact');
    const numericMethods = methods.filter((m) => ctx.kinds.get(m) === 'numeric');
    const errorsOf = (names: readonly string[]) => measured.filter((e) => names.includes(e.method)).map((e) => e.error);
    const exactErrors = errorsOf(exactMethods);
    const perNumeric = numericMethods.map((m) => ({ m, median: medianOf(errorsOf([m])) })).filter((x) => Number.isFinite(x.median)).sort((a, b) => a.median - b.median);
    const n = data.cases.length;
    const accuracyCaption =
      `Over ${n} cases the exact methods' relative error has median ${errorText(medianOf(exactErrors))} and maximum ${errorText(Math.max(...exactErrors, 0))}` +
      (perNumeric.length > 0
        ? `, while the numeric methods' medians run from ${errorText(perNumeric[0].median)} (${perNumeric[0].m}) to ${errorText(perNumeric[perNumeric.length - 1].median)} (${perNumeric[perNumeric.length - 1].m}).`
        : '.');
    const v = data.vcurve;
    let vCaption = '';
    const figures = [
      { id: 'accuracy', file: 'accuracy.svg', title: 'Relative error per method over the suite', caption: accuracyCaption, ...(await renderFigure(accuracySpec(measured, methods))) },
    ];
    if (v) {
      const parts = v.series
        .filter((s) => s.scheme === 'forward' || s.scheme === 'central' || s.scheme === 'five-point')
        .map((s) => {
          const floor = typicalFloor(s);
          return `${s.scheme} differences level off at a typical ${errorText(floor?.error)} near h = ${errorText(floor?.h)} (single best point ${errorText(s.best.error)}; model optimum h* = ${errorText(s.optimalStep)})`;
        });
      const complex = v.series.find((s) => s.scheme === 'complex-step');
      if (complex) parts.push(`the complex step reaches ${errorText(typicalFloor(complex)?.error)} once h is small`);
      const zero = v.flat.filter((f) => f.error === 0).map((f) => f.method);
      if (zero.length > 0) parts.push(`${zero.join(', ')} ${zero.length > 1 ? 'are' : 'is'} exactly right (error exactly 0)`);
      const nonzero = v.flat.filter((f) => f.error !== 0);
      if (nonzero.length > 0) parts.push(`${nonzero.map((f) => `${f.method} ${errorText(f.error)}`).join(', ')}`);
      vCaption = `On ${v.label} at ${v.variable} = ${v.point} (f′ = ${sig(v.exact, 10)}), ${parts.join('; ')}.`;
      figures.push({ id: 'v-curve', file: 'v-curve.svg', title: 'Error against step size', caption: vCaption, ...(await renderFigure(vCurveSpec(v))) });
    }
    const suiteText =
      ctx.suite.randomExpressions
        ? `The suite: the ${ctx.suite.functions.length} functions of section 1, ${ctx.suite.accuracyCases.length} fixed cases and ${data.randomCases} random expressions drawn by the property-test generators (seed ${ctx.seed}).`
        : `The suite: the ${ctx.suite.functions.length} functions of section 1 at their points.`;
    const richardson = v?.series.find((s) => s.scheme === 'richardson');
    return {
      title: 'Accuracy against the high-precision reference',
      caption: `${accuracyCaption}${vCaption ? ` ${vCaption}` : ''}`,
      notes: [
        `${suiteText} ${relativeErrorDefinition} The box plot shows each method's errors as quartiles with the median marked; errors of exactly 0 cannot sit on a log axis, so they are counted in the table ("exactly 0") and drawn as a separate "exact 0" column.`,
        ...(v
          ? [
              `The V curve runs each finite-difference scheme at fixed steps (no error estimate), with h decreasing from left to right. A single lowest point is often luck (its neighbours are many times worse), so the table quotes a typical floor: the median error over the decade of h around the best step. The grey guides show the slopes O(h), O(h²) and O(h⁴) that truncation follows on the right-hand side of each V; on the left, round-off grows like ε/h.`,
              'The dashed lines are the error models fed with the true higher derivatives. They are bounds, not predictions: the round-off term assumes every evaluation of f is off by its worst-case rounding bound and the errors of the two evaluations add up, while real rounding errors are smaller and partly cancel. That is why the dashed V sits one to two orders of magnitude above the measured one; the model still places the optimum step correctly to within a decade.' +
                (richardson && !Number.isFinite(richardson.optimalStep)
                  ? ` Richardson's model optimum is h* = ∞: its truncation term is proportional to |f^(${richardson.formula.match(/f\^\((\d+)\)/)?.[1] ?? 'k'})|${v.label.startsWith('l₄') ? ', and l₄ is a polynomial of degree 8' : ''}, so that derivative is exactly 0 and the bound keeps only its round-off term, which shrinks as h grows. The measured error does not follow it to large h: the bound is first order in the step and says nothing once h is no longer small.`
                  : ''),
            ]
          : []),
      ],
      tables: [
        { title: 'Relative error per method over the suite', table: accuracyTable(data.entries, methods, ctx.kinds) },
        ...(v ? [{ title: 'V curve: typical floor, best point and the model', table: vCurveTable(v) }] : []),
      ],
      figures,
      code: [],
    };
  },
};
