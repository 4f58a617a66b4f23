// The complex step Im f(x + ih)/h for many variables in one interpretation, through the op table's complex arithmetic.
//
// Evaluating f(x + i·hₖ·eₖ) separately for each of n variables costs n interpretations of the whole expression.
// But a node that does not depend on xₖ has, in the k-th evaluation, exactly its real value. So one interpretation
// carries, at every node, its real value plus one complex value per variable it depends on ("lanes"): the same
// numbers the n separate evaluations would produce, at a cost proportional to the (node, variable) dependencies
// (≈ 2 per node for Rosenbrock instead of n).
import type { Expr, VarExpr } from '../../ir/node.ts';
import { interpret, complexAlgebra, realAlgebra, type Algebra } from '../../ir/evaluate.ts';
import type { Complex } from '../../ir/complex.ts';
import { complexStepModel, textbookStep } from './error-model.ts';
import { derivativeRoundingBounds } from './noise.ts';
import { NonFiniteError, formatStep } from './stencil.ts';
import type { PartialEstimate } from './schemes.ts';

/** What the complex step needs: the expression, its variables' indices and the point. */
export interface ComplexStepContext {
  readonly expr: Expr;
  readonly index: ReadonlyMap<string, number>;
  readonly point: Float64Array;
  readonly variables: readonly string[];
}

/** A node's value: real, plus the complex value of each evaluation f(x + i·hₖ·eₖ) in which it differs. */
interface Laned {
  readonly re: number;
  readonly lanes: ReadonlyMap<number, Complex> | null;
}

const noLanes: ReadonlyMap<number, Complex> = new Map();

function lanedAlgebra(): Algebra<Laned> {
  return {
    constant: (re) => ({ re, lanes: null }),
    apply: (op, args) => {
      const a = args[0], b = args[1];
      const re = realAlgebra.apply(op, args.map((x) => x.re));
      const aLanes = a.lanes ?? noLanes, bLanes = b?.lanes ?? noLanes;
      if (aLanes.size === 0 && bLanes.size === 0) return { re, lanes: null };
      const lanes = new Map<number, Complex>();
      const realA: Complex = { re: a.re, im: 0 }, realB: Complex = { re: b?.re ?? NaN, im: 0 };
      // Lanes of a (with b's lane or b's real value), then lanes only b has.
      for (const [k, ak] of aLanes) lanes.set(k, complexAlgebra.apply(op, b === undefined ? [ak] : [ak, bLanes.get(k) ?? realB]));
      for (const [k, bk] of bLanes) if (!aLanes.has(k)) lanes.set(k, complexAlgebra.apply(op, [realA, bk]));
      return { re, lanes };
    },
  };
}

/**
 * Im f(x + i·hₖ·eₖ)/hₖ for every variable k in `steps` (index → h), in one interpretation.
 * @throws NonFiniteError naming the first variable whose complex evaluation is not finite;
 *   NonAnalyticError for an op without a complex form (callers check with `assertAnalytic` first).
 */
export function complexStepDerivatives(context: ComplexStepContext, steps: ReadonlyMap<number, number>): Map<number, number> {
  const lookup = (v: VarExpr): Laned => {
    const k = context.index.get(v.name)!;
    const h = steps.get(k);
    const re = context.point[k];
    return h === undefined ? { re, lanes: null } : { re, lanes: new Map([[k, { re, im: h }]]) };
  };
  const root = interpret(context.expr, lookup, lanedAlgebra());
  const derivatives = new Map<number, number>();
  for (const [k, h] of steps) {
    const z = root.lanes?.get(k) ?? { re: root.re, im: 0 };
    const derivative = z.im / h;
    if (!Number.isFinite(z.re) || !Number.isFinite(derivative)) {
      throw new NonFiniteError(context.variables[k], context.point[k], `${formatStep(h)}i`, `${z.re} + ${z.im}i`);
    }
    derivatives.set(k, derivative);
  }
  return derivatives;
}

/** Options for {@link complexStepPartials}. */
export interface ComplexStepOptions {
  /** The step for every variable; by default 1e-20·max(1, |xₖ|). */
  readonly h?: number;
  /** Whether to estimate the error (default true). */
  readonly estimate?: boolean;
  /** N, the rounding error of one evaluation of f (reported, not used: the complex step does not subtract). */
  readonly noise: number;
}

/**
 * ∂f/∂xₖ by the complex step Im f(x + ih)/h for the variables `which` (exact to rounding for analytic ops: nothing
 * is subtracted). One complex evaluation per variable, all in one interpretation.
 *
 * Error estimate: for rounding, ε|f'| or, where larger, the forward-accumulation rounding bound of f' (noise.ts);
 * the truncation |f'''|h²/6 only for steps above 1e-15·max(1, |x|), with f''' estimated from the step 4h as for the
 * difference quotients (one more complex evaluation per such variable). Below that the truncation is taken as 0:
 * it would need |f'''/f'| > 6ε/h² ≳ 1e15 to matter.
 * @throws NonFiniteError when a complex evaluation is not finite.
 */
export function complexStepPartials(context: ComplexStepContext, which: readonly number[], options: ComplexStepOptions): PartialEstimate[] {
  // The default step is a power of two, so dividing Im f by it is exact: x² + 3x + 1 at 2 gives 7, not 6.999999999999999.
  const steps = new Map(which.map((k) => [k, options.h ?? 2 ** Math.floor(Math.log2(textbookStep(complexStepModel, context.point[k])))]));
  const derivatives = complexStepDerivatives(context, steps);
  const estimate = options.estimate !== false;
  // f''' from the step 4h, for every variable: even at h ≈ 1e-20 the truncation |f'''|h²/6 is the whole error where
  // f' = 0. (Where f' ≠ 0 and h is tiny, the two quotients differ by rounding only, and the truncation estimate
  // |Δ|/15 stays at rounding level.)
  const coarseSteps = new Map(estimate ? [...steps].map(([k, h]) => [k, 4 * h]) : []);
  let coarse = new Map<number, number>();
  if (coarseSteps.size > 0) {
    try {
      coarse = complexStepDerivatives(context, coarseSteps);
    } catch (error) {
      if (!(error instanceof NonFiniteError)) throw error;
    }
  }
  const rounding = estimate ? derivativeRoundingBounds(context.expr, context.variables, context.point, which) : undefined;
  return which.map((k, j) => {
    const h = steps.get(k)!, derivative = derivatives.get(k)!;
    // Im/h at 4h minus at h = −f'''(16h² − h²)/6  ⇒  |f'''| ≈ |Δ|/(15h²/6)
    const higherDerivative = !coarseSteps.has(k) ? 0 : coarse.has(k) ? Math.abs(coarse.get(k)! - derivative) / ((15 * h * h) / 6) : NaN;
    const inputs = { derivative: higherDerivative, noise: options.noise, slope: Math.abs(derivative), derivativeNoise: rounding?.[j] ?? 0 };
    return {
      derivative,
      errorEstimate: estimate ? complexStepModel.error(h, inputs) : NaN,
      scheme: 'complex-step',
      step: h,
      higherDerivative,
      noise: options.noise,
      evaluations: 1,
      estimateEvaluations: coarseSteps.has(k) ? 1 : 0,
      ...(Number.isNaN(higherDerivative) ? { note: `∂f/∂${context.variables[k]}: no truncation estimate (f is not finite at the step 4h)` } : {}),
    };
  });
}
