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
import { complexStepModel } from './error-model.ts';
import { partialKernels } from '../../ir/partials.ts';
import { ops } from '../../ir/ops.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
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
const minNormal = 2.2250738585072014e-308;

/** Why the complex step's answer would not be the real derivative at this point: the method refuses with it. */
export class ComplexStepInvalidError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ComplexStepInvalidError';
  }
}

/** Thrown inside one interpretation when its lanes exceed the budget (the caller splits the variables). */
class LaneBudgetExceeded extends Error {}

/** Counts of one complex-step run, for memory tests: lanes allocated per interpretation and interpretations run. */
export interface LaneCounts {
  /** Largest number of (node, variable) lanes one interpretation held. */
  peakLanes: number;
  interpretations: number;
}

function lanedAlgebra(variables: readonly string[], budget: number, counts: LaneCounts): Algebra<Laned> {
  let held = 0;
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
      held += lanes.size;
      if (held > budget) throw new LaneBudgetExceeded();
      counts.peakLanes = Math.max(counts.peakLanes, held);
      // The complex extension gives the real derivative only where the op's real partials along the lane are
      // finite (not at xʸ's exponent with x < 0, where the principal branch of log gives a number) and where the
      // imaginary parts stay normal doubles (below 2^-1022 they lose digits, at 0 the derivative is lost).
      const kernels = partialKernels(op);
      // Nor where the op table declares the partial a convention (no derivative: a jump, as 0^v at v = 0).
      const conventions = ops[op].conventionalPartials?.(a.re, b?.re ?? NaN) ?? [];
      for (const [k, z] of lanes) {
        let positive = false, negative = false;
        for (let i = 0; i < args.length; i++) {
          const im = args[i].lanes?.get(k)?.im;
          if (im === undefined || im === 0) continue;
          const convention = conventions.find((c) => c.argument === i);
          if (convention !== undefined) {
            throw new ComplexStepInvalidError(
              `${op} at (${args.map((x) => x.re).join(', ')}): ${convention.why}; Im f(x + ih)/h along ${variables[k]} has no derivative to give`,
            );
          }
          const p = kernels[i](a.re, b?.re ?? NaN, re);
          if (!Number.isFinite(p) && Number.isFinite(z.im)) {
            throw new ComplexStepInvalidError(
              `∂${op}/∂(argument ${i + 1}) is ${p} in real arithmetic at (${args.map((x) => x.re).join(', ')}), so Im f(x + ih)/h along ${variables[k]} is no real derivative`,
            );
          }
          const sign = Math.sign(p) * Math.sign(im); // the term's sign, even where p·im underflows
          if (sign > 0) positive = true;
          else if (sign < 0) negative = true;
        }
        if (Math.abs(z.im) < minNormal && (positive !== negative) && Number.isFinite(z.re)) {
          throw new ComplexStepInvalidError(
            `the imaginary part along ${variables[k]} underflows at ${op} (${z.im} at a step of ${formatStep(args.find((x) => x.lanes?.has(k))?.lanes?.get(k)?.im ?? NaN)}): f′ is too small against the point for the complex step in float64`,
          );
        }
      }
      return { re, lanes };
    },
  };
}

/**
 * Im f(x + i·hₖ·eₖ)/hₖ for every variable k in `steps` (index → h). One interpretation carries all of them while
 * the lanes fit a budget linear in the expression's size; past it the variables are split into halves, each run
 * in its own interpretation, so memory stays linear (a sum of n variables would otherwise hold n²/2 lanes).
 * @throws NonFiniteError naming the first variable whose complex evaluation is not finite;
 *   ComplexStepInvalidError where the complex extension is not the real derivative or its imaginary parts underflow;
 *   NonAnalyticError for an op without a complex form (callers check with `assertAnalytic` first).
 */
export function complexStepDerivatives(
  context: ComplexStepContext,
  steps: ReadonlyMap<number, number>,
  counts: LaneCounts = { peakLanes: 0, interpretations: 0 },
): Map<number, number> {
  const budget = 8 * topologicalOrder(context.expr).length + 1024;
  const derivatives = new Map<number, number>();
  const pending: number[][] = [[...steps.keys()]];
  while (pending.length > 0) {
    const batch = pending.pop()!;
    const batchSteps = new Map(batch.map((k) => [k, steps.get(k)!]));
    let root: Laned;
    try {
      counts.interpretations++;
      root = interpretLanes(context, batchSteps, budget, counts);
    } catch (error) {
      if (!(error instanceof LaneBudgetExceeded) || batch.length === 1) throw error;
      pending.push(batch.slice(0, batch.length >> 1), batch.slice(batch.length >> 1));
      continue;
    }
    for (const [k, h] of batchSteps) {
      const z = root.lanes?.get(k) ?? { re: root.re, im: 0 };
      const derivative = z.im / h;
      if (!Number.isFinite(z.re) || !Number.isFinite(derivative)) {
        throw new NonFiniteError(context.variables[k], context.point[k], `${formatStep(h)}i`, `${z.re} + ${z.im}i`);
      }
      derivatives.set(k, derivative);
    }
  }
  return derivatives;
}

function interpretLanes(context: ComplexStepContext, steps: ReadonlyMap<number, number>, budget: number, counts: LaneCounts): Laned {
  const lookup = (v: VarExpr): Laned => {
    const k = context.index.get(v.name)!;
    const h = steps.get(k);
    const re = context.point[k];
    return h === undefined ? { re, lanes: null } : { re, lanes: new Map([[k, { re, im: h }]]) };
  };
  return interpret(context.expr, lookup, lanedAlgebra(context.variables, budget, counts));
}

/**
 * The default complex step at x: 2^-67 (about 7e-21) times min(1, |x|), a power of two so dividing by it is exact.
 * Small in absolute terms for large |x| (an h of 1e-20·|x| at x = 1e300 is 1e280: far outside any Taylor
 * expansion), and small against |x| itself for tiny x (so the h² terms of x² stay below x²). Imaginary parts that
 * underflow are detected and refused (see lanedAlgebra), not returned as 0.
 */
export function defaultComplexStep(x: number): number {
  const scale = x === 0 || !Number.isFinite(x) ? 1 : Math.min(1, Math.abs(x));
  // Not below 2^-960: products of the step with small values must stay normal doubles.
  return Math.max(2 ** Math.floor(Math.log2(2 ** -67 * scale)), 2 ** -960);
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
  const steps = new Map(which.map((k) => [k, options.h ?? defaultComplexStep(context.point[k])]));
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
    // Im/h at 4h minus at h = −f'''(16h² − h²)/6  ⇒  |f'''| ≈ |Δ|/(15h²/6), and the truncation at h, |f'''|h²/6, is |Δ|/15.
    // Both are formed without h², which underflows to 0 for h below 1e-154 (the default step at |x| ≲ 1e-134),
    // where |Δ|/(15h²/6) would be 0/0 = NaN: |f'''| by dividing by h twice (0 when Δ = 0), the truncation from Δ alone.
    const delta = !coarseSteps.has(k) ? 0 : coarse.has(k) ? Math.abs(coarse.get(k)! - derivative) : NaN;
    const higherDerivative = delta === 0 ? 0 : (delta / h / h) * (6 / 15);
    const inputs = { derivative: higherDerivative, noise: options.noise, slope: Math.abs(derivative), derivativeNoise: rounding?.[j] ?? 0 };
    return {
      derivative,
      errorEstimate: estimate ? delta / 15 + complexStepModel.roundOff(h, inputs) : NaN,
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
