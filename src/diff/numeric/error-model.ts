// The error models of numeric differentiation as code: truncation + round-off per scheme, optimal steps, model curves.
//
// Notation used throughout: h the step, ε = Number.EPSILON, N the absolute rounding error of one evaluation of f
// (N ≈ ε|f| when f is evaluated stably), D the magnitude of the derivative in the truncation term, S = |f'|.
// The agreement harness uses these models as tolerances and the reports plot them next to measured errors.

/** ε = 2⁻⁵², the spacing of doubles at 1. */
export const machineEpsilon = Number.EPSILON;

/**
 * How far a measured error may exceed a numeric scheme's `errorEstimate` before the disagreement counts as a bug.
 * The estimates are leading-order (the model's first truncation term, with the higher derivative estimated, plus a
 * bound on round-off), so the next Taylor term can push the actual error slightly past them: over thousands of
 * random expressions (test/diff/numeric/property.test.ts) the ratio actual/estimate stayed below 1.5, with a
 * 99th percentile at or below 1. The agreement harness should use estimate × this factor as its tolerance.
 */
export const estimateSafetyFactor = 10;

/** The plain difference quotients. */
export type DifferenceSchemeName = 'forward' | 'backward' | 'central' | 'five-point';

/** Every numeric scheme gradlab implements. */
export type SchemeName = DifferenceSchemeName | 'richardson' | 'complex-step';

/** The magnitudes an error model needs; each model reads the ones it uses. */
export interface ModelInputs {
  /** D = |f⁽ᵏ⁾| near the point, k = {@link ErrorModel.derivativeOrder}: the derivative in the truncation term. */
  readonly derivative: number;
  /** N: the absolute rounding error of one evaluation of f, ε|f| when f is evaluated stably (see {@link evaluationNoise}). */
  readonly noise: number;
  /** S = |f'|, used only by the complex step's rounding term. */
  readonly slope?: number;
  /**
   * The complex step only: a bound on the rounding error of the derivative's own evaluation where it exceeds ε|f'|
   * (cancellation in the chain rule, an ill-conditioned f'); see `derivativeRoundingBound` in noise.ts.
   */
  readonly derivativeNoise?: number;
}

/**
 * The error of one scheme as a function of the step h: truncation(h) + roundOff(h).
 * For the difference schemes truncation = C·D·hᵖ and roundOff = R·N/h (the weights' absolute sum times N);
 * for the complex step roundOff = ε·S, independent of h, because nothing is subtracted.
 */
export interface ErrorModel {
  readonly scheme: SchemeName;
  /** The model in one line of math. */
  readonly formula: string;
  /** p: the truncation error is O(hᵖ). */
  readonly truncationOrder: number;
  /** k: the truncation term involves f⁽ᵏ⁾. */
  readonly derivativeOrder: number;
  /** C in truncation = C·D·hᵖ. */
  readonly truncationConstant: number;
  /** R in roundOff = R·N/h (0 for the complex step, whose rounding does not grow as h shrinks). */
  readonly roundOffConstant: number;
  /** The unscaled textbook step (√ε, ∛ε, ε^⅕, …); {@link textbookStep} scales it by max(1, |x|). */
  readonly textbookBase: number;
  /** Truncation error at step h. */
  truncation(h: number, inputs: ModelInputs): number;
  /** Round-off error at step h. */
  roundOff(h: number, inputs: ModelInputs): number;
  /** truncation + round-off. */
  error(h: number, inputs: ModelInputs): number;
  /** The h minimising {@link ErrorModel.error} for these magnitudes (for the complex step: the largest h whose truncation is below rounding). */
  optimalStep(inputs: ModelInputs): number;
}

/** A power-law model: C·D·hᵖ + R·N/h, minimised at h* = (R·N / (p·C·D))^(1/(p+1)). */
function powerLawModel(
  scheme: SchemeName, formula: string, p: number, k: number, C: number, R: number, textbookBase: number,
): ErrorModel {
  const truncation = (h: number, m: ModelInputs) => C * m.derivative * Math.abs(h) ** p;
  const roundOff = (h: number, m: ModelInputs) => (R * m.noise) / Math.abs(h);
  return {
    scheme, formula, truncationOrder: p, derivativeOrder: k, truncationConstant: C, roundOffConstant: R, textbookBase,
    truncation,
    roundOff,
    error: (h, m) => truncation(h, m) + roundOff(h, m),
    // d/dh (C D hᵖ + R N/h) = p C D hᵖ⁻¹ − R N/h² = 0  ⇒  hᵖ⁺¹ = R N/(p C D)
    optimalStep: (m) => ((R * m.noise) / (p * C * m.derivative)) ** (1 / (p + 1)),
  };
}

const eps = machineEpsilon;

/**
 * Forward difference (f(x+h) − f(x))/h.
 * f(x+h) = f + h f' + h² f''/2 + …  ⇒  truncation |f''|h/2; two evaluations each off by N ⇒ round-off 2N/h.
 * Optimum h* = 2√(N/|f''|); textbook √ε·max(1, |x|).
 */
export const forwardModel: ErrorModel = powerLawModel('forward', '|f″|·h/2 + 2N/h', 1, 2, 1 / 2, 2, Math.sqrt(eps));

/** Backward difference (f(x) − f(x−h))/h: the same model as {@link forwardModel} (truncation |f''|h/2, round-off 2N/h). */
export const backwardModel: ErrorModel = powerLawModel('backward', '|f″|·h/2 + 2N/h', 1, 2, 1 / 2, 2, Math.sqrt(eps));

/**
 * Central difference (f(x+h) − f(x−h))/(2h).
 * The even terms cancel: (f(x+h) − f(x−h))/(2h) = f' + h² f'''/6 + …  ⇒  truncation |f'''|h²/6; round-off 2N/(2h) = N/h.
 * Optimum h* = ∛(3N/|f'''|); textbook ∛ε·max(1, |x|).
 */
export const centralModel: ErrorModel = powerLawModel('central', '|f‴|·h²/6 + N/h', 2, 3, 1 / 6, 1, Math.cbrt(eps));

/**
 * Five-point stencil (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h))/(12h).
 * 8·[f(x+h) − f(x−h)] − [f(x+2h) − f(x−2h)] = 12h f' + (16 − 64)·2h⁵f⁽⁵⁾/5! + …  ⇒  truncation |f⁽⁵⁾|h⁴/30;
 * weights (1 + 8 + 8 + 1)/12 ⇒ round-off 18N/(12h) = 3N/(2h). Optimum h* = (45N/(4|f⁽⁵⁾|))^⅕; textbook ε^⅕·max(1, |x|).
 */
export const fivePointModel: ErrorModel = powerLawModel('five-point', '|f⁽⁵⁾|·h⁴/30 + 3N/(2h)', 4, 5, 1 / 30, 3 / 2, eps ** (1 / 5));

/**
 * Complex step Im f(x + ih)/h.
 * f(x+ih) = f + ih f' − h² f''/2 − ih³ f'''/6 + …  ⇒  Im/h = f' − h² f'''/6: truncation |f'''|h²/6.
 * Nothing is subtracted, so rounding is relative to f' itself: round-off ≈ ε|f'| for any h, or the rounding error of
 * the derivative's evaluation where that is larger (`derivativeNoise`: the imaginary parts accumulate the chain rule as
 * forward-mode AD does, with its cancellations). Any h ≤ √(6ε|f'|/|f'''|) is optimal; the textbook step is
 * 1e-20·max(1, |x|), where truncation is ~1e-40 relative.
 */
export const complexStepModel: ErrorModel = (() => {
  const truncation = (h: number, m: ModelInputs) => (m.derivative * h * h) / 6;
  const roundOff = (_h: number, m: ModelInputs) => Math.max(eps * (m.slope ?? 0), m.derivativeNoise ?? 0);
  return {
    scheme: 'complex-step', formula: "|f‴|·h²/6 + max(ε|f′|, rounding of f′'s evaluation)", truncationOrder: 2, derivativeOrder: 3,
    truncationConstant: 1 / 6, roundOffConstant: 0, textbookBase: 1e-20,
    truncation,
    roundOff,
    error: (h, m) => truncation(h, m) + roundOff(h, m),
    // |f'''|h²/6 = ε|f'|  ⇒  h = √(6ε|f'|/|f'''|): every smaller step is as good.
    optimalStep: (m) => Math.sqrt((6 * eps * (m.slope ?? 0)) / m.derivative),
  };
})();

/**
 * Lagrange weights ℓⱼ(0) for extrapolating to t = 0 from nodes tⱼ: P(0) = Σ ℓⱼ(0)·P(tⱼ), ℓⱼ(0) = Π_{m≠j} tₘ/(tₘ − tⱼ).
 * Richardson extrapolation of central differences uses tⱼ = hⱼ².
 */
export function extrapolationWeights(nodes: readonly number[]): number[] {
  return nodes.map((tj, j) => nodes.reduce((w, tm, m) => (m === j ? w : (w * tm) / (tm - tj)), 1));
}

function factorial(n: number): number {
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}

const richardsonModels = new Map<number, ErrorModel>();

/**
 * Richardson extrapolation of L central differences at h, h/2, …, h/2^(L−1) (a Neville tableau in t = h²).
 * D(h) = f' + Σⱼ c_j h^(2j) with c_j = f^(2j+1)/(2j+1)!; the degree-(L−1) interpolant in t at 0 leaves
 * c_L·Π tₖ  ⇒  truncation |f^(2L+1)|/(2L+1)!·Π (h/2ᵏ)² = C·D·h^(2L) with C = 2^(−L(L−1))/(2L+1)!.
 * Each D(hₖ) carries round-off N/hₖ, combined with the weights ℓₖ(0)  ⇒  round-off Σ|ℓₖ(0)|·2ᵏ·N/h.
 * The textbook h is the optimum for Taylor coefficients |f^(2L+1)|/(2L+1)! = 1 and N = ε (functions varying on a
 * scale of 1), scaled by max(1, |x|) like the others.
 */
export function richardsonModel(levels: number): ErrorModel {
  if (!Number.isInteger(levels) || levels < 2) throw new RangeError(`Richardson needs at least 2 levels, got ${levels}`);
  let model = richardsonModels.get(levels);
  if (model === undefined) {
    const L = levels, p = 2 * L;
    const nodes = Array.from({ length: L }, (_, k) => 4 ** -k);
    const R = extrapolationWeights(nodes).reduce((s, w, k) => s + Math.abs(w) * 2 ** k, 0);
    const C = 2 ** (-L * (L - 1)) / factorial(2 * L + 1);
    // Optimum of C·(2L+1)!·h^p + R·ε/h (unit Taylor coefficient): h^(p+1) = R ε/(p C (2L+1)!).
    const base = ((R * eps) / (p * C * factorial(2 * L + 1))) ** (1 / (p + 1));
    model = powerLawModel('richardson', `|f^(${2 * L + 1})|·h^${p}·${C.toPrecision(3)} + ${R.toPrecision(3)}·N/h`, p, 2 * L + 1, C, R, base);
    richardsonModels.set(levels, model);
  }
  return model;
}

const oneSidedRichardsonModels = new Map<number, ErrorModel>();

/**
 * Richardson extrapolation of L one-sided (forward or backward) differences at h, h/2, …, h/2^(L−1) (a Neville
 * tableau in t = h: the expansion of a one-sided quotient has every power of h, not only the even ones).
 * Q(h) = f' + Σⱼ c_j hʲ with c_j = ±f^(j+1)/(j+1)!; the degree-(L−1) interpolant in t at 0 leaves c_L·Π tₖ
 * ⇒ truncation |f^(L+1)|/(L+1)!·Π h/2ᵏ = C·D·h^L with C = 2^(−L(L−1)/2)/(L+1)!.
 * Each Q(hₖ) carries round-off 2N/hₖ, combined with the weights ℓₖ(0) ⇒ round-off Σ|ℓₖ(0)|·2·2ᵏ·N/h.
 * The textbook h is the optimum for unit Taylor coefficients and N = ε, scaled by max(1, |x|), as for the central tableau.
 * Its `scheme` is `richardson`: it is the same method, on one side of the point.
 */
export function oneSidedRichardsonModel(levels: number): ErrorModel {
  if (!Number.isInteger(levels) || levels < 2) throw new RangeError(`Richardson needs at least 2 levels, got ${levels}`);
  let model = oneSidedRichardsonModels.get(levels);
  if (model === undefined) {
    const L = levels, p = L;
    const nodes = Array.from({ length: L }, (_, k) => 2 ** -k);
    const R = extrapolationWeights(nodes).reduce((s, w, k) => s + Math.abs(w) * 2 * 2 ** k, 0);
    const C = 2 ** (-(L * (L - 1)) / 2) / factorial(L + 1);
    // Optimum of C·(L+1)!·h^p + R·ε/h (unit Taylor coefficient): h^(p+1) = R ε/(p C (L+1)!).
    const base = ((R * eps) / (p * C * factorial(L + 1))) ** (1 / (p + 1));
    model = powerLawModel('richardson', `|f^(${L + 1})|·h^${p}·${C.toPrecision(3)} + ${R.toPrecision(3)}·N/h`, p, L + 1, C, R, base);
    oneSidedRichardsonModels.set(levels, model);
  }
  return model;
}

/** The model of a scheme; Richardson needs its number of levels (4 by default). */
export function errorModel(scheme: SchemeName, levels = 4): ErrorModel {
  switch (scheme) {
    case 'forward': return forwardModel;
    case 'backward': return backwardModel;
    case 'central': return centralModel;
    case 'five-point': return fivePointModel;
    case 'complex-step': return complexStepModel;
    case 'richardson': return richardsonModel(levels);
  }
}

/** The textbook step for `model` at coordinate x: base·max(1, |x|) (√ε, ∛ε, ε^⅕, … relative steps for large |x|). */
export function textbookStep(model: ErrorModel, x: number): number {
  return model.textbookBase * Math.max(1, Math.abs(x));
}

/**
 * The steps a finite difference starts from at coordinate x, largest first: base·max(1, |x|) (the
 * {@link textbookStep}) and base·min(1, |x|). One of them is the step scaled to the point, base·|x|, which suits f
 * whose scale is |x| itself (log x, √x, 1/x, xᵖ: their nearest singularity is at 0, so at small |x| every step must
 * be small beside |x|, and at large |x| a step relative to |x| keeps the most digits); the other is the unscaled
 * base, which suits f that varies on a scale of 1 wherever x is (sin x + x at 10⁴, cos x + x at 10⁻⁸). At x = 0,
 * |x| = 1 or a non-finite x the two coincide and only one is given. The schemes evaluate both and keep the one
 * with the smaller modelled error (then move it towards the model's optimum).
 */
export function candidateSteps(model: ErrorModel, x: number): number[] {
  const ax = Math.abs(x);
  const textbook = textbookStep(model, x);
  return ax > 0 && ax !== 1 && Number.isFinite(ax) ? [textbook, model.textbookBase * Math.min(1, ax)] : [textbook];
}

/** N for a stably evaluated f: one rounding of the result, ε|f|, or the spacing of subnormals where that is larger. */
export function evaluationNoise(f: number): number {
  return Math.max(eps * Math.abs(f), Number.MIN_VALUE);
}

/** One point of a model curve. */
export interface ModelPoint {
  readonly h: number;
  readonly truncation: number;
  readonly roundOff: number;
  readonly total: number;
}

/** The model error(h) over `steps`, for plots (the V curve's theoretical overlay). */
export function modelCurve(model: ErrorModel, inputs: ModelInputs, steps: readonly number[]): ModelPoint[] {
  return steps.map((h) => {
    const truncation = model.truncation(h, inputs), roundOff = model.roundOff(h, inputs);
    return { h, truncation, roundOff, total: truncation + roundOff };
  });
}

/** `perDecade` logarithmically spaced steps from `from` down (or up) to `to`, both included: the h axis of a V curve. */
export function logSteps(from: number, to: number, perDecade = 4): number[] {
  if (!(from > 0 && to > 0)) throw new RangeError('logSteps needs positive bounds');
  const decades = Math.log10(to / from);
  const count = Math.max(1, Math.round(Math.abs(decades) * perDecade));
  return Array.from({ length: count + 1 }, (_, i) => from * 10 ** ((decades * i) / count));
}
