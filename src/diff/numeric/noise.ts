// Rounding-error bounds for the round-off terms of the error models: N for one evaluation of f, and the error of
// a derivative accumulated forward (what the complex step computes in its imaginary parts).
//
// The textbook round-off term assumes N = ε|f|: one rounding of the result. That is far too optimistic when f is
// computed with cancellation (cos(acos(u)) near u = 0, log of a number near 1, cosh − sinh): there f carries an
// absolute error of ε times its intermediate magnitudes, and a difference quotient divides that by h. The random-
// expression property (test/diff/numeric/property.test.ts) finds such cases within a few hundred runs. So N is
// bounded here by a running error analysis (Wilkinson): every op adds ε|result| and passes its inputs' errors
// on through its local partials, |∂op/∂a|·e_a + |∂op/∂b|·e_b, read from the op table like every other rule.
// It is a worst case: errors add up in magnitude, so it exceeds typical errors by up to the number of ops
// (≈ 50× ε|f| for a sum of 100 squares, whose actual central-difference errors sit near the textbook ε|f|/h).
import type { Expr } from '../../ir/node.ts';
import { ops } from '../../ir/ops.ts';
import { interpret, type Algebra } from '../../ir/evaluate.ts';
import { partialKernels } from '../../ir/partials.ts';
import { evaluationNoise } from './error-model.ts';

/** A value with a first-order bound on its absolute rounding error. */
interface Bounded {
  readonly v: number;
  readonly e: number;
}

const boundedAlgebra: Algebra<Bounded> = {
  constant: (v) => ({ v, e: 0 }),
  apply: (op, args) => {
    const a = args[0], b = args[1];
    const v = ops[op].eval(a.v, b?.v ?? NaN);
    // e_out = Σ |∂op/∂argₖ|·eₖ + N(v), N(v) = max(ε|v|, smallest subnormal)   (first order in ε)
    let e = evaluationNoise(v);
    partialKernels(op).forEach((kernel, k) => {
      const ek = args[k].e;
      // A NaN partial (pow's exponent at a negative base, where only integer exponents exist) has no first-order
      // sensitivity to pass on: the exponent is then an exact integer, or f itself is NaN.
      const partial = ek > 0 ? kernel(a.v, b?.v ?? NaN, v) : 0;
      if (!Number.isNaN(partial)) e += Math.abs(partial) * ek;
    });
    return { v, e };
  },
};

/**
 * A first-order bound on the absolute rounding error of evaluating `expr` at `point` in double precision, the N of
 * the error models. At least {@link evaluationNoise}(f); Infinity where a local partial is infinite on an inexact value.
 * Inputs are exact unless `inputErrors` gives their absolute errors (the stencil points x + h are exact by
 * construction); constants are taken as the doubles they are.
 */
export function evaluationNoiseBound(
  expr: Expr,
  variables: readonly string[],
  point: ArrayLike<number>,
  inputErrors?: ArrayLike<number>,
): number {
  const index = new Map(variables.map((name, i) => [name, i]));
  return interpret(expr, (v) => {
    const i = index.get(v.name)!;
    return { v: point[i], e: inputErrors?.[i] ?? 0 };
  }, boundedAlgebra).e;
}

/** A tangent ∂/∂xₖ with a first-order bound on its rounding error. */
interface Tangent {
  readonly d: number;
  readonly ed: number;
}

/** A bounded value with the tangents of the variables it depends on (lanes, as in complex-step.ts). */
interface BoundedTangents extends Bounded {
  readonly lanes: ReadonlyMap<number, Tangent> | null;
}

const noTangents: ReadonlyMap<number, Tangent> = new Map();
const zeroTangent: Tangent = { d: 0, ed: 0 };

const tangentAlgebra: Algebra<BoundedTangents> = {
  constant: (v) => ({ v, e: 0, lanes: null }),
  apply: (op, args) => {
    const a = args[0], b = args[1];
    const bv = b?.v ?? NaN;
    const spec = ops[op];
    const v = spec.eval(a.v, bv);
    const kernels = partialKernels(op);
    const partials = kernels.map((kernel, k) => (args[k].e === 0 && args[k].lanes === null ? 0 : kernel(a.v, bv, v)));
    let e = evaluationNoise(v);
    partials.forEach((partial, k) => {
      if (args[k].e > 0 && !Number.isNaN(partial)) e += Math.abs(partial) * args[k].e;
    });
    const aLanes = a.lanes ?? noTangents, bLanes = b?.lanes ?? noTangents;
    if (aLanes.size === 0 && bLanes.size === 0) return { v, e, lanes: null };
    // How far each partial moves when each input moves by its own error: its sensitivity to earlier rounding.
    const drift = kernels.map((kernel, k) => {
      let sum = evaluationNoise(partials[k]);
      args.forEach((input, m) => {
        if (input.e === 0) return;
        for (const sign of [-1, 1]) {
          const moved = [a.v, bv];
          moved[m] += sign * input.e;
          sum += Math.abs(kernel(moved[0], moved[1], spec.eval(moved[0], moved[1])) - partials[k]) / 2;
        }
      });
      return sum;
    });
    const lanes = new Map<number, Tangent>();
    const combine = (ta: Tangent, tb: Tangent): Tangent => {
      let d = 0, ed = 0;
      for (let k = 0; k < args.length; k++) {
        const t = k === 0 ? ta : tb;
        // A NaN partial with no tangent flowing is pow's exponent at a negative base (an exact integer exponent).
        if ((t.d === 0 && t.ed === 0) || (Number.isNaN(partials[k]) && t.d === 0)) continue;
        d += partials[k] * t.d;
        // ed_out = Σ |∂ₖ|·edₖ + |Δ∂ₖ|·|dₖ| (+ one rounding of each product)
        ed += Math.abs(partials[k]) * t.ed + drift[k] * Math.abs(t.d) + evaluationNoise(partials[k] * t.d);
      }
      return { d, ed: ed + evaluationNoise(d) };
    };
    for (const [lane, ta] of aLanes) lanes.set(lane, combine(ta, bLanes.get(lane) ?? zeroTangent));
    for (const [lane, tb] of bLanes) if (!aLanes.has(lane)) lanes.set(lane, combine(zeroTangent, tb));
    return { v, e, lanes };
  },
};

/**
 * First-order bounds on the rounding errors of ∂f/∂xₖ (k in `which`) computed by forward accumulation of the chain
 * rule, which is what the complex step does in its imaginary parts (Martins, Sturdza and Alonso 2003). Per op it
 * adds one rounding of each chain-rule product, the inputs' derivative errors times the local partial, and the
 * partial's drift when its inputs move by their own rounding errors (asin near 1, where f' is ill-conditioned).
 * It does not charge the op table's partial formulas for cancellation (1 − tanh²u): the complex arithmetic never
 * uses them. One interpretation for all variables (lanes, as in complex-step.ts). Infinity where a partial is
 * infinite on an inexact input.
 */
export function derivativeRoundingBounds(
  expr: Expr,
  variables: readonly string[],
  point: ArrayLike<number>,
  which: readonly number[],
): Float64Array {
  const index = new Map(variables.map((name, k) => [name, k]));
  const wanted = new Set(which);
  const root = interpret(expr, (v) => {
    const k = index.get(v.name)!;
    return { v: point[k], e: 0, lanes: wanted.has(k) ? new Map([[k, { d: 1, ed: 0 }]]) : null };
  }, tangentAlgebra);
  return Float64Array.from(which, (k) => {
    const ed = root.lanes?.get(k)?.ed ?? 0;
    return Number.isNaN(ed) ? Infinity : ed;
  });
}
