// Test support for the compiled methods: random cases (the public arbitrary) and an independent reverse-mode reference.
import fc from 'fast-check';
import { apply, constant, variable, type Expr } from '../../../src/ir/node.ts';
import { opNames, ops } from '../../../src/ir/ops.ts';
import { localPartials } from '../../../src/ir/partials.ts';
import { interpret, realAlgebra } from '../../../src/ir/evaluate.ts';
import { topologicalOrder } from '../../../src/ir/traverse.ts';
import { toInfix, toWengert } from '../../../src/ir/print.ts';
import { coordinate, expressionWithPoint, type GradientCase } from '../../../src/harness/index.ts';

/** An expression with its variables and a point inside every op's smooth domain. */
export type RandomCase = GradientCase;

/**
 * Random cases from the public arbitrary: deep DAGs over every op (up to 24 instructions), values up to 1e6 and no
 * margin from domain boundaries (the agreement checks need no stencil), plus a variable `w` the expression does not
 * use, so every method is also checked to give 0 for an unreached variable.
 */
export const caseArbitrary: fc.Arbitrary<RandomCase> = fc
  .tuple(expressionWithPoint({ depth: 24, maxOps: 24, margin: 0, maxMagnitude: 1e6, range: 2 }), coordinate(2))
  .map(([c, w]) => ({ expr: c.expr, variables: [...c.variables, 'w'], point: Float64Array.of(...c.point, w) }));

// Kept for two properties whose claims fail on the public arbitrary (reported, not yet decided): compiled.test.ts
// 'at most 6 × f' ((z/z)^(z/z): 13 gradient ops for 2) and forward.test.ts's Hessian check (at a point where f's first-order rounding scale is 0).
/** What a random case is built from: the point and one number per attempted op (shrinks towards fewer, smaller). */
export interface Recipe {
  readonly point: readonly number[];
  readonly steps: readonly number[];
}

const names = ['x', 'y', 'z'];
const constants = [2, 0.5, -1.5, 3];

/**
 * Builds the expression a recipe describes. Each step picks an op (step mod the number of ops) and its arguments
 * from the values so far (preferring recent ones, so expressions get deep), and is dropped when the arguments are
 * outside the op's declared smooth domain (`ops[op].domain.contains`) or the result is not finite or above 1e6.
 */
export function buildCase(recipe: Recipe): RandomCase {
  const pool: { node: Expr; value: number }[] = [
    ...names.map((name, i) => ({ node: variable(name) as Expr, value: recipe.point[i] })),
    ...constants.map((c) => ({ node: constant(c) as Expr, value: c })),
  ];
  let last: Expr | null = null;
  for (const step of recipe.steps) {
    const op = opNames[step % opNames.length];
    const r = Math.floor(step / opNames.length);
    const a = pool[pool.length - 1 - (r % Math.min(pool.length, 4))];
    const b = pool[(r >> 2) % pool.length];
    const spec = ops[op];
    const bValue = spec.arity === 2 ? b.value : NaN;
    if (!spec.domain.contains(a.value, bValue)) continue;
    const value = spec.eval(a.value, bValue);
    if (!Number.isFinite(value) || Math.abs(value) > 1e6) continue;
    const node = spec.arity === 2 ? apply(op, a.node, b.node) : apply(op, a.node);
    pool.push({ node, value });
    last = node;
  }
  const expr = last ?? apply('mul', variable('x'), variable('y'));
  return { expr, variables: names, point: Float64Array.from(recipe.point) };
}

/** Random recipes: points in [-2, 2]³ with |xᵢ| ≥ 0.01, and up to 24 steps. */
export const recipeArbitrary: fc.Arbitrary<Recipe> = fc.record({
  point: fc.tuple(...names.map(() => fc.double({ min: -2, max: 2, noNaN: true }).filter((v) => Math.abs(v) >= 0.01))),
  steps: fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 24 }),
});

/** A reference gradient and the scale its rounding error is measured against. */
export interface ReferenceGradient {
  readonly value: number;
  readonly gradient: Float64Array;
  /** Σ over paths of |adjoint · partial| per variable: rounding errors of any evaluation order are ε-multiples of it. */
  readonly magnitude: Float64Array;
  /** The largest |value| of any node (the scale of f's own rounding error). */
  readonly valueMagnitude: number;
}

/**
 * Reverse accumulation by interpretation, written independently of the compiled methods: node values by the
 * interpreter, each local partial (the op table's IR) evaluated numerically, adjoints summed in a Map.
 */
export function referenceGradient(c: RandomCase): ReferenceGradient {
  const order = topologicalOrder(c.expr);
  const index = new Map(c.variables.map((name, i) => [name, i]));
  const lookup = (v: { name: string }) => c.point[index.get(v.name)!];
  const value = new Map<number, number>();
  let valueMagnitude = 0;
  for (const node of order) {
    const v = node.kind === 'const' ? node.value : node.kind === 'var' ? lookup(node) : ops[node.op].eval(value.get(node.args[0].id)!, node.args.length > 1 ? value.get(node.args[1].id)! : NaN);
    value.set(node.id, v);
    valueMagnitude = Math.max(valueMagnitude, Math.abs(v));
  }
  const adjoint = new Map<number, number>([[c.expr.id, 1]]);
  const absolute = new Map<number, number>([[c.expr.id, 1]]);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    if (node.kind !== 'op' || !adjoint.has(node.id)) continue;
    const partials = localPartials(node).map((p) => interpret(p, lookup, realAlgebra));
    node.args.forEach((arg, i) => {
      adjoint.set(arg.id, (adjoint.get(arg.id) ?? 0) + adjoint.get(node.id)! * partials[i]);
      absolute.set(arg.id, (absolute.get(arg.id) ?? 0) + absolute.get(node.id)! * Math.abs(partials[i]));
    });
  }
  const byName = new Map(order.filter((n) => n.kind === 'var').map((n) => [n.name, n.id]));
  const pick = (map: Map<number, number>) => Float64Array.from(c.variables, (name) => map.get(byName.get(name) ?? -1) ?? 0);
  return { value: value.get(c.expr.id)!, gradient: pick(adjoint), magnitude: pick(absolute), valueMagnitude };
}

/** True when the reference value and gradient are finite (the agreement checks are about finite gradients). */
export function isFinite(reference: ReferenceGradient): boolean {
  return Number.isFinite(reference.value) && reference.gradient.every(Number.isFinite) && reference.magnitude.every(Number.isFinite);
}

/** Relative tolerance of the agreement checks, against the error scales of {@link ReferenceGradient}. */
export const tolerance = 1e-12;

/**
 * Throws, with the expression in infix and as a Wengert list, when `gradient`/`value` differ from the reference
 * by more than {@link tolerance} times their error scale.
 */
export function expectAgreement(method: string, c: RandomCase, value: number, gradient: ArrayLike<number>, reference = referenceGradient(c)): void {
  const problems: string[] = [];
  if (value !== reference.value && !(Math.abs(value - reference.value) <= tolerance * reference.valueMagnitude + 1e-300)) {
    problems.push(`f = ${value}, reference ${reference.value}`);
  }
  c.variables.forEach((name, i) => {
    const bound = tolerance * reference.magnitude[i] + 1e-300;
    if (gradient[i] !== reference.gradient[i] && !(Math.abs(gradient[i] - reference.gradient[i]) <= bound)) {
      problems.push(`∂f/∂${name} = ${gradient[i]}, reference ${reference.gradient[i]} (allowed ±${bound.toExponential(1)})`);
    }
  });
  if (problems.length > 0) {
    throw new Error(
      `${method} disagrees with the reference at (${Array.from(c.point).join(', ')}):\n  ${problems.join('\n  ')}\n` +
        `f = ${toInfix(c.expr)}\nWengert list:\n${toWengert(c.expr)}`,
    );
  }
}
