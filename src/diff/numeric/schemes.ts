// The finite-difference schemes for one partial derivative: difference quotients and Richardson extrapolation.
import {
  candidateSteps, errorModel, evaluationNoise, oneSidedRichardsonModel, richardsonModel, textbookStep,
  type DifferenceSchemeName, type ErrorModel, type SchemeName,
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
  /** Richardson only: which differences the tableau extrapolated (central unless one side was asked for or fallen back to). */
  readonly side?: RichardsonSide;
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

/** Which differences a Richardson tableau extrapolates: central (f(x+h) − f(x−h))/2h, or one-sided at x + h or x − h. */
export type RichardsonSide = 'central' | 'forward' | 'backward';

/** What every partial estimator is told. */
export interface PartialOptions {
  /**
   * The step; by default chosen per coordinate from {@link candidateSteps} (the base step times max(1, |x|) and
   * times min(1, |x|)) by the smaller modelled error, then moved to the model's optimum.
   */
  readonly h?: number;
  /** Whether to spend extra evaluations on the error estimate (default true). */
  readonly estimate?: boolean;
  /** Richardson: how many central differences one extrapolation combines (default 4: it eliminates h², h⁴, h⁶). */
  readonly levels?: number;
  /** Richardson: how many differences are computed, at h, h/2, …, h/2^(steps−1) (default 2·levels). */
  readonly steps?: number;
  /** Richardson: central differences (default), or one-sided ones for a point at the edge of f's domain. */
  readonly side?: RichardsonSide;
  /** f at the point, already evaluated. */
  readonly fx: number;
  /** A lower bound for N, the rounding error of one evaluation of f near the point (ε|f| at least). */
  readonly noise: number;
}

/** Stencil nodes as multiples of h. */
const stencils: Readonly<Record<DifferenceSchemeName | 'central', readonly number[]>> = {
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
  /**
   * The rounding of the quotient's own arithmetic, ε·Σ|wⱼ·gⱼ|: the weights and each product carry a relative rounding
   * of up to ε/2 (the sum of nearly cancelling terms is then exact). Next to R·N/h this is the same size when f is
   * evaluated to ε|f|, so the round-off term counts it rather than assume it away.
   */
  readonly arithmetic: number;
  /**
   * Σⱼ wⱼ·tⱼ²/2, the quotient's coefficient of f″: 0 for a symmetric stencil, but the realised offsets (x ± h) − x
   * differ by up to the spacing of doubles at x (twice as coarse above 1 as below it), which leaves a truncation
   * term f″·(this) that does not shrink with h.
   */
  readonly secondMoment: number;
  /** f(x + m·h) by stencil multiple m. */
  readonly values: ReadonlyMap<number, number>;
}

function quotient(line: CoordinateLine, multiples: readonly number[], h: number, fx: number): Quotient {
  const nodes = multiples.map((m) => line.offset(m * h));
  if (nodes.some((t, j) => t === 0 && multiples[j] !== 0)) throw new StepTooSmallError(line.variable, line.x, h);
  const values = nodes.map((t) => (t === 0 ? fx : line.at(t)));
  // The weights scale as 1/h, so for tiny steps (h ≲ 1e-308/|f|: log x at 1e-300 with h = 1.5e-308) weight × f
  // overflows and the quotient comes out ∞ − ∞ = NaN. Weights for the nodes in units of a power of two near the
  // step, then one division by it: bit-for-bit the same quotient wherever nothing overflows (scaling by 2ᵏ is exact).
  const largest = Math.max(...nodes.map(Math.abs));
  const unit = 2 ** Math.floor(Math.log2(largest));
  const scaled = nodes.map((t) => t / unit);
  const weights = differenceWeights(scaled);
  let sum = 0, magnitude = 0, fMax = 0, moment = 0;
  values.forEach((g, j) => {
    sum += weights[j] * g;
    magnitude += Math.abs(weights[j] * g);
    moment += (weights[j] * scaled[j] * scaled[j]) / 2;
    fMax = Math.max(fMax, Math.abs(g));
  });
  const value = sum / unit;
  const realised = largest / Math.max(...multiples.map(Math.abs));
  return {
    value, h: realised, fMax, arithmetic: (Number.EPSILON * magnitude) / unit, secondMoment: moment * unit,
    values: new Map(multiples.map((m, j) => [m, values[j]])),
  };
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
 * P(4h) − P(2h) = 16·(P(2h) − P(h)); unresolved when that ratio is off by more than |P(4h) − P(2h)| and beyond
 * twice the rounding of P(4h) − 17·P(2h) + 16·P(h) (1.5N/k in each P(k)). Then the h⁴ truncation model, and the estimate built on it, does not apply: f has
 * structure (a nearby pole, fast oscillation) on the scale of the stencil.
 */
function fivePointUnconverged(q: Quotient, coarse: Quotient, noise: number): boolean {
  const h = q.h;
  const central = (p: Pair) => (p.plus - p.minus) / (2 * p.h);
  const c1 = central(pairAt(q, 1)), c2 = central(pairAt(q, 2)), c4 = central(pairAt(coarse, 1)), c8 = central(pairAt(coarse, 2));
  const p1 = (4 * c1 - c2) / 3, p2 = (4 * c2 - c4) / 3, p4 = (4 * c4 - c8) / 3;
  const a = p2 - p1, b = p4 - p2;
  // P(k) = (4C(k) − C(2k))/3 carries up to (4·N/k + N/(2k))/3 = 1.5N/k of rounding, so b − 16a up to
  // 1.5N·(1/2h + 1/4h) + 16·1.5N·(1/h + 1/2h) ≈ 37N/h: below twice that (the quotients' own arithmetic rounds too)
  // the test sees only rounding, which says nothing about structure.
  const pRounding = (k: number) => (1.5 * noise) / k;
  const rounding = pRounding(2 * h) + pRounding(4 * h) + 16 * (pRounding(h) + pRounding(2 * h));
  return Math.abs(b - 16 * a) > Math.max(Math.abs(b), 2 * rounding);
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
 * The step: `options.h` when given (and with `estimate: false`, the textbook step, since nothing else can rank
 * steps). Otherwise the quotient is formed at each of {@link candidateSteps} (the base step times max(1, |x|),
 * the textbook step, and times min(1, |x|): one of the two is scaled to the point; where f is not finite within
 * reach of either, steps 2¹⁰, 2²⁰, … times smaller, up to five), the one with the smaller error estimate is kept,
 * and then moved to the model's optimal step for its estimated truncation and round-off (at most 16× the textbook
 * step, at most two moves, each kept only when its estimate is smaller). So log x at 10⁻³ gets h ≈ 1.3e-8 (central)
 * instead of 6e-6, and cos x + x at 10⁻⁸ keeps the textbook step. The evaluations of the steps not kept count as
 * `estimateEvaluations`.
 *
 * Error estimate: the model's truncation C·D·hᵖ + round-off R·N/h (plus the rounding of the quotient's own
 * arithmetic, ε·Σ|wⱼ·f(xⱼ)|) with D, the derivative in the truncation term,
 * estimated from the same quotient at a coarse step H = 4h: Q(H) − Q(h) ≈ C·D·(Hᵖ − hᵖ), so the truncation at h is
 * |Q(H) − Q(h)| / |(H/h)ᵖ − 1| (a difference of differences; the noise in Q(h) only inflates it, by ≈ 1/(4ᵖ − 1)
 * of the round-off). N is ε·max|f| over the stencil, at least `noise`.
 * Every scheme also checks that its steps resolve f (central and five-point from their symmetric values, see
 * `unresolved`; forward and backward with one more evaluation at h/4, see `unresolvedOneSided`); where a kink,
 * jump, pole or singularity lies within reach the estimate is Infinity and a note says why, since the Taylor
 * expansion behind the model fails there. So the estimate costs, per variable and step tried, 2 evaluations for
 * central, 4 for five-point, and 2 for forward and backward (x ± 4h and x ± h/4).
 * @throws NonFiniteError when f is not finite at a stencil point of step h.
 */
export function differencePartial(line: CoordinateLine, scheme: DifferenceSchemeName, options: PartialOptions): PartialEstimate {
  const model = errorModel(scheme);
  if (options.h !== undefined) return differenceAt(line, scheme, options.h, options).estimate;
  if (options.estimate === false) return differenceAt(line, scheme, textbookStep(model, line.x), options).estimate;
  return selectStep(line, model, (h) => differenceAt(line, scheme, h, options));
}

/** Orders estimates: a finite estimate beats Infinity, which beats none (NaN). */
function rank(estimate: PartialEstimate): number {
  return Number.isNaN(estimate.errorEstimate) ? 2 : estimate.errorEstimate === Infinity ? 1 : 0;
}

function better(a: PartialEstimate, b: PartialEstimate | undefined): boolean {
  if (b === undefined) return true;
  const ra = rank(a), rb = rank(b);
  return ra !== rb ? ra < rb : ra === 0 && a.errorEstimate < b.errorEstimate;
}

/** How far above the largest candidate step the move to the optimum may go (log x at 10⁸: forward's optimum is 8.5× it). */
const maxMove = 16;

/**
 * The partial at the step with the smallest modelled error: `at` is run at each candidate step, then at the model's
 * optimum for the best one's estimated truncation and round-off (at most {@link maxMove} times the largest
 * candidate) while that moves the step by more than a factor 2, up to twice; a move is kept only when its error
 * estimate is smaller (a stencil that leaves f's domain or does not resolve f never is). Every evaluation beyond the
 * kept quotient's counts as an estimate evaluation.
 * @throws the first candidate's NonFiniteError or StepTooSmallError when no candidate could be formed.
 */
function selectStep(line: CoordinateLine, model: ErrorModel, at: (h: number) => Terms): PartialEstimate {
  const before = line.evaluations;
  const candidates = candidateSteps(model, line.x);
  let best: Terms | undefined;
  let failure: unknown;
  const attempt = (h: number): Terms | undefined => {
    try {
      return at(h);
    } catch (error) {
      if (!(error instanceof NonFiniteError || error instanceof StepTooSmallError)) throw error;
      failure ??= error;
      return undefined;
    }
  };
  for (const h of candidates) {
    const terms = attempt(h);
    if (terms !== undefined && better(terms.estimate, best?.estimate)) best = terms;
  }
  // f is not finite within every candidate's reach (a domain edge nearer than the steps, on the stencil's side:
  // log(2 − x) at 2 − 1e-9): shrink by 2¹⁰ at a time, up to five times, until a stencil fits or the step is below
  // the spacing of doubles at x.
  for (let k = 1, h = candidates[candidates.length - 1]; best === undefined && failure instanceof NonFiniteError && k <= 5; k++) {
    h /= 1024;
    const terms = attempt(h);
    if (terms !== undefined) best = terms;
    else if (!(failure instanceof NonFiniteError) || line.offset(h) === 0) break;
  }
  if (best === undefined) throw failure;
  for (let move = 0; move < 2 && rank(best.estimate) === 0; move++) {
    // C·D·hᵖ + R·N/h is least at h*, where p·C·D·h*ᵖ = R·N/h*: h* = h·(roundOff/(p·truncation))^(1/(p+1)) in terms of
    // the two terms at h (free of D and hᵖ, which overflow and underflow at tiny steps).
    const { truncation, roundOff } = best;
    const h = best.estimate.step;
    if (!(truncation >= 0 && roundOff > 0)) break;
    const p = model.truncationOrder;
    // A truncation estimate of exactly 0 (the coarse quotient equal to the fine one to the last bit: a polynomial of
    // low degree, or luck) gives no optimum: try a step 16× larger, which only round-off can tell from this one.
    const toward = truncation === 0 ? 16 * h : h * (roundOff / (p * truncation)) ** (1 / (p + 1));
    const optimal = Math.min(toward, maxMove * candidates[0]);
    if (!(optimal > 0) || (optimal > h / 2 && optimal < h * 2)) break;
    const moved = attempt(optimal);
    if (moved === undefined || !better(moved.estimate, best.estimate)) break;
    best = moved;
  }
  return { ...best.estimate, estimateEvaluations: line.evaluations - before - best.estimate.evaluations };
}

/** A partial with the two terms of its error estimate (NaN where not formed), for moving the step to the optimum. */
interface Terms {
  readonly estimate: PartialEstimate;
  readonly truncation: number;
  readonly roundOff: number;
}

/** ∂f/∂x by one difference quotient at nominal step `nominal`, with its error estimate (see {@link differencePartial}). */
function differenceAt(line: CoordinateLine, scheme: DifferenceSchemeName, nominal: number, options: PartialOptions): Terms {
  const model = errorModel(scheme);
  const multiples = stencils[scheme];
  const before = line.evaluations;
  const q = quotient(line, multiples, nominal, options.fx);
  const evaluations = line.evaluations - before;
  let fMax = Math.max(q.fMax, Math.abs(options.fx));
  let higherDerivative = NaN;
  let truncation = NaN;
  let coarse: Quotient | undefined;
  let note: string | undefined;
  if (options.estimate !== false) {
    for (const factor of coarseFactors) {
      try {
        coarse = quotient(line, multiples, factor * q.h, options.fx);
        const p = model.truncationOrder;
        // Q(H) − Q(h) = C·D·(Hᵖ − hᵖ), so the truncation at h, C·D·hᵖ, is |Q(H) − Q(h)|/|(H/h)ᵖ − 1|: formed from the
        // ratio of the steps, since hᵖ underflows for the tiny steps of tiny |x| (h = 6e-306 at x = 1e-300, h² = 0).
        const delta = Math.abs(coarse.value - q.value);
        truncation = delta === 0 ? 0 : delta / Math.abs((coarse.h / q.h) ** p - 1);
        higherDerivative = truncation === 0 ? 0 : truncation / q.h ** p / model.truncationConstant;
        fMax = Math.max(fMax, coarse.fMax);
        break;
      } catch (error) {
        if (!(error instanceof NonFiniteError || error instanceof StepTooSmallError)) throw error;
      }
    }
    if (Number.isNaN(higherDerivative)) note = `∂f/∂${line.variable}: no error estimate (f is not finite at the coarse steps)`;
  }
  const noise = Math.max(options.noise, evaluationNoise(fMax));
  const roundOff = model.roundOff(q.h, { derivative: higherDerivative, noise }) + q.arithmetic;
  // Symmetric stencils: the f″ term their realised offsets leave (see Quotient.secondMoment), with f″ from the
  // second divided difference over x − a, x, x + b.
  let asymmetry = 0;
  if (multiples.includes(-1) && multiples.includes(1) && q.secondMoment !== 0) {
    const b = line.offset(q.h), a = -line.offset(-q.h);
    const slopes = (q.values.get(1)! - options.fx) / b - (options.fx - q.values.get(-1)!) / a;
    // |moment · f″| with f″ = 2·slopes/(a + b), grouped so that neither f″ (1e600 for log x at 1e-300) nor the
    // moment's scale overflows or underflows on the way.
    asymmetry = Math.abs(q.secondMoment / (a + b)) * Math.abs(2 * slopes);
  }
  let errorEstimate = options.estimate === false ? NaN : truncation + roundOff + asymmetry;
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
    estimate: {
      derivative: q.value,
      errorEstimate,
      scheme,
      step: q.h,
      higherDerivative,
      noise,
      evaluations,
      estimateEvaluations: line.evaluations - before - evaluations,
      note,
    },
    truncation,
    roundOff,
  };
}

/**
 * ∂f/∂x by Richardson extrapolation: differences D(hₖ) at hₖ = h/2ᵏ for k < S (`steps`, default 2L), combined in a
 * Neville tableau: T[k][j] extrapolates D(h_{k−j}), …, D(hₖ) to h = 0, for j < L (`levels`, default 4). Central
 * differences (the default `side`) expand in t = h², so each column eliminates h², h⁴, …; one-sided differences
 * (`side: 'forward'` or `'backward'`, as numdifftools' `method='forward'` with extrapolation) expand in t = h and
 * eliminate h, h², …: they need only f on one side of x, so a point at the edge of f's domain (log x at 10⁻³,
 * √x at 10⁻¹⁰) still gets an extrapolated answer. Like numdifftools, the tableau slides over more steps than one
 * extrapolation needs, so functions that vary on scales well below h still find a window where the expansion holds.
 *
 * The largest step: `options.h` when given; otherwise the tableau is built from each of {@link candidateSteps}
 * (the model's base h times max(1, |x|) and times min(1, |x|)) and the one with the smaller
 * error estimate is kept (the other's evaluations count as `estimateEvaluations`); with `estimate: false`, the textbook h.
 *
 * Error estimate (as numdifftools, honest rather than tight): for an entry T[k][j], j ≥ 1, the change between the
 * two order-(j−1) entries it combines, |T[k][j−1] − T[k−1][j−1]|, and between it and the same order one step coarser,
 * |T[k][j] − T[k−1][j]|, whichever is larger, plus its round-off (N/hₖ central, 2N/hₖ one-sided, propagated through
 * the tableau's weights). The entry with the smallest estimate is returned. The estimate costs no evaluations beyond
 * the tableau's (2S central, S one-sided plus f(x)).
 * When a stencil point is not finite the largest step is halved (noted), down to the central or one-sided
 * difference's own textbook step relative to the start.
 * @throws NonFiniteError when f is not finite even at the smallest steps tried.
 */
export function richardsonPartial(line: CoordinateLine, options: PartialOptions): PartialEstimate {
  const levels = options.levels ?? 4;
  const side = options.side ?? 'central';
  const model = side === 'central' ? richardsonModel(levels) : oneSidedRichardsonModel(levels);
  if (options.h !== undefined) return richardsonFrom(line, levels, side, options.h, options);
  if (options.estimate === false) return richardsonFrom(line, levels, side, textbookStep(model, line.x), options);
  const before = line.evaluations;
  let best: PartialEstimate | undefined;
  let failure: unknown;
  for (const h of candidateSteps(model, line.x)) {
    try {
      const estimate = richardsonFrom(line, levels, side, h, options);
      if (better(estimate, best)) best = estimate;
    } catch (error) {
      if (!(error instanceof NonFiniteError || error instanceof StepTooSmallError)) throw error;
      failure ??= error;
    }
  }
  if (best === undefined) throw failure;
  return { ...best, estimateEvaluations: line.evaluations - before - best.evaluations };
}

/** The Richardson tableau from largest step `start`, halved while a stencil point is not finite (see {@link richardsonPartial}). */
function richardsonFrom(line: CoordinateLine, levels: number, side: RichardsonSide, start: number, options: PartialOptions): PartialEstimate {
  const model = side === 'central' ? richardsonModel(levels) : oneSidedRichardsonModel(levels);
  const plain = errorModel(side === 'central' ? 'central' : side);
  // The smallest largest-step worth trying: the plain difference's textbook step, relative to where we started.
  const floor = (start * plain.textbookBase) / model.textbookBase;
  let h0 = start;
  let note: string | undefined;
  const before = line.evaluations;
  for (;;) {
    try {
      const result = richardsonTableau(line, levels, side, h0, options);
      const notes = [note, result.note].filter((n) => n !== undefined);
      return { ...result, evaluations: line.evaluations - before, note: notes.length > 0 ? notes.join('; ') : undefined };
    } catch (error) {
      if (!(error instanceof NonFiniteError) || h0 / 2 < floor) throw error;
      h0 /= 2;
      note = `∂f/∂${line.variable}: Richardson's largest step reduced to ${formatStep(h0)} (${error.message.split(':')[0]})`;
    }
  }
}

function richardsonTableau(line: CoordinateLine, levels: number, side: RichardsonSide, h0: number, options: PartialOptions) {
  const D: number[] = [], t: number[] = [], hs: number[] = [], quotients: Quotient[] = [];
  let fMax = Math.abs(options.fx);
  const steps = options.steps ?? 2 * levels;
  const multiples = stencils[side];
  for (let k = 0; k < steps; k++) {
    const q = quotient(line, multiples, h0 / 2 ** k, options.fx);
    D.push(q.value);
    quotients.push(q);
    hs.push(q.h);
    // Central differences expand in even powers of h, one-sided ones in every power. In units of the first step
    // (extrapolation to t = 0 does not depend on t's unit): h² itself underflows to 0 for h < 1e-154.
    const ratio = q.h / quotients[0].h;
    t.push(side === 'central' ? ratio * ratio : ratio);
    fMax = Math.max(fMax, q.fMax);
  }
  const noise = Math.max(options.noise, evaluationNoise(fMax));
  // Sum of the quotient's |weights|·h: 1 for (f(x+h) − f(x−h))/2h, 2 for (±(f(x±h) − f(x)))/h.
  const weightSum = side === 'central' ? 1 : 2;
  // T[k][j] = (t_{k−j}·T[k][j−1] − t_k·T[k−1][j−1]) / (t_{k−j} − t_k)   (Neville at t = 0)
  // R[k][j]: the same recursion on absolute values bounds the propagated round-off (R[k][0] = weightSum·N/hₖ).
  const T: number[][] = [], R: number[][] = [];
  let best = { value: D[0], error: Infinity };
  for (let k = 0; k < steps; k++) {
    T.push([D[k]]);
    R.push([(weightSum * noise) / hs[k]]);
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
  let blind: boolean;
  if (side === 'central') blind = steps >= 2 && unresolved(options.fx, pairAt(quotients[steps - 1], 1), pairAt(quotients[steps - 2], 1), noise);
  // One-sided: the quotients at h/4, h and 4h of the finest steps (halving: three entries apart, two each way).
  else blind = steps >= 5 && unresolvedOneSided(quotients[steps - 1], quotients[steps - 3], quotients[steps - 5], noise);
  return {
    derivative: best.value,
    errorEstimate: blind ? Infinity : best.error,
    scheme: 'richardson' as const,
    step: hs[0],
    side,
    higherDerivative: NaN,
    noise,
    estimateEvaluations: 0,
    ...(blind ? { note: unresolvedNote(line, hs[steps - 1]) } : {}),
  };
}
