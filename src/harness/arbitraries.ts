// fast-check arbitraries: random IR expressions built together with a point inside every op's domain.
//
// An expression is generated as a small straight-line program (a Wengert list): each instruction picks
// an op and two operand indices into the values computed so far (variables, constants, earlier results).
// The program is run on the point while it is built, and an instruction whose arguments fall outside
// its op's domain (or near its boundary) is dropped. So generation is iterative, expressions are DAGs
// with sharing (`a + a` appears), and fast-check shrinks the program (fewer instructions, smaller
// indices, simpler numbers) while every shrunk value is still a valid expression and point.
import fc from 'fast-check';
import { apply, constant, variable, type Expr } from '../ir/node.ts';
import { opNames, ops, randomExpressionOps, type OpName } from '../ir/ops.ts';
import { partialKernels } from '../ir/partials.ts';
import { variablesOf } from '../ir/traverse.ts';
import { isSmoothAround, zeroIsBoundary } from './domain.ts';

/** An expression, the variables it is a function of (in order), and a point (values in that order). */
export interface GradientCase {
  readonly expr: Expr;
  readonly variables: readonly string[];
  readonly point: Float64Array;
}

/** Options for the expression arbitraries. */
export interface ExpressionOptions {
  /** Ops to draw from; default every op in the table but those it marks `randomExpressions: false` (mul_no_nan). */
  readonly ops?: readonly OpName[];
  /** Maximum op depth (a variable or constant has depth 0); default 4. */
  readonly depth?: number;
  /** Variable names; default `['x', 'y', 'z']`. */
  readonly variables?: readonly string[];
  /** Maximum instructions in the generated program; default 3 × depth. */
  readonly maxOps?: number;
  /**
   * Keep each argument at least this far (relative to max(1, |u|)) from its op's domain boundary; default 1e-3.
   * Also bounds the stencil on which the expression must stay smooth (see {@link isSmoothAround}), at 10× this.
   */
  readonly margin?: number;
  /** Largest |value| of any node and |local partial| allowed; default 1e4. */
  readonly maxMagnitude?: number;
  /** Range of the point's coordinates; default 3 (so values lie in [-3, 3]). */
  readonly range?: number;
  /**
   * Narrower domains for some ops: a predicate on the argument values, required in addition to
   * `ops[op].domain.contains` (at the point and at the margin's nudges). For a method that handles less than the
   * op table declares, e.g. `{ cbrt: (u) => u > 0 }` where mathjs writes d∛u as 1/(3·u^(2/3)), NaN for u < 0.
   * Default none: every op on its whole domain.
   */
  readonly narrowDomains?: { readonly [K in OpName]?: (a: number, b: number) => boolean };
}

interface Instruction {
  readonly op: OpName;
  readonly a: number;
  readonly b: number;
}

interface Recipe {
  readonly values: readonly number[];
  readonly constants: readonly number[];
  readonly program: readonly Instruction[];
}

/**
 * A coordinate of a point: small integers, halves and six-decimal numbers in [-range, range];
 * shrinks towards 0 and small integers so counterexamples read well.
 */
export function coordinate(range = 3): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: -Math.floor(range), max: Math.floor(range) }),
    fc.integer({ min: -2 * Math.floor(range), max: 2 * Math.floor(range) }).map((k) => k / 2),
    // Six decimals: every magnitude from 1e-6 to the range, none subnormal (underflow is its own subject).
    fc.integer({ min: -Math.round(range * 1e6), max: Math.round(range * 1e6) }).map((k) => k / 1e6),
  );
}

/** A constant for expressions: mostly small integers (so `x^2` and `3 * x` appear), sometimes two-decimal numbers in [-4, 4]. */
function constantValue(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: -3, max: 4 }) },
    { weight: 1, arbitrary: fc.integer({ min: -400, max: 400 }).map((k) => k / 100) },
  );
}

export function resolved(options: ExpressionOptions) {
  const depth = options.depth ?? 4;
  const chosen = options.ops ?? randomExpressionOps;
  if (chosen.length === 0) throw new RangeError('the op set is empty: pass at least one op');
  for (const op of chosen) if (!(op in ops)) throw new RangeError(`unknown op '${op}'; ops are ${opNames.join(', ')}`);
  if (!(depth >= 1 && Number.isInteger(depth))) throw new RangeError(`depth must be a positive integer, got ${depth}`);
  return {
    ops: chosen,
    depth,
    variables: options.variables ?? ['x', 'y', 'z'],
    maxOps: options.maxOps ?? 3 * depth,
    margin: options.margin ?? 1e-3,
    maxMagnitude: options.maxMagnitude ?? 1e4,
    range: options.range ?? 3,
    narrowDomains: options.narrowDomains ?? {},
  };
}

type Resolved = ReturnType<typeof resolved>;

/** Whether op `op` may be applied to argument values `args` (with expressions `argExprs`) under the options. */
export function acceptable(op: OpName, argExprs: readonly Expr[], args: readonly number[], o: Resolved): number | undefined {
  const spec = ops[op];
  const narrow = o.narrowDomains[op];
  const contains = (u: number, v: number) => spec.domain.contains(u, v) && (narrow === undefined || narrow(u, v));
  const [a, b = NaN] = args;
  if (!contains(a, b)) return undefined;
  // Stay clear of the boundary: the domain must also contain the arguments nudged by the margin.
  for (let k = 0; k < args.length; k++) {
    const nudge = o.margin * Math.max(1, Math.abs(args[k]));
    for (const side of [-1, 1]) {
      const moved = [...args];
      moved[k] += side * nudge;
      if (!contains(moved[0], moved[1] ?? NaN)) return undefined;
      if (zeroIsBoundary(op, k) && Math.sign(moved[k]) !== Math.sign(args[k])) return undefined;
    }
  }
  const value = spec.eval(a, b);
  if (!(Math.abs(value) <= o.maxMagnitude)) return undefined;
  // Every partial with respect to a non-constant argument must be finite and moderate.
  const kernels = partialKernels(op);
  for (let k = 0; k < argExprs.length; k++) {
    if (argExprs[k].kind === 'const') continue;
    const partial = kernels[k](a, b, value);
    if (!(Math.abs(partial) <= o.maxMagnitude)) return undefined;
  }
  return value;
}

/** Runs a recipe: the expression it builds (iteratively) and the point. The root is the deepest result; with none, a variable. */
function build(recipe: Recipe, o: Resolved): GradientCase {
  const pool: { expr: Expr; value: number }[] = o.variables.map((name, i) => ({ expr: variable(name), value: recipe.values[i] }));
  for (const c of recipe.constants) pool.push({ expr: constant(c), value: c });
  const depthOf = new Map<number, number>();
  let root: Expr = pool[0].expr;
  let rootDepth = 0;
  // Operand indices count back from the newest value, so programs tend to build on their own results
  // and a shrunk index (0) means "the previous result".
  const pick = (k: number) => pool[pool.length - 1 - (k % pool.length)];
  for (const { op, a, b } of recipe.program) {
    const left = pick(a);
    const right = pick(b);
    const argEntries = ops[op].arity === 1 ? [left] : [left, right];
    const value = acceptable(op, argEntries.map((e) => e.expr), argEntries.map((e) => e.value), o);
    if (value === undefined) continue;
    const expr = apply(op, ...argEntries.map((e) => e.expr));
    const depth = 1 + Math.max(...argEntries.map((e) => depthOf.get(e.expr.id) ?? 0));
    depthOf.set(expr.id, depth);
    // The root is the deepest result (the latest among equals).
    if (depth >= rootDepth) [root, rootDepth] = [expr, depth];
    if (depth < o.depth) pool.push({ expr, value });
  }
  const variables = variablesOf(root);
  const index = new Map(o.variables.map((name, i) => [name, i]));
  return { expr: root, variables, point: Float64Array.from(variables, (name) => recipe.values[index.get(name)!]) };
}

/** An operand index: mostly one of the newest values (so expressions grow deep), sometimes any value. */
function operandIndex(): fc.Arbitrary<number> {
  return fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 2 }) }, { weight: 1, arbitrary: fc.nat({ max: 63 }) });
}

function recipeArbitrary(o: Resolved): fc.Arbitrary<Recipe> {
  return fc.record({
    values: fc.array(coordinate(o.range), { minLength: o.variables.length, maxLength: o.variables.length }),
    constants: fc.array(constantValue(), { maxLength: 3 }),
    program: fc.array(
      fc.record({ op: fc.constantFrom(...o.ops), a: operandIndex(), b: operandIndex() }),
      { minLength: 1, maxLength: o.maxOps, size: 'max' },
    ),
  });
}

/**
 * Expression-plus-point pairs: a random expression (depth and op set from `options`) and a point at
 * which every node's arguments lie inside `ops[op].domain`, clear of its boundary by the margin, with
 * moderate values and local partials, and smooth on a small stencil around the point (so finite
 * differences are meaningful). Shrinks to shorter programs, smaller operand indices and simpler numbers.
 *
 * @example
 * fc.assert(fc.property(expressionWithPoint({ depth: 3, ops: ['add', 'mul', 'sin'] }), ({ expr, variables, point }) => ...));
 */
export function expressionWithPoint(options: ExpressionOptions = {}): fc.Arbitrary<GradientCase> {
  const o = resolved(options);
  return recipeArbitrary(o)
    .map((recipe) => build(recipe, o))
    .filter((c) => c.expr.kind === 'op' && c.variables.length > 0 && isSmoothAround(c.expr, c.variables, c.point, { radius: 10 * o.margin }));
}

/** Random expressions alone (the expressions of {@link expressionWithPoint}). */
export function expression(options: ExpressionOptions = {}): fc.Arbitrary<Expr> {
  return expressionWithPoint(options).map((c) => c.expr);
}

/**
 * Points (values in `variables`' order, default the expression's variables) at which `expr` is smooth:
 * every node's arguments inside its op's domain on a stencil of relative radius `radius` (default 1e-2).
 * Rejection sampling, so an expression smooth almost nowhere makes fast-check give up with an error.
 */
export function pointIn(
  expr: Expr,
  options: { readonly variables?: readonly string[]; readonly range?: number; readonly radius?: number } = {},
): fc.Arbitrary<Float64Array> {
  const variables = options.variables ?? variablesOf(expr);
  return fc
    .array(coordinate(options.range ?? 3), { minLength: variables.length, maxLength: variables.length })
    .map((values) => Float64Array.from(values))
    .filter((point) => isSmoothAround(expr, variables, point, { radius: options.radius ?? 1e-2 }));
}
