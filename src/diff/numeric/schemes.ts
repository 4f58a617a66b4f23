// The finite-difference schemes for one partial derivative: difference quotients and Richardson extrapolation.
import {
  centralModel, errorModel, evaluationNoise, richardsonModel, textbookStep,
  type DifferenceSchemeName, type SchemeName,
} from './error-model.ts';
import { CoordinateLine, NonFiniteError, StepTooSmallError, differenceWeights, formatStep } from './stencil.ts';

/** One partial derivative as a scheme estimated it, with its cost and its own error estimate. */
export interface PartialEstimate {
  readonly derivative: number;
  /** truncation (with the higher derivative estimated) + round-off; NaN when no estimate could be formed. */
  readonly errorEstimate: number;
  /** The scheme actually used (a symmetric scheme may have fallen back to a one-sided one). */
  readonly scheme: SchemeName;
  /** The realised step h (Richardson: the largest step of the tableau). */
  readonly step: number;
  /** The estimated |f⁽ᵏ⁾| of the truncation term (NaN when not estimated). */
  readonly higherDerivative: number;
  /** N: the rounding error of one evaluation of f assumed by the round-off term. */
  readonly noise: number;
  /** Evaluations of f the scheme's formula used (not counting f at the point). */
  readonly evaluations: number;
  /** Extra evaluations spent only on the error estimate. */
  readonly estimateEvaluations: number;
  /** Something the user should know (a fallback, a reduced step). */
  readonly note?: string;
}

/** What every partial estimator is told. */
export interface PartialOptions {
  /** The step; by default the scheme's textbook step scaled by max(1, |x|). */
  readonly h?: number;
  /** Whether to spend extra evaluations on the error estimate (default true). */
  readonly estimate?: boolean;
  /** Richardson: how many central differences one extrapolation combines (default 4: it eliminates h², h⁴, h⁶). */
  readonly levels?: number;
  /** Richardson: how many central differences are computed, at h, h/2, …, h/2^(steps−1) (default 2·levels). */
  readonly steps?: number;
  /** f at the point, already evaluated. */
  readonly fx: number;
  /** A lower bound for N, the rounding error of one evaluation of f near the point (ε|f| at least). */
  readonly noise: number;
}

/** Stencil nodes as multiples of h. */
const stencils: Readonly<Record<DifferenceSchemeName, readonly number[]>> = {
  forward: [0, 1],
  backward: [-1, 0],
  central: [-1, 1],
  'five-point': [-2, -1, 1, 2],
};

/** The factor between the step and the coarse step used to estimate the higher derivative (then h/4 if 4h leaves the domain). */
const coarseFactors = [4, 1 / 4];

/** A difference quotient at nominal step h, with the realised step, the values it used and the largest |f| among them. */
interface Quotient {
  readonly value: number;
  readonly h: number;
  readonly fMax: number;
  /** f(x + m·h) by stencil multiple m. */
  readonly values: ReadonlyMap<number, number>;
}

function quotient(line: CoordinateLine, multiples: readonly number[], h: number, fx: number): Quotient {
  const nodes = multiples.map((m) => line.offset(m * h));
  if (nodes.some((t, j) => t === 0 && multiples[j] !== 0)) throw new StepTooSmallError(line.variable, line.x, h);
  const values = nodes.map((t) => (t === 0 ? fx : line.at(t)));
  const weights = differenceWeights(nodes);
  let value = 0, fMax = 0;
  values.forEach((g, j) => {
    value += weights[j] * g;
    fMax = Math.max(fMax, Math.abs(g));
  });
  const realised = Math.max(...nodes.map(Math.abs)) / Math.max(...multiples.map(Math.abs));
  return { value, h: realised, fMax, values: new Map(multiples.map((m, j) => [m, values[j]])) };
}

/** f(x − h), f(x + h) at one step h of a symmetric stencil. */
interface Pair {
  readonly h: number;
  readonly minus: number;
  readonly plus: number;
}

function pairAt(q: Quotient, multiple: number): Pair {
  return { h: multiple * q.h, minus: q.values.get(-multiple)!, plus: q.values.get(multiple)! };
}

/**
 * True when a symmetric stencil does not resolve f at x, so no error estimate built from it can be trusted:
 * the one-sided differences (f(x±h) − f(x))/(±h) disagree by more than their mean (|f″|h > |f′|), and the second
 * differences s(h) = (f(x+h) − 2f(x) + f(x−h))/h² at the two steps disagree by more than a quarter (f″ is not
 * what they measure: across a kink s ∝ 1/h, so s(2h) = s(h)/2), both beyond rounding. Then a kink, jump or pole
 * lies within the stencil. A smooth stationary point (x² at 0) passes: its one-sided differences disagree, but its
 * second differences agree.
 */
function unresolved(fx: number, fine: Pair, coarse: Pair, noise: number): boolean {
  const h = fine.h, H = coarse.h;
  const dPlus = (fine.plus - fx) / h, dMinus = (fx - fine.minus) / h;
  if (!(Math.abs(dPlus - dMinus) > Math.max(Math.abs(dPlus + dMinus) / 2, (8 * noise) / h))) return false;
  // Each second difference carries up to 4N/h² of rounding.
  const s = (p: Pair) => (p.plus - 2 * fx + p.minus) / (p.h * p.h);
  const small = Math.min(h, H);
  return Math.abs(s(coarse) - s(fine)) > Math.abs(s(fine)) / 4 + (8 * noise) / (small * small);
}

/**
 * The one-sided counterpart of {@link unresolved}, from quotients at h/4, h and 4h: where the Taylor expansion holds,
 * Q(4h) − Q(h) = 3f″h/2 is four times Q(h) − Q(h/4) = 3f″h/8. Unresolved when that ratio is off by more than
 * |Q(4h) − Q(h)| and by more than the quotients' rounding (2N/h each, scaled by 1/step): f changes on a scale below h,
 * as next to a singularity just beyond the stencil's far side.
 */
function unresolvedOneSided(quarter: Quotient, q: Quotient, coarse: Quotient, noise: number): boolean {
  const a = q.value - quarter.value, b = coarse.value - q.value;
  const rounding = (2 * noise) * (1 / quarter.h + 1 / q.h + 1 / coarse.h);
  return Math.abs(b - 4 * a) > Math.max(Math.abs(b), 8 * rounding);
}

/**
 * The five-point counterpart of {@link unresolvedOneSided}, from values the quotients at h and 4h already hold
 * (f at ±h, ±2h, ±4h, ±8h): with central differences C(k) at step k, the five-point value at k is
 * P(k) = (4C(k) − C(2k))/3, so P(h), P(2h) and P(4h) are free. Where the expansion in h⁴ holds,
 * P(4h) − P(2h) = 16·(P(2h) − P(h)); unresolved when that ratio is off by more than |P(4h) − P(2h)| and beyond the
 * values' rounding (3N/(2k) each). Then the h⁴ truncation model, and the estimate built on it, does not apply: f has
 * structure (a nearby pole, fast oscillation) on the scale of the stencil.
 */
function fivePointUnconverged(q: Quotient, coarse: Quotient, noise: number): boolean {
  const h = q.h;
  const central = (p: Pair) => (p.plus - p.minus) / (2 * p.h);
  const c1 = central(pairAt(q, 1)), c2 = central(pairAt(q, 2)), c4 = central(pairAt(coarse, 1)), c8 = central(pairAt(coarse, 2));
  const p1 = (4 * c1 - c2) / 3, p2 = (4 * c2 - c4) / 3, p4 = (4 * c4 - c8) / 3;
  const a = p2 - p1, b = p4 - p2;
  const rounding = 1.5 * noise * (1 / h + 1 / (2 * h) + 1 / (4 * h));
  return Math.abs(b - 16 * a) > Math.max(Math.abs(b), 8 * rounding);
}

function unresolvedNote(line: CoordinateLine, h: number): string {
  return (
    `∂f/∂${line.variable}: the steps around ${line.variable} = ${line.x} (h = ${formatStep(h)}) do not resolve f ` +
    `(a kink, jump, pole or singularity within reach of the stencil): the difference quotient says nothing about f′ there; ` +
    `error estimate set to Infinity`
  );
}

/**
 * ∂f/∂x by a difference quotient (forward, backward, central, five-point).
 *
 * Error estimate: the model's truncation C·D·hᵖ + round-off R·N/h with D, the derivative in the truncation term,
 * estimated from the same quotient at a coarse step H = 4h: Q(H) − Q(h) ≈ C·D·(Hᵖ − hᵖ), so
 * D ≈ |Q(H) − Q(h)| / (C·|Hᵖ − hᵖ|) (a difference of differences; the noise in Q(h) only inflates it, by ≈ 1/(4ᵖ − 1)
 * of the round-off). N is ε·max|f| over the stencil, at least `noise`.
 * Every scheme also checks that its steps resolve f (central and five-point from their symmetric values, see
 * `unresolved`; forward and backward with one more evaluation at h/4, see `unresolvedOneSided`); where a kink,
 * jump, pole or singularity lies within reach the estimate is Infinity and a note says why, since the Taylor
 * expansion behind the model fails there. So the estimate costs, per variable, 2 evaluations for central, 4 for
 * five-point, and 2 for forward and backward (x ± 4h and x ± h/4).
 * @throws NonFiniteError when f is not finite at a stencil point of step h.
 */
export function differencePartial(line: CoordinateLine, scheme: DifferenceSchemeName, options: PartialOptions): PartialEstimate {
  const model = errorModel(scheme);
  const multiples = stencils[scheme];
  const nominal = options.h ?? textbookStep(model, line.x);
  const before = line.evaluations;
  const q = quotient(line, multiples, nominal, options.fx);
  const evaluations = line.evaluations - before;
  let fMax = Math.max(q.fMax, Math.abs(options.fx));
  let higherDerivative = NaN;
  let coarse: Quotient | undefined;
  let note: string | undefined;
  if (options.estimate !== false) {
    for (const factor of coarseFactors) {
      try {
        coarse = quotient(line, multiples, factor * q.h, options.fx);
        const p = model.truncationOrder;
        higherDerivative = Math.abs(coarse.value - q.value) / (model.truncationConstant * Math.abs(coarse.h ** p - q.h ** p));
        fMax = Math.max(fMax, coarse.fMax);
        break;
      } catch (error) {
        if (!(error instanceof NonFiniteError || error instanceof StepTooSmallError)) throw error;
      }
    }
    if (Number.isNaN(higherDerivative)) note = `∂f/∂${line.variable}: no error estimate (f is not finite at the coarse steps)`;
  }
  const noise = Math.max(options.noise, evaluationNoise(fMax));
  const inputs = { derivative: higherDerivative, noise };
  let errorEstimate = options.estimate === false ? NaN : model.error(q.h, inputs);
  // Symmetric stencils can check that they resolve f: ±h against ±2h (five-point) or the coarse ±H (central);
  // one-sided ones spend one more evaluation, at h/4, to compare the quotients' changes.
  let blind = false;
  if (options.estimate !== false && coarse !== undefined) {
    if (scheme === 'five-point' || scheme === 'central') {
      blind = unresolved(options.fx, pairAt(q, 1), scheme === 'five-point' ? pairAt(q, 2) : pairAt(coarse, 1), noise);
      if (!blind && scheme === 'five-point' && coarse.h > q.h) blind = fivePointUnconverged(q, coarse, noise);
    } else if (coarse.h > q.h) {
      try {
        blind = unresolvedOneSided(quotient(line, multiples, q.h / 4, options.fx), q, coarse, noise);
      } catch (error) {
        if (!(error instanceof NonFiniteError || error instanceof StepTooSmallError)) throw error;
      }
    }
  }
  if (blind) {
    errorEstimate = Infinity;
    note = unresolvedNote(line, q.h);
  }
  return {
    derivative: q.value,
    errorEstimate,
    scheme,
    step: q.h,
    higherDerivative,
    noise,
    evaluations,
    estimateEvaluations: line.evaluations - before - evaluations,
    note,
  };
}

/**
 * ∂f/∂x by Richardson extrapolation: central differences D(hₖ) at hₖ = h/2ᵏ for k < S (`steps`, default 2L), combined
 * in a Neville tableau in t = h²: T[k][j] extrapolates D(h_{k−j}), …, D(hₖ) to t = 0, eliminating h², …, h^(2j),
 * for j < L (`levels`, default 4). Like numdifftools, the tableau slides over more steps than one extrapolation
 * needs, so functions that vary on scales well below h still find a window where the expansion in h² holds.
 *
 * Error estimate (as numdifftools, honest rather than tight): for an entry T[k][j], j ≥ 1, the change between the
 * two order-(j−1) entries it combines, |T[k][j−1] − T[k−1][j−1]|, and between it and the same order one step coarser,
 * |T[k][j] − T[k−1][j]|, whichever is larger, plus its round-off (N/hₖ propagated through the tableau's weights).
 * The entry with the smallest estimate is returned. The estimate costs no evaluations beyond the tableau's 2S.
 * When a stencil point is not finite the largest step is halved (noted), down to the central difference's textbook step.
 * @throws NonFiniteError when f is not finite even at the smallest steps tried.
 */
export function richardsonPartial(line: CoordinateLine, options: PartialOptions): PartialEstimate {
  const levels = options.levels ?? 4;
  const model = richardsonModel(levels);
  let h0 = options.h ?? textbookStep(model, line.x);
  const floor = textbookStep(centralModel, line.x);
  let note: string | undefined;
  const before = line.evaluations;
  for (;;) {
    try {
      const result = richardsonTableau(line, levels, h0, options);
      const notes = [note, result.note].filter((n) => n !== undefined);
      return { ...result, evaluations: line.evaluations - before, note: notes.length > 0 ? notes.join('; ') : undefined };
    } catch (error) {
      if (!(error instanceof NonFiniteError) || h0 / 2 < floor) throw error;
      h0 /= 2;
      note = `∂f/∂${line.variable}: Richardson's largest step reduced to ${formatStep(h0)} (${error.message.split(':')[0]})`;
    }
  }
}

function richardsonTableau(line: CoordinateLine, levels: number, h0: number, options: PartialOptions) {
  const D: number[] = [], t: number[] = [], hs: number[] = [], pairs: Pair[] = [];
  let fMax = Math.abs(options.fx);
  const steps = options.steps ?? 2 * levels;
  for (let k = 0; k < steps; k++) {
    const q = quotient(line, stencils.central, h0 / 2 ** k, options.fx);
    D.push(q.value);
    pairs.push(pairAt(q, 1));
    hs.push(q.h);
    t.push(q.h * q.h);
    fMax = Math.max(fMax, q.fMax);
  }
  const noise = Math.max(options.noise, evaluationNoise(fMax));
  // T[k][j] = (t_{k−j}·T[k][j−1] − t_k·T[k−1][j−1]) / (t_{k−j} − t_k)   (Neville at t = 0)
  // R[k][j]: the same recursion on absolute values bounds the propagated round-off (R[k][0] = N/hₖ).
  const T: number[][] = [], R: number[][] = [];
  let best = { value: D[0], error: Infinity };
  for (let k = 0; k < steps; k++) {
    T.push([D[k]]);
    R.push([noise / hs[k]]);
    for (let j = 1; j <= Math.min(k, levels - 1); j++) {
      const a = t[k - j], b = t[k];
      T[k][j] = (a * T[k][j - 1] - b * T[k - 1][j - 1]) / (a - b);
      R[k][j] = (a * R[k][j - 1] + b * R[k - 1][j - 1]) / (a - b);
      const change = Math.abs(T[k][j - 1] - T[k - 1][j - 1]);
      const stability = j <= k - 1 ? Math.abs(T[k][j] - T[k - 1][j]) : 0;
      const error = Math.max(change, stability) + R[k][j];
      if (error < best.error) best = { value: T[k][j], error };
    }
  }
  // Even the finest steps do not resolve f: a kink, jump or pole lies within h/2^(S−1) of x.
  const blind = steps >= 2 && unresolved(options.fx, pairs[steps - 1], pairs[steps - 2], noise);
  return {
    derivative: best.value,
    errorEstimate: blind ? Infinity : best.error,
    scheme: 'richardson' as const,
    step: hs[0],
    higherDerivative: NaN,
    noise,
    estimateEvaluations: 0,
    ...(blind ? { note: unresolvedNote(line, hs[steps - 1]) } : {}),
  };
}
