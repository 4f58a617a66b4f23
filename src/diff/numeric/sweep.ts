// The error-versus-step sweep: one partial by one scheme over many steps h, with the model beside it (the V curve).
import type { Expr } from '../../ir/node.ts';
import { compile } from '../../ir/compile.ts';
import { variableIndex as indexVariables } from '../../ir/compile.ts';
import {
  errorModel, evaluationNoise, modelCurve, textbookStep, type ErrorModel, type ModelInputs, type ModelPoint, type SchemeName,
} from './error-model.ts';
import { assertAnalytic, readNumericOptions } from './gradient.ts';
import { evaluationNoiseBound } from './noise.ts';
import { differencePartial, richardsonPartial, type PartialEstimate } from './schemes.ts';
import { complexStepDerivatives, complexStepPartials } from './complex-step.ts';
import { CoordinateLine, NonFiniteError, StepTooSmallError } from './stencil.ts';

/** One step of a sweep. */
export interface SweepPoint {
  /** The nominal step asked for. */
  readonly h: number;
  /** The step realised ((x + h) − x), NaN when the scheme could not run at this h. */
  readonly step: number;
  /** The scheme's derivative at this h (NaN when it could not run). */
  readonly derivative: number;
  /** |derivative − reference|. */
  readonly error: number;
  /** error / |reference| (error itself when the reference is 0). */
  readonly relativeError: number;
  /** The scheme's own error estimate at this h. */
  readonly errorEstimate: number;
  /** The model at this h with the sweep's magnitudes. */
  readonly model: ModelPoint;
  /** Why the scheme could not run here (f not finite at a stencil point, h below the spacing of doubles). */
  readonly failure?: string;
}

/** The data of a V-curve plot. */
export interface StepSweep {
  readonly scheme: SchemeName;
  readonly model: ErrorModel;
  readonly variable: string;
  readonly x: number;
  /** The exact derivative the errors are measured against. */
  readonly reference: number;
  readonly referenceSource: 'given' | 'complex-step';
  /**
   * The model's magnitudes: D (estimated unless given) and the textbook N = ε|f(x)|, which predicts where a
   * measured V curve bottoms out; the inputs of {@link modelCurve} for a finer overlay.
   */
  readonly modelInputs: ModelInputs;
  /**
   * The running-error bound on N that the schemes' error estimates use (noise.ts): an upper bound, larger than
   * ε|f| by the error amplification inside f. Plot `modelCurve(model, { ...modelInputs, noise: noiseBound }, hs)`
   * to show the estimate's round-off branch.
   */
  readonly noiseBound: number;
  /** The textbook step (√ε, ∛ε, ε^⅕ … times max(1, |x|)). */
  readonly textbookStep: number;
  /** The model's optimum for {@link StepSweep.modelInputs} (the textbook formula, e.g. 2√(ε|f|/|f″|) for forward). */
  readonly optimalStep: number;
  readonly points: readonly SweepPoint[];
  /** The point with the smallest measured error. */
  readonly best: SweepPoint;
}

/** Options for {@link sweepStep}. */
export interface SweepOptions {
  /** The exact ∂f/∂x; by default computed by the complex step (the expression must then be analytic). */
  readonly reference?: number;
  /**
   * |f⁽ᵏ⁾| for the model curve; by default estimated by a k-th central difference (see {@link derivativeMagnitude}),
   * NaN (no model curve) when f is not finite within its reach.
   */
  readonly derivative?: number;
  /** Richardson's levels and steps (as the method's options). */
  readonly levels?: number;
  readonly steps?: number;
}

/**
 * |f⁽ᵏ⁾(x)| along one coordinate by the k-th central difference Σⱼ (−1)ʲ C(k, j) f(x + (k/2 − j)h) / hᵏ at
 * h = ε^(1/(k+2))·max(1, |x|), which balances its h² truncation against its 2ᵏε|f|/hᵏ round-off: a few correct digits,
 * enough for a model curve. k + 1 evaluations.
 */
export function derivativeMagnitude(line: CoordinateLine, k: number): number {
  const h = Number.EPSILON ** (1 / (k + 2)) * Math.max(1, Math.abs(line.x));
  let sum = 0, binomial = 1;
  for (let j = 0; j <= k; j++) {
    sum += (j % 2 === 0 ? 1 : -1) * binomial * line.at(line.offset((k / 2 - j) * h));
    binomial = (binomial * (k - j)) / (j + 1);
  }
  return Math.abs(sum / h ** k);
}

/**
 * ∂f/∂(variables[variableIndex]) by `scheme` at every step in `hs` (for Richardson, h is the largest step), with the
 * measured error against an exact reference, the scheme's own error estimate, and the model's truncation and
 * round-off: the data of the error-versus-step V curve. Steps where the scheme cannot run are kept with NaN and a
 * `failure` reason, so a plot shows the gap.
 * @throws Error when f is not finite at the point, or when no reference is given and the complex step refuses.
 */
export function sweepStep(
  expr: Expr,
  variables: readonly string[],
  point: Float64Array,
  variableIndex: number,
  scheme: SchemeName,
  hs: readonly number[],
  options: SweepOptions = {},
): StepSweep {
  const i = variableIndex;
  const variable = variables[i];
  if (variable === undefined) throw new RangeError(`variable index ${i} is out of range for [${variables.join(', ')}]`);
  const index = indexVariables(expr, variables);
  const f = compile(expr, variables);
  const work = Float64Array.from(point);
  const fx = f(work);
  if (!Number.isFinite(fx)) throw new NonFiniteError(variable, point[i], 0, fx);
  const noise = evaluationNoiseBound(expr, variables, point);
  readNumericOptions({ levels: options.levels, steps: options.steps }); // validates them as the methods do
  const model = errorModel(scheme, options.levels);

  let reference = options.reference, referenceSource: StepSweep['referenceSource'] = 'given';
  if (reference === undefined) {
    assertAnalytic(expr, 'sweepStep (pass the exact derivative as `reference`)');
    reference = complexStepDerivatives({ expr, index, point, variables }, new Map([[i, 1e-20 * Math.max(1, Math.abs(point[i]))]])).get(i)!;
    referenceSource = 'complex-step';
  }
  const exact = reference;

  const line = new CoordinateLine(f, work, i, variable);
  let D = options.derivative ?? NaN;
  if (options.derivative === undefined) {
    try {
      D = derivativeMagnitude(line, model.derivativeOrder);
    } catch (error) {
      // f is not finite within the k-th difference's reach: no model curve (NaN), the measurements still stand.
      if (!(error instanceof NonFiniteError)) throw error;
    }
  }
  const modelInputs: ModelInputs = { derivative: D, noise: evaluationNoise(fx), slope: Math.abs(exact) };

  const points = hs.map((h): SweepPoint => {
    const modelPoint = modelCurve(model, modelInputs, [h])[0];
    let estimate: PartialEstimate;
    try {
      const partialOptions = { h, fx, noise, levels: options.levels, steps: options.steps };
      if (scheme === 'complex-step') [estimate] = complexStepPartials({ expr, index, point, variables }, [i], partialOptions);
      else if (scheme === 'richardson') estimate = richardsonPartial(line, partialOptions);
      else estimate = differencePartial(line, scheme, partialOptions);
    } catch (error) {
      if (!(error instanceof NonFiniteError || error instanceof StepTooSmallError)) throw error;
      return { h, step: NaN, derivative: NaN, error: NaN, relativeError: NaN, errorEstimate: NaN, model: modelPoint, failure: error.message };
    }
    const error = Math.abs(estimate.derivative - exact);
    return {
      h,
      step: estimate.step,
      derivative: estimate.derivative,
      error,
      relativeError: exact === 0 ? error : error / Math.abs(exact),
      errorEstimate: estimate.errorEstimate,
      model: modelPoint,
    };
  });
  const finite = points.filter((p) => Number.isFinite(p.error));
  if (finite.length === 0) throw new Error(`sweepStep: the ${scheme} scheme could not run at any of the ${hs.length} steps`);
  const best = finite.reduce((a, b) => (b.error < a.error ? b : a));
  return {
    scheme, model, variable, x: point[i], reference: exact, referenceSource, modelInputs, noiseBound: noise,
    textbookStep: textbookStep(model, point[i]),
    optimalStep: model.optimalStep(modelInputs),
    points,
    best,
  };
}
