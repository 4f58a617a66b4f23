// Tolerances as code: a first-order rounding-error bound for float64 gradients, and how far each kind of method may stray.
//
// The bound follows the computation a float64 reverse-mode gradient performs (Wilkinson's running error
// analysis, to first order in ε). Forward: each op's result carries the error of its arguments, passed
// through its local partials, plus one rounding of its own,
//     e(v) = Σₐ |∂v/∂a| · e(a) + ε·|v| + η   (η = 2⁻¹⁰⁷⁴, the spacing of subnormals: gradual underflow).
// Reverse: each adjoint carries the error of its parents' adjoints, of the local partials (evaluated at
// slightly wrong arguments and rounded themselves), and of the multiply-add that accumulates it,
//     E(a) = Σᵥ E(v)·|∂v/∂a| + |v̄|·δ(∂v/∂a) + 2ε·|v̄ · ∂v/∂a|.
// The exact values, adjoints and partials come from the high-precision reference, and δ(∂v/∂a) is measured
// by evaluating the partial at its arguments moved by their error bound. The sum is a conditioning-aware
// "few ulps": large where the expression cancels or amplifies (sin of a large argument, a difference of
// nearly equal terms), tiny where the gradient is well conditioned.
import type { Expr, OpExpr } from '../ir/node.ts';
import { ops } from '../ir/ops.ts';
import { partialKernels, partialTemplates } from '../ir/partials.ts';
import { metrics } from '../ir/traverse.ts';
import type { ReferenceTrace } from './reference.ts';

const eps = Number.EPSILON;

/** Absolute first-order rounding-error bounds for a float64 evaluation of f and of its gradient. */
export interface RoundingBound {
  /** Bound on |f̂ − f| for a float64 evaluation of the DAG. */
  readonly value: number;
  /** Bound on |ĝᵢ − gᵢ| for a float64 reverse-mode gradient, in the trace's variables' order. */
  readonly gradient: Float64Array;
  /**
   * Condition estimate of each partial: the bound divided by ε·max(|gᵢ|, tiny), so 1 means "a few
   * ulps is all you may lose" and 1e6 means "expect to lose six digits".
   */
  readonly condition: Float64Array;
}

const templateOps = new Map<string, number>();
/** How many ops evaluating one local partial takes (each rounds once). */
function partialOpCount(op: Expr['op'] & string, index: number): number {
  const key = `${op}/${index}`;
  let count = templateOps.get(key);
  if (count === undefined) {
    const template = partialTemplates(op)[index];
    count = Math.max(1, Object.values(metrics(template).opCounts).reduce((s, n) => s + (n ?? 0), 0));
    templateOps.set(key, count);
  }
  return count;
}

/** a·b for error terms, with 0·∞ = 0: a partial that is exactly 0 passes on none of an unbounded error. */
const times = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b);

/**
 * True when a periodic op's argument carries an error bound of a radian or more (sin(z + z·tan 1) at z = 3.7e65: the
 * sum's rounding alone is 2e50): its value and partials have no correct digit left, whatever their first-order terms say.
 */
function lostPhase(node: OpExpr, argErrors: readonly number[]): boolean {
  return ops[node.op].periodic === true && argErrors.some((e) => e >= 1);
}

/**
 * Where a first-order error bound misses: unbounded for a periodic op that lost its phase ({@link lostPhase}), and
 * for an op with a kink or jump (relu, abs, sign, step, pow's masks) the change of its value when an argument moves by
 * its own error bound either way, which may cross the kink (relu(tan(x − y)) at x = 1e300: the exact tan is
 * negative, the float64 one, of x − y rounded, positive; relu′ = 0 at the exact point passes on nothing).
 */
function beyondFirstOrder(node: OpExpr, args: readonly number[], argErrors: readonly number[]): number {
  if (lostPhase(node, argErrors)) return Infinity;
  const spec = ops[node.op];
  if (spec.kinks === undefined) return 0;
  const at = spec.eval(args[0], args[1] ?? NaN);
  let change = 0;
  argErrors.forEach((e, j) => {
    if (e === 0 || node.args[j].kind === 'const') return;
    for (const direction of [-1, 1]) {
      const moved = [...args];
      moved[j] += direction * e;
      const d = Math.abs(spec.eval(moved[0], moved[1] ?? NaN) - at);
      if (!Number.isNaN(d)) change = Math.max(change, d);
    }
  });
  return change;
}

/**
 * The first-order rounding-error bound of a float64 gradient of the traced expression.
 * @param trace the reference trace ({@link referenceTrace}) of the expression at the point.
 * @param variables the variables, in the order of the trace's gradient.
 */
export function roundingBound(trace: ReferenceTrace, variables: readonly string[]): RoundingBound {
  const value = new Map<number, number>();
  for (const node of trace.order) value.set(node.id, trace.values.get(node.id)!.toNumber());
  const partial = (id: number, k: number): number => trace.partials.get(id)?.[k]?.toNumber() ?? 0;

  // Forward: error bound of each node's float64 value.
  const forward = new Map<number, number>();
  for (const node of trace.order) {
    if (node.kind !== 'op') {
      forward.set(node.id, 0);
      continue;
    }
    // IEEE's rounding with gradual underflow: |fl(v) − v| ≤ ε/2·|v| + η/2, η the smallest subnormal (η/2 itself
    // rounds to 0 in float64, so η bounds it). Without it a subnormal result (0.01·x at x = 2.47e-322 rounds
    // 2.47e-324 to 4.94e-324: 100% off) would be assumed exact, and so would everything computed from it.
    let e = eps * Math.abs(value.get(node.id)!) + Number.MIN_VALUE;
    node.args.forEach((arg, k) => {
      if (arg.kind !== 'const') e += times(Math.abs(partial(node.id, k)), forward.get(arg.id)!);
    });
    forward.set(node.id, Math.max(e, beyondFirstOrder(node, node.args.map((a) => value.get(a.id)!), node.args.map((a) => forward.get(a.id)!))));
  }

  // Reverse: error bound of each adjoint.
  const root = trace.order[trace.order.length - 1];
  const backward = new Map<number, number>([[root.id, 0]]);
  for (let i = trace.order.length - 1; i >= 0; i--) {
    const node = trace.order[i];
    if (node.kind !== 'op') continue;
    const adjoint = Math.abs(trace.adjoints.get(node.id)?.toNumber() ?? 0);
    const own = backward.get(node.id) ?? 0;
    const args = node.args.map((a) => value.get(a.id)!);
    const kernels = partialKernels(node.op);
    node.args.forEach((arg, k) => {
      if (arg.kind === 'const') return;
      const p = partial(node.id, k);
      // δ(∂v/∂a): the partial at arguments moved by their own error bounds, plus its own roundings.
      let delta = partialOpCount(node.op, k) * eps * Math.abs(p);
      if (lostPhase(node, node.args.map((a) => forward.get(a.id)!))) delta = Infinity;
      node.args.forEach((other, j) => {
        const e = forward.get(other.id)!;
        if (e === 0) return;
        const moved = [...args];
        moved[j] += e;
        const out = ops[node.op].eval(moved[0], moved[1] ?? NaN);
        const shifted = kernels[k](moved[0], moved[1] ?? NaN, out);
        if (Number.isFinite(shifted)) delta += Math.abs(shifted - p);
      });
      const contribution = times(own, Math.abs(p)) + times(adjoint, delta) + 2 * eps * adjoint * Math.abs(p);
      backward.set(arg.id, (backward.get(arg.id) ?? 0) + contribution);
    });
  }

  const byName = new Map<string, number>();
  for (const node of trace.order) if (node.kind === 'var') byName.set(node.name, backward.get(node.id) ?? 0);
  const gradient = Float64Array.from(variables, (name) => byName.get(name) ?? 0);
  const condition = gradient.map((bound, i) => bound / (eps * Math.max(Math.abs(trace.gradient[i].toNumber()), Number.MIN_VALUE)));
  return { value: forward.get(root.id)!, gradient, condition };
}

/** The factors that turn error bounds into tolerances. Documented in the reports and in `gradlab check --help`. */
export interface ToleranceFactors {
  /** Exact methods (AD, symbolic) may be off by this many times the rounding bound: they round in different orders. Default 16. */
  readonly exact: number;
  /** Numeric methods may be off by this many times their own `errorEstimate` (plus the exact allowance). Default 10. */
  readonly numeric: number;
  /** Absolute floor, relative to the largest reference partial, below which differences never count. Default 4ε. */
  readonly floor: number;
}

/** The default tolerance factors. */
export const defaultFactors: ToleranceFactors = Object.freeze({ exact: 16, numeric: 10, floor: 4 * eps });

/**
 * Absolute differences below this never count: near the subnormal range (below 2.2e-308) results lose
 * digits to underflow, which is its own subject, not a disagreement between methods.
 */
export const underflowFloor = 1e-300;

/**
 * The size a gradient's error is measured against: ‖g‖∞, or where the gradient (nearly) vanishes, the
 * natural size of a slope of f, |f| / max(1, ‖x‖∞), and never below ε (where f and ∇f both vanish, as
 * log(z)² at z = 1, an absolute residue like 1e-40 is not an error). Without these a zero gradient would
 * make every rounding error look infinitely large.
 */
export function gradientScale(gradient: ArrayLike<number>, value: number, point: ArrayLike<number>): number {
  let g = 0;
  let x = 1;
  for (let i = 0; i < gradient.length; i++) if (Number.isFinite(gradient[i])) g = Math.max(g, Math.abs(gradient[i]));
  for (let i = 0; i < point.length; i++) x = Math.max(x, Math.abs(point[i]));
  const slope = Number.isFinite(value) ? Math.abs(value) / x : 0;
  return Math.max(g, slope, eps);
}

/**
 * Per-partial tolerance for one method's answer against the reference:
 * exact methods `exact·(bound + ε|g|)`, numeric methods additionally `numeric·errorEstimate`,
 * never below `floor·scale` (see {@link gradientScale}).
 */
export function toleranceFor(
  bound: RoundingBound,
  reference: ArrayLike<number>,
  errorEstimate: ArrayLike<number> | undefined,
  scale: number,
  factors: ToleranceFactors = defaultFactors,
): Float64Array {
  return Float64Array.from(bound.gradient, (b, i) => {
    let tol = factors.exact * (b + eps * Math.abs(reference[i]));
    if (errorEstimate !== undefined) tol += factors.numeric * Math.abs(errorEstimate[i]);
    return Math.max(tol, factors.floor * scale, underflowFloor);
  });
}

/**
 * True when {@link gradientScale} fell back to its ε safeguard: f and ∇f both vanish at the point, so there is
 * no natural size to measure a relative error against (any absolute residue would read as huge). Such answers
 * are judged, and reported, by the absolute error of their partials only.
 */
export function isDegenerateScale(scale: number): boolean {
  return scale <= eps;
}

/**
 * How one partial's error is measured and reported: `relative` (|ĝᵢ − gᵢ| / |gᵢ| against tolᵢ / |gᵢ|) when the
 * exact partial is larger than its own tolerance, else `absolute` (|ĝᵢ − gᵢ| against tolᵢ): where the exact
 * partial is 0, or no larger than the rounding noise it is allowed, a relative error divides by (nearly)
 * nothing and says nothing. Either way the judgement is the same absolute comparison |ĝᵢ − gᵢ| ≤ tolᵢ.
 */
export function partialMeasure(exact: number, tolerance: number): 'relative' | 'absolute' {
  return Math.abs(exact) > tolerance ? 'relative' : 'absolute';
}

/**
 * Why a tolerance cannot fail, or undefined when it can. A tolerance is vacuous when it is not finite (a numeric
 * method's own error estimate of ∞ or NaN, or a rounding bound that overflows), or when it is at least the size
 * of the whole gradient ({@link gradientScale}; not applied where that scale is degenerate): it then accepts 0,
 * or a partial of the wrong sign, in place of the answer, so it promises no digit.
 */
export function vacuousTolerance(tolerance: number, scale: number): 'not finite' | 'as large as the gradient' | undefined {
  if (!Number.isFinite(tolerance)) return 'not finite';
  if (!isDegenerateScale(scale) && tolerance >= scale) return 'as large as the gradient';
  return undefined;
}

/**
 * Norm-wise relative difference ‖a − b‖∞ / scale (0 below {@link underflowFloor}): the error measure of
 * tables and plots. `scale` is {@link gradientScale} of the reference.
 */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>, scale: number): number {
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    // Equal entries (the same infinity, or both NaN) do not differ; a NaN against a number differs infinitely.
    if (a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    const d = Math.abs(a[i] - b[i]);
    diff = Math.max(diff, Number.isNaN(d) ? Infinity : d);
  }
  if (diff <= underflowFloor) return 0;
  return diff / Math.max(scale, underflowFloor);
}
