// The agreement property: every method's gradient against the high-precision reference, within tolerances from error models.
//
// A case is judged once against the reference; pairs of methods are judged through it (two answers within
// their tolerances of the truth are within the sum of the tolerances of each other). Known situations are
// classified instead of being called bugs: a method that declares it cannot run (`unavailable`), a budget
// cut-off (`budget`), a point where f or its gradient overflows or is undefined (`non-finite`), a point
// at or near an op's kink or domain boundary (`non-differentiable`), and a function that varies faster than
// a finite-difference step resolves (`under-resolved`), and a derivative mathjs's `simplify` rewrote into a form that
// is not valid at the point while the unsimplified one is right (`simplify-invalid`). An answer whose tolerance could not
// fail (a numeric method's own error estimate of ∞ or NaN, or any bound as large as the gradient itself) is not a pass
// but its own known case (`no-bound`). Anything else outside tolerance is a real disagreement (`disagree`), and an
// unexpected exception is a `crash`.
import fc from 'fast-check';
import type { GradientMethod } from '../diff/method.ts';
import { compile } from '../ir/compile.ts';
import type { GradientCase } from './arbitraries.ts';
import { expressionWithPoint, type ExpressionOptions } from './arbitraries.ts';
import { askMethod, type MethodAnswer, type MethodOptions } from './answers.ts';
import { domainViolations, isSmoothAround, nodeValues } from './domain.ts';
import { referenceTrace, type ReferenceResult, type ReferenceTrace } from './reference.ts';
import type { BigNumber } from 'mathjs';
import type { OpExpr } from '../ir/node.ts';
import { ops } from '../ir/ops.ts';
import { topologicalOrder } from '../ir/traverse.ts';
import {
  defaultFactors,
  gradientScale,
  isDegenerateScale,
  partialMeasure,
  relativeDifference,
  roundingBound,
  toleranceFor,
  vacuousTolerance,
  type RoundingBound,
  type ToleranceFactors,
} from './tolerance.ts';

/** The verdict on one answer, or on a pair of answers. */
export type Verdict =
  | 'agree'
  | 'within-model'
  | 'unavailable'
  | 'budget'
  | 'non-finite'
  | 'non-differentiable'
  | 'under-resolved'
  | 'simplify-invalid'
  | 'no-bound'
  | 'disagree'
  | 'crash';

/** Every verdict, from the best to the worst (a pair takes the worse of its two answers' verdicts). */
export const verdicts: readonly Verdict[] = [
  'agree', 'within-model', 'unavailable', 'budget', 'non-finite', 'non-differentiable', 'under-resolved', 'simplify-invalid', 'no-bound', 'disagree', 'crash',
];

/** What each verdict means, for tables and help texts. */
export const verdictMeaning: Readonly<Record<Verdict, string>> = {
  agree: 'an exact method within a few ulps (scaled by conditioning) of the reference',
  'within-model': 'a numeric method within its own error estimate of the reference',
  unavailable: 'the method declared it cannot differentiate this expression (an op it does not support)',
  budget: 'the method stopped at its time or size budget',
  'non-finite': 'f or its gradient overflows or is undefined in float64 at this point',
  'non-differentiable': 'the point is at (or a finite-difference stencil crosses) a kink or domain boundary',
  'under-resolved': 'f varies faster than the finite-difference step resolves, so the error model (and its estimate) does not apply',
  'simplify-invalid': "mathjs simplify's rewrite is not valid here: the simplified derivative differs from mathjs's unsimplified one, which agrees with the reference",
  'no-bound':
    "no bound that could fail: the method's own error estimate (numeric methods) or the rounding bound is infinite, undefined, or as large as the gradient itself, so the answer is counted, not passed",
  disagree: 'outside tolerance with no known cause: a bug',
  crash: 'the method threw an unexpected exception: a bug',
};

/** True for verdicts that mean a bug. */
export function isFailure(verdict: Verdict): boolean {
  return verdict === 'disagree' || verdict === 'crash';
}

/** True for verdicts that mean the answer was checked and is right. */
export function isPass(verdict: Verdict): boolean {
  return verdict === 'agree' || verdict === 'within-model';
}

function worse(a: Verdict, b: Verdict): Verdict {
  return verdicts.indexOf(a) >= verdicts.indexOf(b) ? a : b;
}

/** One method's answer with its verdict. */
export interface JudgedAnswer extends MethodAnswer {
  /** `numeric` when the method reports an error estimate (its tolerance then includes it), else `exact`. */
  readonly kind: 'exact' | 'numeric';
  readonly verdict: Verdict;
  /**
   * Norm-wise relative error of the gradient against the reference (see `gradientScale`); undefined where f and
   * ∇f both vanish (the scale is degenerate and a relative error says nothing: see `absoluteError`).
   */
  readonly error?: number;
  /** ‖ĝ − g‖∞, the absolute error of the gradient (0 below the underflow floor). */
  readonly absoluteError?: number;
  /** Per-partial tolerance the answer was held to. */
  readonly tolerance?: Float64Array;
  /**
   * The partial furthest outside (or closest to) its tolerance: its absolute difference and tolerance, the exact
   * partial, and whether its error is meaningfully `relative` or only `absolute` (see `partialMeasure`).
   */
  readonly worst?: {
    readonly variable: string;
    readonly difference: number;
    readonly tolerance: number;
    readonly exact: number;
    readonly measure: 'relative' | 'absolute';
  };
  /** Why the verdict is what it is, in one line. */
  readonly explanation: string;
}

/** The verdict on a pair of methods for one case. */
export interface PairVerdict {
  readonly a: string;
  readonly b: string;
  readonly verdict: Verdict;
  /** Norm-wise relative difference of the two gradients (scaled by the reference). */
  readonly difference?: number;
}

/** Everything judged about one case. */
export interface CaseReport {
  readonly case: GradientCase;
  readonly reference: ReferenceResult;
  readonly bound: RoundingBound;
  /** Whether the point is an ordinary one, or one of the known hard situations every answer is classified by. */
  readonly pointClass: 'smooth' | 'non-finite' | 'non-differentiable';
  readonly pointReason?: string;
  readonly answers: readonly JudgedAnswer[];
  readonly pairs: readonly PairVerdict[];
  /** True when some answer is a real disagreement or a crash. */
  readonly failed: boolean;
}

/** Options for judging cases. */
export interface JudgeOptions {
  /** Options per method name (budgets, steps). */
  readonly methodOptions?: MethodOptions;
  readonly factors?: ToleranceFactors;
  /** Relative radius of the stencil on which a numeric method's failure is blamed on a nearby kink. Default 1e-2. */
  readonly stencilRadius?: number;
}

/**
 * The first chain-rule quantity of the exact computation that lies beyond float64's range: a local partial
 * (∂(u/v)/∂u = 1/v at v = −5e-324 is −2e323), a reverse-mode term adjoint·partial, or a forward-mode term
 * partial·tangent (cbrt(y)/cbrt(y) at y = −5e-324: 1.1e215 · 5.8e107 each way, cancelling to 0). A float64 method
 * that forms it carries ±∞, and sums of such terms give ∞ − ∞ = NaN even where the gradient is finite, so no
 * float64 arithmetic in that order can do better: the point is `non-finite` for the gradient.
 */
function overflowingChainRule(trace: ReferenceTrace): string | undefined {
  const beyond = (b: BigNumber) => b.isFinite() && !Number.isFinite(b.toNumber());
  const ops = trace.order.filter((node): node is OpExpr => node.kind === 'op');
  for (const node of ops) {
    const row = trace.partials.get(node.id) ?? [];
    const adjoint = trace.adjoints.get(node.id);
    for (let i = 0; i < row.length; i++) {
      const p = row[i];
      if (p === null || !p.isFinite()) continue;
      if (beyond(p)) return `∂${node.op}/∂(argument ${i + 1}) is ${p.toExponential(3)}, beyond float64's range`;
      if (adjoint !== undefined && beyond(adjoint.times(p))) return `a reverse-mode term adjoint × ∂${node.op}/∂(argument ${i + 1}) is beyond float64's range`;
    }
  }
  // Forward mode, one direction per variable: tangent(node) = Σ ∂node/∂arg · tangent(arg).
  for (const name of new Set(trace.variables)) {
    const tangent = new Map<number, BigNumber>();
    for (const node of trace.order) {
      if (node.kind === 'var' && node.name === name) tangent.set(node.id, trace.value.mul(0).plus(1));
      if (node.kind !== 'op') continue;
      const row = trace.partials.get(node.id) ?? [];
      let sum: BigNumber | undefined;
      for (let i = 0; i < node.args.length; i++) {
        const t = tangent.get(node.args[i].id), p = row[i];
        if (t === undefined || p === null || p === undefined || t.isZero()) continue;
        const term = p.times(t);
        if (beyond(term)) return `a forward-mode term ∂${node.op}/∂(argument ${i + 1}) × tangent along ${name} is beyond float64's range`;
        sum = sum === undefined ? term : sum.plus(term);
      }
      if (sum !== undefined) tangent.set(node.id, sum);
    }
  }
  return undefined;
}

function classifyPoint(c: GradientCase, reference: ReferenceResult, trace: ReferenceTrace): { pointClass: CaseReport['pointClass']; reason?: string } {
  const values = nodeValues(c.expr, c.variables, c.point);
  for (const [, v] of values) {
    if (!Number.isFinite(v)) return { pointClass: 'non-finite', reason: 'an intermediate value overflows or is undefined in float64' };
  }
  if (!Number.isFinite(reference.value) || reference.gradient.some((g) => !Number.isFinite(g))) {
    return { pointClass: 'non-finite', reason: 'the exact value or gradient is infinite or undefined here' };
  }
  const violations = domainViolations(c.expr, c.variables, c.point);
  if (violations.length > 0) {
    const v = violations[0];
    return { pointClass: 'non-differentiable', reason: `${v.node.op} is outside its smooth domain (${v.domain}) at ${v.args.join(', ')}` };
  }
  const overflow = overflowingChainRule(trace);
  if (overflow !== undefined) return { pointClass: 'non-finite', reason: `the chain rule overflows in float64: ${overflow}` };
  return { pointClass: 'smooth' };
}

function judgeAnswer(
  answer: MethodAnswer,
  c: GradientCase,
  reference: ReferenceResult,
  bound: RoundingBound,
  point: { pointClass: CaseReport['pointClass']; reason?: string },
  options: JudgeOptions,
  smoothStencil: () => boolean,
): JudgedAnswer {
  if (answer.status === 'unavailable' || answer.status === 'budget') {
    return { ...answer, kind: 'exact', verdict: answer.status, explanation: answer.reason ?? answer.status };
  }
  if (answer.status === 'crash' || answer.result === undefined) {
    // An exception where f itself is not finite or smooth is the method's way of saying so.
    if (point.pointClass !== 'smooth') return { ...answer, kind: 'exact', verdict: point.pointClass, explanation: answer.reason ?? '' };
    return { ...answer, kind: 'exact', verdict: 'crash', explanation: answer.reason ?? 'threw' };
  }
  const result = answer.result;
  const kind = result.errorEstimate !== undefined ? 'numeric' : 'exact';
  const factors = options.factors ?? defaultFactors;
  const scale = gradientScale(reference.gradient, reference.value, c.point);
  const absoluteError = relativeDifference(result.gradient, reference.gradient, 1);
  const error = isDegenerateScale(scale) ? undefined : relativeDifference(result.gradient, reference.gradient, scale);
  const tolerance = toleranceFor(bound, reference.gradient, result.errorEstimate, scale, factors);
  let worst: JudgedAnswer['worst'];
  let worstRatio = -1;
  // Every partial within a tolerance that could have failed; and the first partial whose tolerance could not.
  let within = true;
  let vacuous: { variable: string; why: string; tolerance: number } | undefined;
  for (let i = 0; i < c.variables.length; i++) {
    const g = result.gradient[i];
    const r = reference.gradient[i];
    const difference = g === r ? 0 : Math.abs(g - r);
    // A NaN ratio (∞/∞ with an infinite tolerance, or a NaN tolerance) still names a worst partial: 0 for an exact match, else ∞.
    const quotient = difference / tolerance[i];
    const ratio = Number.isNaN(difference) ? Infinity : Number.isNaN(quotient) ? (difference === 0 ? 0 : Infinity) : quotient;
    const why = vacuousTolerance(tolerance[i], scale);
    if (why !== undefined && vacuous === undefined) vacuous = { variable: c.variables[i], why, tolerance: tolerance[i] };
    // A NaN tolerance judges nothing (the answer becomes `no-bound`); anything else outside its tolerance is outside.
    if (!(difference <= tolerance[i]) && !Number.isNaN(tolerance[i])) within = false;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { variable: c.variables[i], difference, tolerance: tolerance[i], exact: r, measure: partialMeasure(r, tolerance[i]) };
    }
  }
  const valueTolerance = factors.exact * (bound.value + Number.EPSILON * Math.abs(reference.value)) + Number.MIN_VALUE;
  const valueOk = result.value === reference.value || Math.abs(result.value - reference.value) <= valueTolerance;
  const base = { ...answer, kind, error, absoluteError, tolerance, worst } as const;
  if (point.pointClass !== 'smooth') return { ...base, verdict: point.pointClass, explanation: point.reason ?? '' };
  if (within && valueOk && vacuous !== undefined) {
    // A kink inside the stencil is the usual reason a finite difference's own estimate blows up: name it.
    if (kind === 'numeric' && !smoothStencil()) {
      return { ...base, verdict: 'non-differentiable', explanation: 'a kink or domain boundary lies within its finite-difference stencil (its own error estimate could not bound the answer)' };
    }
    const i = c.variables.indexOf(vacuous.variable);
    const source =
      kind === 'numeric'
        ? `its own error estimate for ∂f/∂${vacuous.variable} is ${result.errorEstimate![i]}`
        : `the rounding bound of ∂f/∂${vacuous.variable} is ${bound.gradient[i].toExponential(1)} (the expression loses every digit here)`;
    return {
      ...base,
      verdict: 'no-bound',
      explanation: `${source}, so its tolerance (${vacuous.tolerance}) is ${vacuous.why}${vacuous.why === 'not finite' ? '' : ` (${scale.toExponential(1)})`} and could not fail: counted, not passed`,
    };
  }
  if (within && valueOk) {
    const measured = error === undefined ? `absolute error ${absoluteError.toExponential(1)}; f and ∇f vanish here` : `relative error ${error.toExponential(1)}`;
    const explanation =
      kind === 'numeric'
        ? `within ${factors.numeric}× its error estimate (${measured})`
        : `within ${factors.exact}× the rounding bound (${measured})`;
    return { ...base, verdict: kind === 'numeric' ? 'within-model' : 'agree', explanation };
  }
  const unsimplified = result.extra?.unsimplifiedGradient;
  if (valueOk && unsimplified instanceof Float64Array && withinTolerance(unsimplified, reference.gradient, tolerance)) {
    const i = c.variables.indexOf(worst!.variable);
    return {
      ...base,
      verdict: 'simplify-invalid',
      explanation: `mathjs simplify's rewrite is not valid here: ∂f/∂${worst!.variable} is ${result.gradient[i]} simplified, ${unsimplified[i]} unsimplified (reference ${reference.gradient[i]})`,
    };
  }
  if (kind === 'numeric' && !smoothStencil()) {
    return { ...base, verdict: 'non-differentiable', explanation: 'a kink or domain boundary lies within its finite-difference stencil' };
  }
  if (kind === 'numeric' && worst !== undefined) {
    const i = c.variables.indexOf(worst.variable);
    const step = stepOf(result.extra, i);
    if (step !== undefined && !resolvedAt(c, i, step, reference.gradient[i], scale)) {
      return {
        ...base,
        verdict: 'under-resolved',
        explanation: `a plain central difference at its step ${step.toExponential(1)} is off by over 10%: f varies faster than the stencil resolves`,
      };
    }
    const phase = step === undefined ? undefined : phaseAcrossStep(c, i, step);
    if (phase !== undefined) {
      return {
        ...base,
        verdict: 'under-resolved',
        explanation: `${phase.op}'s argument moves by ${phase.radians.toExponential(1)} radians across its step ${step!.toExponential(1)}: the stencil samples an oscillation it cannot resolve, so no Taylor error model holds`,
      };
    }
  }
  const explanation = !valueOk
    ? `value ${result.value} differs from f = ${reference.value} by more than ${valueTolerance.toExponential(1)}`
    : `∂f/∂${worst!.variable} is off by ${worst!.difference.toExponential(2)}, tolerance ${worst!.tolerance.toExponential(2)}`;
  return { ...base, verdict: 'disagree', explanation };
}

/** True when every partial of `gradient` is within its tolerance of the reference. */
function withinTolerance(gradient: Float64Array, reference: Float64Array, tolerance: Float64Array): boolean {
  for (let i = 0; i < reference.length; i++) {
    if (!(gradient[i] === reference[i] || Math.abs(gradient[i] - reference[i]) <= tolerance[i])) return false;
  }
  return gradient.length === reference.length;
}

/** The step a numeric method used for partial `i`, from its `extra.steps` (or `extra.step`) when it reports one. */
function stepOf(extra: Readonly<Record<string, unknown>> | undefined, i: number): number | undefined {
  const steps = extra?.steps;
  if (steps instanceof Float64Array || Array.isArray(steps)) {
    const h = Number((steps as ArrayLike<number>)[i]);
    return h > 0 && Number.isFinite(h) ? h : undefined;
  }
  const h = extra?.step;
  return typeof h === 'number' && h > 0 && Number.isFinite(h) ? h : undefined;
}

/**
 * A periodic op (sin, cos, tan) whose argument moves by a radian or more when variable i moves by h, if any: its
 * oscillation is then sampled below two points per period (z + sin(z) at z = 3.2e100, h ≈ 3e95), and the
 * difference quotient sees an average, not the slope, however small the method's own estimate.
 */
function phaseAcrossStep(c: GradientCase, i: number, h: number): { op: string; radians: number } | undefined {
  const at = nodeValues(c.expr, c.variables, c.point);
  const moved = Float64Array.from(c.point);
  moved[i] = c.point[i] + h;
  const there = nodeValues(c.expr, c.variables, moved);
  for (const node of topologicalOrder(c.expr)) {
    if (node.kind !== 'op' || ops[node.op].periodic !== true) continue;
    const radians = Math.abs(there.get(node.args[0].id)! - at.get(node.args[0].id)!);
    if (radians >= 1) return { op: node.op, radians };
  }
  return undefined;
}

/**
 * Whether f is resolved at step h along variable i: a plain central difference there is within 10% of the
 * true partial. When it is not, truncation dominates beyond any Taylor-based error model (the function
 * oscillates or curves on a scale below h), which is a limitation of finite differences, not a bug.
 */
function resolvedAt(c: GradientCase, i: number, h: number, exact: number, scale: number): boolean {
  const f = compile(c.expr, c.variables);
  const x = Float64Array.from(c.point);
  x[i] = c.point[i] + h;
  const up = f(x);
  x[i] = c.point[i] - h;
  const down = f(x);
  const difference = (up - down) / (2 * h);
  return Math.abs(difference - exact) <= 0.1 * Math.max(Math.abs(exact), scale);
}

/**
 * Judges one case: the reference, a rounding bound, every method's answer against the reference, and
 * every pair of methods. Never throws for a method's failure (that becomes a verdict).
 * @throws Error only when the reference itself cannot be computed (a point missing a variable).
 */
export function judgeCase(c: GradientCase, methods: readonly GradientMethod[], options: JudgeOptions = {}): CaseReport {
  const trace = referenceTrace(c.expr, c.variables, c.point);
  const reference: ReferenceResult = {
    value: trace.value.toNumber(),
    gradient: Float64Array.from(trace.gradient, (g) => g.toNumber()),
    method: `reference (reverse accumulation, ${trace.precision}-digit BigNumber)`,
  };
  const bound = roundingBound(trace, c.variables);
  const point = classifyPoint(c, reference, trace);
  let smooth: boolean | undefined;
  const smoothStencil = () => (smooth ??= isSmoothAround(c.expr, c.variables, c.point, { radius: options.stencilRadius ?? 1e-2 }));
  const scale = gradientScale(reference.gradient, reference.value, c.point);
  const answers = methods.map((m) =>
    judgeAnswer(askMethod(m, c, options.methodOptions?.[m.name]), c, reference, bound, point, options, smoothStencil),
  );
  const pairs: PairVerdict[] = [];
  for (let i = 0; i < answers.length; i++) {
    for (let j = i + 1; j < answers.length; j++) {
      const [a, b] = [answers[i], answers[j]];
      const ga = a.result?.gradient;
      const gb = b.result?.gradient;
      const difference = ga && gb && !isDegenerateScale(scale) ? relativeDifference(ga, gb, scale) : undefined;
      pairs.push({ a: a.method, b: b.method, verdict: worse(a.verdict, b.verdict), difference });
    }
  }
  return {
    case: c,
    reference,
    bound,
    pointClass: point.pointClass,
    pointReason: point.reason,
    answers,
    pairs,
    failed: answers.some((a) => isFailure(a.verdict)),
  };
}

/** Counts and errors of one row of the agreement matrix (a method against the reference, or a pair of methods). */
export interface AgreementRow {
  /** `autograd` for a method against the reference, `autograd ↔ symbolic` for a pair. */
  readonly label: string;
  readonly a: string;
  /** The second method, or `reference`. */
  readonly b: string;
  readonly runs: number;
  readonly counts: Readonly<Record<Verdict, number>>;
  /** Checked and right: `agree` + `within-model`. */
  readonly passed: number;
  /** Largest and median norm-wise relative error over the runs where both gradients were compared at a smooth point. */
  readonly maxError: number;
  readonly medianError: number;
}

/** Accumulates case reports into the agreement matrix. */
export class AgreementTally {
  private readonly rows = new Map<string, { a: string; b: string; counts: Record<Verdict, number>; errors: number[] }>();

  /** Adds one case's verdicts. */
  add(report: CaseReport): void {
    for (const answer of report.answers) this.count(answer.method, 'reference', answer.verdict, answer.error);
    for (const pair of report.pairs) this.count(pair.a, pair.b, pair.verdict, pair.difference);
  }

  private count(a: string, b: string, verdict: Verdict, error: number | undefined): void {
    const key = `${a}\u0000${b}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { a, b, counts: Object.fromEntries(verdicts.map((v) => [v, 0])) as Record<Verdict, number>, errors: [] };
      this.rows.set(key, row);
    }
    row.counts[verdict]++;
    if (error !== undefined && (isPass(verdict) || verdict === 'disagree')) row.errors.push(error);
  }

  /** The rows: each method against the reference first, then every pair, in the order first seen. */
  table(): AgreementRow[] {
    const all = [...this.rows.values()].map((row) => {
      const sorted = [...row.errors].sort((x, y) => x - y);
      const median = sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
      return {
        label: row.b === 'reference' ? `${row.a} vs reference` : `${row.a} ↔ ${row.b}`,
        a: row.a,
        b: row.b,
        runs: verdicts.reduce((s, v) => s + row.counts[v], 0),
        counts: { ...row.counts },
        passed: row.counts.agree + row.counts['within-model'],
        maxError: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
        medianError: median,
      };
    });
    return [...all.filter((r) => r.b === 'reference'), ...all.filter((r) => r.b !== 'reference')];
  }
}

/** A shrunk real disagreement, with what replays it. */
export interface Counterexample {
  readonly report: CaseReport;
  readonly seed: number;
  /** fast-check's counterexample path: `fc.assert(property, { seed, path })` replays exactly this case. */
  readonly path: string;
  /** How many shrinking steps fast-check took from the first failing case. */
  readonly shrinks: number;
}

/** Options for {@link runAgreement}. */
export interface AgreementOptions extends JudgeOptions {
  readonly methods: readonly GradientMethod[];
  /** Random cases to run; default 100. */
  readonly runs?: number;
  /** fast-check seed; default a fresh one (reported, so any run can be replayed). */
  readonly seed?: number;
  /** Replay one case: fast-check's counterexample path from an earlier failure (needs its seed). */
  readonly path?: string;
  readonly expression?: ExpressionOptions;
  /** Called after each generated case (not during shrinking), for progress bars. */
  readonly onCase?: (index: number, report: CaseReport) => void;
  /**
   * Judge all `runs` cases even after a disagreement (the full matrix, bugs counted), then shrink the first
   * failure. Default false: stop at the first disagreement, as a property test does.
   */
  readonly continueAfterFailure?: boolean;
}

/** The outcome of an agreement run. */
export interface AgreementRun {
  readonly seed: number;
  readonly runsRequested: number;
  /** Cases judged before the run ended (all of them, unless a disagreement stopped it). */
  readonly runsCompleted: number;
  readonly methods: readonly string[];
  readonly rows: readonly AgreementRow[];
  readonly counterexample?: Counterexample;
  /** Judged cases by point class (smooth points are the ones that test agreement). */
  readonly pointClasses: Readonly<Record<CaseReport['pointClass'], number>>;
  readonly expression: ExpressionOptions;
  readonly timeMs: number;
}

/**
 * The agreement property over random expression-plus-point pairs: "every method agrees with the
 * high-precision reference, within tolerances from error models" (and so every pair with each other).
 * Stops at the first real disagreement, shrinks it with fast-check, and returns it with its seed and
 * path; otherwise returns the agreement matrix.
 */
export function runAgreement(options: AgreementOptions): AgreementRun {
  const start = performance.now();
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
  const runs = options.runs ?? 100;
  const tally = new AgreementTally();
  const pointClasses = { smooth: 0, 'non-finite': 0, 'non-differentiable': 0 };
  let recording = true;
  let completed = 0;
  let anyFailure = false;
  const arbitrary = expressionWithPoint(options.expression);
  const record = (report: CaseReport) => {
    tally.add(report);
    pointClasses[report.pointClass]++;
    options.onCase?.(completed, report);
    completed++;
  };
  if (options.continueAfterFailure === true && options.path === undefined) {
    // Every case, tallied; the same seed then gives fast-check the same cases to find and shrink a failure.
    for (const c of fc.sample(arbitrary, { seed, numRuns: runs })) {
      const report = judgeCase(c, options.methods, options);
      record(report);
      anyFailure ||= report.failed;
    }
    recording = false;
  }
  // The methods the first failure blames: shrinking keeps only cases where one of them still fails, so the shrunk
  // counterexample blames the same method as the matrix row that counted the failure.
  let blamed: Set<string> | undefined;
  const property = fc.property(arbitrary, (c) => {
    const report = judgeCase(c, options.methods, options);
    if (recording) record(report);
    // After the first failure fast-check only shrinks: those calls are not new runs.
    if (report.failed) recording = false;
    const failing = report.answers.filter((a) => isFailure(a.verdict)).map((a) => a.method);
    if (blamed === undefined) {
      if (failing.length > 0) blamed = new Set(failing);
      return failing.length === 0;
    }
    return !failing.some((m) => blamed!.has(m));
  });
  const skipSearch = options.continueAfterFailure === true && options.path === undefined && !anyFailure;
  const details = skipSearch ? { failed: false as const } : fc.check(property, { seed, numRuns: runs, path: options.path });
  let counterexample: Counterexample | undefined;
  if (details.failed && details.counterexample !== null) {
    const [shrunk] = details.counterexample;
    counterexample = {
      report: judgeCase(shrunk, options.methods, options),
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
    };
  } else if (details.failed) {
    throw new Error(`the agreement run stopped without a counterexample (seed ${details.seed}): ${String(details.errorInstance)}`);
  }
  return {
    seed,
    runsRequested: runs,
    runsCompleted: completed,
    methods: options.methods.map((m) => m.name),
    rows: tally.table(),
    counterexample,
    pointClasses,
    expression: options.expression ?? {},
    timeMs: performance.now() - start,
  };
}
