// Test support for the numeric differentiators: an exact-to-rounding reference (dual numbers over the op table's
// partials) and random cases (the public arbitrary) kept where difference quotients can work.
import fc from 'fast-check';
import type { Expr } from '../../../src/ir/node.ts';
import { ops, opNames, type OpName } from '../../../src/ir/ops.ts';
import { interpret, type Algebra } from '../../../src/ir/evaluate.ts';
import { partialKernels, partialTemplates, placeholder } from '../../../src/ir/partials.ts';
import { evaluationNoiseBound } from '../../../src/diff/numeric/noise.ts';
import { evaluationNoise } from '../../../src/diff/numeric/error-model.ts';
import { topologicalOrder } from '../../../src/ir/traverse.ts';
import { expressionWithPoint, type GradientCase } from '../../../src/harness/index.ts';

/**
 * A dual number v + d·δ with first-order bounds on the rounding errors of both parts (e for v, ed for d), so the
 * reference knows its own accuracy: cancellation in f, in the chain-rule sum, or inside a local partial's formula
 * (1 − tanh²u for large |u|) all show up in ed.
 */
interface Dual {
  readonly v: number;
  readonly e: number;
  readonly d: number;
  readonly ed: number;
}

const placeholderNames = [placeholder.a.name, placeholder.b.name, placeholder.out.name];

const dualAlgebra: Algebra<Dual> = {
  constant: (v) => ({ v, e: 0, d: 0, ed: 0 }),
  apply: (op, args) => {
    const [a, b] = args;
    const bv = b?.v ?? NaN;
    const v = ops[op].eval(a.v, bv);
    const inputs = [a.v, bv, v];
    let e = evaluationNoise(v), d = 0, ed = 0;
    const templates = partialTemplates(op);
    partialKernels(op).forEach((kernel, k) => {
      const arg = args[k];
      if (arg.d === 0 && arg.ed === 0 && arg.e === 0) return; // 0·∞ where a partial is infinite but nothing flows
      const partial = kernel(a.v, bv, v);
      // A NaN partial with a zero tangent is pow's exponent at a negative base (an exact integer exponent): no flow.
      if (Number.isNaN(partial) && arg.d === 0) return;
      // The partial's own rounding, its inputs' errors included.
      const partialError = evaluationNoiseBound(templates[k], placeholderNames, inputs, [a.e, b?.e ?? 0, evaluationNoise(v) + Math.abs(partial) * arg.e]);
      e += Math.abs(partial) * arg.e;
      if (arg.d !== 0) d += partial * arg.d;
      ed += Math.abs(partial) * arg.ed + partialError * Math.abs(arg.d) + evaluationNoise(partial * arg.d);
    });
    return { v, e, d, ed: ed + evaluationNoise(d) };
  },
};

/**
 * ∂f/∂xᵢ by forward-mode dual numbers over the op table's partials: the reference the numeric schemes are measured
 * against. `uncertainty` is 4× its first-order rounding-error bound.
 */
export function dualDerivative(expr: Expr, variables: readonly string[], point: ArrayLike<number>, i: number): { value: number; derivative: number; uncertainty: number } {
  const index = new Map(variables.map((name, k) => [name, k]));
  const r = interpret(expr, (node) => {
    const k = index.get(node.name)!;
    return { v: point[k], e: 0, d: k === i ? 1 : 0, ed: 0 };
  }, dualAlgebra);
  return { value: r.v, derivative: r.d, uncertainty: 4 * r.ed };
}

export const testVariables = ['x', 'y', 'z'] as const;

/** Ops with a complex form (what the complex step can evaluate). */
const analyticOps: readonly OpName[] = opNames.filter((op) => typeof ops[op].complex === 'function');

/**
 * Random expressions over x, y, z with a point (the public arbitrary; analyticOnly: ops with a complex form), kept
 * only where {@link insideDomain} holds, the region where difference quotients can work at all.
 */
export function caseArbitrary(options: { analyticOnly?: boolean } = {}): fc.Arbitrary<GradientCase> {
  return expressionWithPoint({ ops: options.analyticOnly ? analyticOps : opNames, variables: testVariables, range: 2.5 })
    .filter((c) => insideDomain(c.expr, c.variables, c.point));
}

/**
 * True when every op node's arguments lie inside its declared smooth domain at the point and at points along each
 * coordinate up to ±`margin`·max(1, |xᵢ|) (so stencils and Richardson's coarse steps stay in the domain), an argument
 * whose domain excludes 0 stays within half its own size of its value at the point (no kink or pole is crossed or
 * touched, as |z| = √(z²) touches one at z = 0), no value moves by more than max(1, its size) (no pole of tan or
 * logBase is near), every value is finite and |f| < 1e8. This is the region where a
 * difference quotient can work at all: a kink inside the stencil is invisible to any estimate built from it.
 */
export function insideDomain(expr: Expr, variables: readonly string[], point: ArrayLike<number>, margin = 0.05): boolean {
  const order = topologicalOrder(expr);
  const base = evaluateNodes(order, variables, Array.from(point));
  if (base === undefined) return false;
  // Offsets (fractions of the margin): a linear grid, and a geometric one that looks closely around the point.
  const fractions = [1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, ...Array.from({ length: 14 }, (_, k) => 2 ** -(k + 4))];
  for (let i = 0; i < point.length; i++) {
    for (const fraction of [...fractions, ...fractions.map((f) => -f)]) {
      const p = Array.from(point);
      p[i] += fraction * margin * Math.max(1, Math.abs(p[i]));
      const values = evaluateNodes(order, variables, p);
      if (values === undefined) return false;
      for (const node of order) {
        if (node.kind !== 'op') continue;
        const spec = ops[node.op];
        const a0 = base.get(node.args[0].id)!, b0 = node.args.length > 1 ? base.get(node.args[1].id)! : NaN;
        const a = values.get(node.args[0].id)!, b = node.args.length > 1 ? values.get(node.args[1].id)! : NaN;
        const v0 = base.get(node.id)!, v = values.get(node.id)!;
        if (!(Math.abs(v - v0) <= Math.max(1, Math.abs(v0)))) return false;
        if (!spec.domain.contains(0, b0) && !(Math.abs(a - a0) <= Math.abs(a0) / 2)) return false;
        if (spec.arity === 2 && !spec.domain.contains(a0, 0) && !(Math.abs(b - b0) <= Math.abs(b0) / 2)) return false;
      }
    }
  }
  return true;
}

/** Every node's value at p, or undefined when some op leaves its domain, some value is not finite, or |f| ≥ 1e8. */
function evaluateNodes(order: readonly Expr[], variables: readonly string[], p: readonly number[]): Map<number, number> | undefined {
  const values = new Map<number, number>();
  for (const node of order) {
    if (node.kind === 'const') values.set(node.id, node.value);
    else if (node.kind === 'var') values.set(node.id, p[variables.indexOf(node.name)]);
    else {
      const a = values.get(node.args[0].id)!, b = node.args.length > 1 ? values.get(node.args[1].id)! : NaN;
      if (!ops[node.op].domain.contains(a, b)) return undefined;
      const v = ops[node.op].eval(a, b);
      if (!Number.isFinite(v)) return undefined;
      values.set(node.id, v);
    }
  }
  return Math.abs(values.get(order[order.length - 1].id)!) < 1e8 ? values : undefined;
}
