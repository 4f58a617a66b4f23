// Section "agreement": the property run (random expressions and/or points from the suite's domains), each method's worst passing case, and a method × method heatmap.
import { toInfix } from '../../ir/print.ts';
import { isPass, runAgreement, verdicts, type AgreementRow, type CaseReport } from '../../harness/agreement.ts';
import { formatCounterexample, formatCase } from '../../harness/format.ts';
import { runFunctionAgreement } from '../../harness/function-agreement.ts';
import { defaultFactors, partialMeasure } from '../../harness/tolerance.ts';
import { heatmapSpec, renderFigure } from '../plots.ts';
import type { ReportSection, SectionContext, SectionTable } from '../section.ts';
import { agreementTable, type TableData } from '../tables.ts';
import { errorText, pointText, sig } from './common.ts';

/**
 * The passing answer with the largest error, per method and per measure: what "agree" covered at its loosest.
 * A partial whose exact value is larger than its tolerance is measured relatively (error and bound divided by
 * |∂f/∂v|); one whose exact value is 0, or no larger than the noise it is allowed, only absolutely (a relative
 * error would divide by almost nothing). Both are the same absolute judgement |ĝ − g| ≤ tolerance.
 */
export interface WorstPass {
  readonly method: string;
  readonly kind: 'exact' | 'numeric';
  /** `relative`: error and bound are divided by |∂f/∂v|; `absolute`: they are plain differences. */
  readonly measure: 'relative' | 'absolute';
  readonly expression: string;
  readonly point: string;
  /** The partial the row is about, and its exact value. */
  readonly variable: string;
  readonly exact: number;
  /** The partial's error, in the row's measure. */
  readonly error: number;
  /** The tolerance it passed under, in the same measure (relative bounds are below 1, or it would be `no-bound`). */
  readonly bound: number;
  /** Why the bound is that large. */
  readonly why: string;
  /** Condition estimate of the partial (1: a few ulps is all one may lose). */
  readonly condition: number;
}

/** What the agreement section measured. */
export interface AgreementData {
  readonly seed: number;
  /** Random expressions judged (0 for suites without them). */
  readonly randomRuns: number;
  /** Points judged on the suite's functions. */
  readonly functionRuns: number;
  readonly rows: readonly AgreementRow[];
  readonly pointClasses: Readonly<Record<CaseReport['pointClass'], number>>;
  readonly worst: readonly WorstPass[];
  readonly counterexample?: { readonly text: string; readonly expression: string };
  readonly timeMs: number;
}

const clip = (s: string, max = 120) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Tracks each method's passing answer with the largest error, relative and absolute (exported for tests). */
export function worstTracker(): { see: (report: CaseReport) => void; result: () => WorstPass[] } {
  const worst = new Map<string, WorstPass>();
  return {
    see(report) {
      for (const a of report.answers) {
        if (!isPass(a.verdict) || a.result === undefined || a.tolerance === undefined) continue;
        for (let i = 0; i < report.case.variables.length; i++) {
          const exact = report.reference.gradient[i];
          const tolerance = a.tolerance[i];
          const g = a.result.gradient[i];
          const difference = g === exact ? 0 : Math.abs(g - exact);
          const measure = partialMeasure(exact, tolerance);
          const error = measure === 'relative' ? difference / Math.abs(exact) : difference;
          const key = `${a.method}\u0000${measure}`;
          const previous = worst.get(key);
          if (previous !== undefined && previous.error >= error) continue;
          const variable = report.case.variables[i];
          const condition = report.bound.condition[i];
          const estimate = a.result.errorEstimate?.[i];
          const used = `${sig((100 * difference) / tolerance, 2)}%`;
          const why =
            measure === 'absolute'
              ? `${exact === 0 ? `the exact ∂f/∂${variable} is 0 here` : `the exact ∂f/∂${variable} (${errorText(exact)}) is no larger than its tolerance`}, so a relative error would divide by (almost) nothing: judged on the absolute error against ` +
                (a.kind === 'exact'
                  ? `${defaultFactors.exact}× the absolute rounding bound of the terms that cancel there (${errorText(tolerance)}); this answer used ${used} of it`
                  : `${defaultFactors.numeric}× the method's own error estimate (${errorText(estimate)}: the step's truncation and round-off); this answer used ${used} of it`)
              : a.kind === 'exact'
                ? `${defaultFactors.exact}× the first-order rounding bound of ∂f/∂${variable}, whose condition estimate is ${sig(condition, 2)}: ${condition > 1e3 ? `the expression amplifies rounding by ${sig(condition, 2)}× (about ${Math.round(Math.log10(condition))} digits lost), so a large error is expected of any float64 method here` : 'the expression amplifies rounding little'}; the bound assumes every rounding error adds up, and this answer used ${used} of it`
                : a.method === 'complex-step'
                  ? `${defaultFactors.numeric}× the method's own rounding estimate for ∂f/∂${variable} (${errorText(estimate)}; condition estimate ${sig(condition, 2)}); this answer used ${used} of it`
                  : `${defaultFactors.numeric}× the method's own error estimate for ∂f/∂${variable} (${errorText(estimate)}): the method reported that its answer was this uncertain (truncation of the step, and differences of f losing digits; condition estimate ${sig(condition, 2)}); this answer used ${used} of it`;
          worst.set(key, {
            method: a.method,
            kind: a.kind,
            measure,
            expression: clip(toInfix(report.case.expr)),
            point: pointText(report.case.variables, report.case.point),
            variable,
            exact,
            error,
            bound: measure === 'relative' ? tolerance / Math.abs(exact) : tolerance,
            why,
            condition,
          });
        }
      }
    },
    result: () => [...worst.values()],
  };
}

function worstTable(worst: readonly WorstPass[], methods: readonly string[]): TableData {
  const ordered = methods.flatMap((m) => (['relative', 'absolute'] as const).map((measure) => worst.find((w) => w.method === m && w.measure === measure))).filter((w): w is WorstPass => w !== undefined);
  return {
    columns: ['method', 'measure', 'expression', 'point', 'error', 'passed under (bound)', 'why the bound is that large'],
    align: ['left', 'left', 'left', 'left', 'right', 'right', 'left'],
    rows: ordered.map((w) => [
      w.method,
      w.measure === 'relative' ? `relative, ∂f/∂${w.variable}` : `absolute, ∂f/∂${w.variable} = ${w.exact === 0 ? '0' : errorText(w.exact)}`,
      `\`${w.expression}\``,
      w.point,
      errorText(w.error),
      errorText(w.bound),
      w.why,
    ]),
  };
}

function heatmapCells(rows: readonly AgreementRow[], methods: readonly string[]): { a: string; b: string; value: number | null; label: string }[] {
  const cells: { a: string; b: string; value: number | null; label: string }[] = [];
  const all = [...methods, 'reference'];
  for (const a of methods) {
    for (const b of all) {
      if (a === b) continue;
      const row = rows.find((r) => (r.a === a && r.b === b) || (r.a === b && r.b === a));
      const v = row && Number.isFinite(row.maxError) ? row.maxError : null;
      cells.push({ a, b, value: v, label: v === null ? '' : v === 0 ? '0' : v.toExponential(0) });
    }
  }
  return cells;
}

function measureAgreement(ctx: SectionContext, randomRuns: number, functionPoints: number): AgreementData {
  const tracker = worstTracker();
  const start = performance.now();
  const suite = ctx.suite;
  const merged = new Map<string, AgreementRow>();
  const pointClasses = { smooth: 0, 'non-finite': 0, 'non-differentiable': 0 };
  let counterexample: AgreementData['counterexample'];
  const merge = (rows: readonly AgreementRow[]) => {
    for (const r of rows) {
      const key = `${r.a}\u0000${r.b}`;
      const old = merged.get(key);
      if (old === undefined) merged.set(key, r);
      else {
        const counts = Object.fromEntries(verdicts.map((v) => [v, old.counts[v] + r.counts[v]])) as AgreementRow['counts'];
        merged.set(key, { ...old, runs: old.runs + r.runs, counts, passed: old.passed + r.passed, maxError: Math.max(old.maxError, r.maxError), medianError: Math.max(old.medianError, r.medianError) });
      }
    }
  };
  let random = 0;
  if (suite.randomExpressions && randomRuns > 0) {
    const run = runAgreement({
      methods: ctx.methods,
      runs: randomRuns,
      seed: ctx.seed,
      methodOptions: ctx.methodOptions,
      continueAfterFailure: true,
      onCase: (i, report) => {
        tracker.see(report);
        ctx.progress((0.7 * i) / randomRuns, `agreement: ${i + 1}/${randomRuns}`);
      },
    });
    random = run.runsCompleted;
    merge(run.rows);
    for (const k of Object.keys(pointClasses) as (keyof typeof pointClasses)[]) pointClasses[k] += run.pointClasses[k];
    if (run.counterexample) {
      counterexample = {
        expression: toInfix(run.counterexample.report.case.expr),
        text: formatCounterexample(run.counterexample, `gradlab check --seed ${run.seed} --path "${run.counterexample.path}"`),
      };
    }
  }
  let onFunctions = 0;
  if (suite.functions.length > 0 && functionPoints > 0) {
    const run = runFunctionAgreement({
      functions: suite.functions,
      methods: ctx.methods,
      pointsPerFunction: functionPoints,
      seed: ctx.seed,
      methodOptions: ctx.methodOptions,
      onCase: (i, total, report) => {
        tracker.see(report);
        ctx.progress(0.7 + (0.3 * i) / total, `agreement on the suite's functions: ${i + 1}/${total}`);
      },
    });
    onFunctions = run.runsCompleted;
    merge(run.rows);
    for (const k of Object.keys(pointClasses) as (keyof typeof pointClasses)[]) pointClasses[k] += run.pointClasses[k];
    if (run.failure && counterexample === undefined) {
      counterexample = { expression: `${run.failure.function}`, text: `${run.failure.function}: a real disagreement at a drawn point\n${formatCase(run.failure.report)}` };
    }
  }
  const rows = [...merged.values()];
  return {
    seed: ctx.seed,
    randomRuns: random,
    functionRuns: onFunctions,
    rows: [...rows.filter((r) => r.b === 'reference'), ...rows.filter((r) => r.b !== 'reference')],
    pointClasses,
    worst: tracker.result(),
    counterexample,
    timeMs: performance.now() - start,
  };
}

export const agreementSection: ReportSection<AgreementData> = {
  id: 'agreement',
  dataKey: 'agreement',
  weight: 6,
  applies: (suite) => suite.randomExpressions || suite.functions.length > 0,
  measure: (suite, profile, ctx) => measureAgreement(ctx, profile.agreementRuns, suite.functions.length > 0 && !suite.randomExpressions ? profile.pointsPerFunction : suite.functions.length > 0 ? Math.min(20, profile.pointsPerFunction) : 0),
  async render(data, ctx) {
    const methods = ctx.methods.map((m) => m.name);
    const methodRows = data.rows.filter((r) => r.b === 'reference');
    const buggy = methodRows.filter((r) => r.counts.disagree + r.counts.crash > 0);
    const checked = methodRows.reduce((s, r) => s + r.passed, 0);
    const total = data.randomRuns + data.functionRuns;
    const relativeWorst = data.worst.filter((w) => w.measure === 'relative');
    const loosest = [...relativeWorst].sort((a, b) => b.error - a.error)[0];
    const exactWorst = relativeWorst.filter((w) => w.kind === 'exact').sort((a, b) => b.error - a.error)[0];
    const noBound = methodRows.filter((r) => r.counts['no-bound'] > 0);
    const what = [data.randomRuns > 0 ? `${data.randomRuns} random expressions` : '', data.functionRuns > 0 ? `${data.functionRuns} points drawn from the suite's domains` : ''].filter((s) => s).join(' and ');
    const caption =
      (buggy.length > 0
        ? `Over ${what} ${methodRows.length - buggy.length} of ${methodRows.length} methods always agreed with the reference within their error models, but ${buggy.map((r) => `${r.a} disagreed ${r.counts.disagree + r.counts.crash} times`).join(', ')}: real bugs (the counterexample is below).`
        : `Over ${what} every one of ${methodRows.length} methods agreed with the reference within its error model whenever it ran (${checked} checked answers, no unexplained disagreement).`) +
      (loosest ? ` "Agree" is only as strong as its bound: the largest passing relative error of a partial was ${errorText(loosest.error)} (${loosest.method}, under a bound of ${errorText(loosest.bound)})` : '') +
      (exactWorst
        ? `, and for an exact method ${errorText(exactWorst.error)} (${exactWorst.method}), ${exactWorst.condition > 1e3 ? `at a point where the expression amplifies rounding by ${sig(exactWorst.condition, 2)}×` : 'well inside its bound'}; partials that are exactly 0 are judged on absolute error (see each method's worst passing case).`
        : '.') +
      (noBound.length > 0 ? ` ${noBound.map((r) => `${r.counts['no-bound']} answer${r.counts['no-bound'] === 1 ? '' : 's'} of ${r.a}`).join(', ')} had no bound that could fail (an error estimate of ∞ or NaN, or as large as the gradient): counted as "no bound", not as passes.` : '');
    const full: SectionTable = { title: 'Every comparison: counts per verdict and relative errors (each pair is judged through the reference)', table: agreementTable(data.rows), collapsed: true };
    const perMethod: SectionTable = { title: 'Each method against the reference', table: agreementTable(data.rows, { pairs: false }) };
    return {
      title: 'Agreement: the property run',
      caption,
      notes: [
        (data.randomRuns > 0 ? `The property-test generator drew ${data.randomRuns} random expressions (depth ≤ 4, every op, points inside every op's domain; seed ${data.seed}). ` : '') +
          (data.functionRuns > 0 ? `Each function of the suite was judged at its own point and at points drawn from its domain (${data.functionRuns} in all; seed ${data.seed}) four in five spread uniformly over the interval, one in five from fast-check's float generator, which favours the edges where methods break first: the bounds, 0, and tiny and subnormal magnitudes. ` : '') +
          `Each method's gradient is compared with the 64-digit reference: exact methods within ${defaultFactors.exact}× a first-order rounding bound that grows with the expression's conditioning, numeric methods within ${defaultFactors.numeric}× their own error estimate. ` +
          'Known cases (a method declaring it cannot run, a budget, a non-finite or non-differentiable point, a function the finite-difference step does not resolve) are counted, not failed. ' +
          'Every bound must be able to fail: an answer whose tolerance is infinite or undefined (a numeric method whose own error estimate is ∞ or NaN) or at least as large as the whole gradient (it would accept 0, or the wrong sign) is counted as "no bound", neither passed nor failed.',
        'Each partial is judged by its absolute difference from the reference against its tolerance. Where the exact partial is larger than that tolerance, the worst-case table quotes both relative to the partial; where the exact partial is 0 (terms that cancel exactly, or a stationary point), or no larger than the noise it is allowed, a relative error would divide by almost nothing, so the table quotes the absolute error against the absolute bound, and says which. Where f and its gradient both vanish there is no size to measure a relative error against at all: those answers are judged on absolute error and left out of the relative-error columns.',
        "A bound scaled by conditioning can be large: where an expression cancels (a difference of nearly equal terms) or amplifies (sin of a large argument), any float64 method loses digits, the exact ones included. The table of worst passing cases shows, for each method, the case where its error was largest while still passing, the bound it passed under and why that bound is large there; an exact method whose worst case has a small condition estimate but a large error would reveal a bound too loose to fail.",
      ],
      tables: [
        { title: "Each method's worst passing case", table: worstTable(data.worst, methods) },
        perMethod,
        full,
      ],
      figures: [
        {
          id: 'agreement',
          file: 'agreement.svg',
          title: 'Agreement heatmap',
          caption: 'Each cell: the largest relative difference between two methods\' gradients where both passed at a smooth point (the last column: against the reference). Numeric methods differ from everything by their truncation and round-off; exact methods differ from each other by rounding, scaled by conditioning.',
          ...(await renderFigure(heatmapSpec(heatmapCells(data.rows, methods), [...methods, 'reference']))),
        },
      ],
      code: data.counterexample ? [{ title: 'Counterexample', text: data.counterexample.text }] : [],
    };
  },
};
