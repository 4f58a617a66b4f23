// The built-in default suite: the seeds' lessons, the classic test functions (Rosenbrock, the logistic map, a deep chain), the pitfalls.
import { apply, constant, variable, type Expr } from '../../ir/node.ts';
import { parse } from '../../ir/parse.ts';
import { simplifyPitfallExamples } from '../../diff/symbolic/mathjs-methods.ts';
import { variablesOf } from '../../ir/traverse.ts';
import type { GradientCase } from '../arbitraries.ts';
import { defaultDomain, type PitfallCase, type Suite, type SuiteFamily, type SuiteFunction } from '../suite.ts';

/** A named case with what a lesson says its gradient is. */
export interface LessonCase extends GradientCase {
  readonly id: string;
  readonly title: string;
  /** The expression as the lesson writes it. */
  readonly text: string;
  /** The gradient the lesson states, in `variables`' order. */
  readonly expected: readonly number[];
}

function lesson(id: string, title: string, text: string, at: Readonly<Record<string, number>>, expected: Readonly<Record<string, number>>): LessonCase {
  const expr = parse(text);
  const variables = variablesOf(expr);
  return {
    id,
    title,
    text,
    expr,
    variables,
    point: Float64Array.from(variables, (v) => at[v]),
    expected: variables.map((v) => expected[v]),
  };
}

/** The seeds' lessons (PyTorch autograd tutorials), each with the gradient the lesson prints. */
export function lessons(): LessonCase[] {
  return [
    lesson('quadratic', 'y = x² + 3x + 1 at x = 2', 'x^2 + 3*x + 1', { x: 2 }, { x: 7 }),
    lesson('two-variables', 'f = x² + y³ + xy at (1, 2)', 'x^2 + y^3 + x*y', { x: 1, y: 2 }, { x: 4, y: 13 }),
    lesson('neuron', 'loss = (wx + b)² at w = 2, x = 3, b = 4', '(w*x + b)^2', { w: 2, x: 3, b: 4 }, { w: 60, x: 40, b: 20 }),
    lesson('cubic', 'y = x³ − 2x² + x − 5 at x = 3', 'x^3 - 2*x^2 + x - 5', { x: 3 }, { x: 16 }),
    lesson('partials', 'f = x² + y³ at (2, 3)', 'x^2 + y^3', { x: 2, y: 3 }, { x: 4, y: 27 }),
  ];
}

/**
 * Rosenbrock's function of n variables x1 … xn: Σᵢ₌₁ⁿ⁻¹ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², built directly as a DAG
 * (parsing a 1,000-term sum is a parser test, not a gradient one).
 */
export function rosenbrock(n: number): Expr {
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`Rosenbrock needs n ≥ 2 variables, got ${n}`);
  const x = Array.from({ length: n }, (_, i) => variable(`x${i + 1}`));
  let sum: Expr | null = null;
  for (let i = 0; i < n - 1; i++) {
    const term = apply(
      'add',
      apply('mul', 100, apply('pow', apply('sub', x[i + 1], apply('pow', x[i], 2)), 2)),
      apply('pow', apply('sub', 1, x[i]), 2),
    );
    sum = sum === null ? term : apply('add', sum, term);
  }
  return sum!;
}

/** A deterministic point for Rosenbrock: xᵢ = −1.2 for odd i, 1 for even i (the classic start). */
export function rosenbrockPoint(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
}

/** The variables x1 … xn. */
export function numberedVariables(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `x${i + 1}`);
}

/** The logistic map's iterate lₙ: l₁ = x, lₖ₊₁ = 4·lₖ·(1 − lₖ) (Baydin et al.'s running example), as a DAG. */
export function logisticMap(n: number): Expr {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`the logistic map needs n ≥ 1, got ${n}`);
  let l: Expr = variable('x');
  for (let k = 1; k < n; k++) l = apply('mul', apply('mul', 4, l), apply('sub', 1, l));
  return l;
}

/** A chain x → sin(x)·1.0001 + 0.1 repeated `depth` times: deep, and so flat that f moves less than an ulp under FD's steps. */
export function sineChain(depth: number): Expr {
  let v: Expr = variable('x');
  for (let k = 0; k < depth; k++) v = apply('add', apply('mul', apply('sin', v), 1.0001), 0.1);
  return v;
}

function pitfall(id: string, title: string, expr: Expr, at: Readonly<Record<string, number>>, why: string, referenceNote?: string): PitfallCase {
  const variables = variablesOf(expr);
  return { id, title, expr, variables, point: Float64Array.from(variables, (v) => at[v]), why, referenceNote };
}

/** The pitfalls section's cases (teaching.md R9). */
export function pitfalls(chainDepth = 1000): PitfallCase[] {
  const x = variable('x');
  return [
    pitfall(
      'log1pexp-naive',
      'log(1 + exp(x)) at x = 1000, written naively',
      parse('log(1 + exp(x))'),
      { x: 1000 },
      'exp(1000) overflows to ∞, so the program computes log(∞) = ∞ and its chain rule (1/(1+eˣ))·eˣ becomes 0·∞ = NaN; every method differentiates that program.',
      'the derivative of the mathematical function log(1 + eˣ): 64-digit arithmetic does not overflow at x = 1000, the float64 program does',
    ),
    pitfall(
      'log1pexp-stable',
      'the same function as softplus(x) at x = 1000 (stable form)',
      apply('softplus', x),
      { x: 1000 },
      'softplus evaluates max(x, 0) + log1p(e^−|x|) and its derivative is σ(x): nothing overflows, so every method that differentiates softplus as one operation gets 1. A method that cannot (a row marked unavailable or NaN below) rewrites it into elementary functions or has no rule for it. The program, not the method, was the problem.',
    ),
    pitfall(
      'sqrt-square',
      'sqrt(x·x) at x = 0',
      parse('sqrt(x*x)'),
      { x: 0 },
      'The value is 0, but the chain rule multiplies d√u/du = 1/(2·0) = ∞ by d(x·x)/dx = 0: ∞·0 = NaN. Central differences see |x| symmetric about 0 and return 0. The complex step evaluates sqrt((0 + ih)²) = sqrt(−h²) = ih and returns Im/h = 1 without a warning: it differentiates the analytic continuation of sqrt(x·x), which is x, not |x|. It refuses abs itself (next case) only because |z| is not analytic, so the same function written two ways gets 1 or a refusal.',
    ),
    pitfall(
      'abs-kink',
      '|x| at x = 0',
      apply('abs', x),
      { x: 0 },
      '|x| has no derivative at 0. AD uses PyTorch\'s convention sign(0) = 0; central differences also give 0 by symmetry; one-sided differences give ±1; mathjs writes abs(x)/x = 0/0 = NaN.',
    ),
    pitfall(
      'relu-kink',
      'relu(x) at x = 0',
      apply('relu', x),
      { x: 0 },
      'relu has a kink at 0: AD uses step(0) = 0 as PyTorch does, central differences give the average slope 1/2, forward differences 1, and mathjs has no rule for relu at all.',
    ),
    pitfall(
      'deep-chain',
      `a ${chainDepth}-step chain x → sin(x)·1.0001 + 0.1 at x = 0.5`,
      sineChain(chainDepth),
      { x: 0.5 },
      `The chain contracts: f changes by far less than an ulp when x moves by a finite-difference step, so the difference quotient is 0 (or pure rounding noise), while the chain rule multiplies the ${chainDepth} local factors, each rounded: AD is not bit-exact here (its relative error is of the order of one ulp per step, see the table), but it keeps its digits where differences of f lose all of them.`,
    ),
    // Symbolic simplification's own pitfall: rewrites valid over the positive reals or the complex plane, not at this point.
    ...simplifyPitfallExamples.map((example, i) =>
      pitfall(
        `simplify-rewrite-${i + 1}`,
        `mathjs simplify on ${example.expr} at ${Object.entries(example.at).map(([v, a]) => `${v} = ${a}`).join(', ')}`,
        parse(example.expr),
        example.at,
        `${example.why[0].toUpperCase()}${example.why.slice(1)}. The unsimplified derivative (the symbolic row) is right here; simplification is a rewrite of the formula that holds only on part of the domain, and nothing in the simplified result says so. gradlab evaluates both and notes the difference.`,
      ),
    ),
  ];
}

/** Baydin et al.'s evaluation-trace example ln(x₁) + x₁x₂ − sin(x₂) at (2, 5), for accuracy suites. */
export function baydinExample(): GradientCase {
  const expr = parse('log(x1) + x1*x2 - sin(x2)');
  return { expr, variables: ['x1', 'x2'], point: Float64Array.of(2, 5) };
}

/** Named fixed cases for the accuracy section, beyond the lessons. */
export function accuracyCases(): { id: string; case: GradientCase }[] {
  const l4 = logisticMap(4);
  const sinExp = parse('sin(x) * exp(x)');
  const tanhChain = parse('tanh(tanh(tanh(x * y) + y) * x)');
  return [
    { id: 'baydin', case: baydinExample() },
    { id: 'logistic-4', case: { expr: l4, variables: ['x'], point: Float64Array.of(0.2) } },
    { id: 'sin-exp', case: { expr: sinExp, variables: ['x'], point: Float64Array.of(1.3) } },
    { id: 'tanh-chain', case: { expr: tanhChain, variables: ['x', 'y'], point: Float64Array.of(0.7, -0.4) } },
    { id: 'rosenbrock-10', case: { expr: rosenbrock(10), variables: numberedVariables(10), point: rosenbrockPoint(10) } },
    { id: 'sigmoid-by-hand', case: { expr: apply('div', constant(1), apply('add', 1, apply('exp', apply('neg', variable('x'))))), variables: ['x'], point: Float64Array.of(-3.5) } },
  ];
}

/** A family's variables and point, from one builder. */
function family(name: string, text: string, build: (n: number) => Expr, point: (n: number) => Float64Array, roles: SuiteFamily['roles'], ns: { costNs?: number[]; swellNs?: number[] } = {}): SuiteFamily {
  return { name, text, build, variables: (n) => variablesOf(build(n)), point, roles, ...ns };
}

/** The lessons as suite functions. */
function lessonFunctions(): SuiteFunction[] {
  return lessons().map((l) => ({ ...l, name: l.text, domain: defaultDomain(l.variables, l.point) }));
}

/**
 * The built-in default suite: the seeds' lessons, the fixed accuracy cases and random expressions, l₄ for the
 * V curve, Rosenbrock for cost, the logistic map for swell, the pitfalls, and the teaching experiments.
 */
export function builtinSuite(options: { readonly chainDepth?: number } = {}): Suite {
  const functions = lessonFunctions();
  const l4 = logisticMap(4);
  const l4Function: SuiteFunction = { id: 'logistic-4', name: 'l₄', text: 'l₄ = 4th logistic-map iterate', expr: l4, variables: ['x'], point: Float64Array.of(0.2), domain: { x: [0, 1] } };
  return {
    name: 'built-in',
    functionsTitle: "The seeds' lessons",
    functionsNote: "Each lesson from the PyTorch tutorials the project was seeded with, at the lesson's point; \"lesson says\" is the gradient the tutorial prints.",
    functions,
    accuracyCases: accuracyCases(),
    randomExpressions: true,
    vCurve: { function: l4Function, variable: 'x', label: 'l₄ = 4th logistic-map iterate' },
    graph: functions.find((f) => f.id === 'two-variables'),
    families: [
      family('Rosenbrock', 'Rosenbrock: Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², from the classic start x = (−1.2, 1, −1.2, …)', rosenbrock, rosenbrockPoint, ['cost'], {}),
      family('the logistic map', 'the logistic map lₙ₊₁ = 4lₙ(1 − lₙ), l₁ = x, at x = 0.2', logisticMap, () => Float64Array.of(0.2), ['swell']),
    ],
    pitfalls: pitfalls(options.chainDepth ?? 1000),
    experiments: { traces: true, higherOrder: true, tallWide: true, controlFlow: true, training: true },
  };
}
