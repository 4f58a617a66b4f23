// The benchmark cases as IR expressions: the lesson polynomial, Rosenbrock, and the sin chain.
import { apply, constant, variable, type Expr } from '../src/ir/node.ts';

/** One benchmark case: an expression, its variables, and the point where the gradient is taken. */
export interface BenchCase {
  readonly name: string;
  readonly kind: 'polynomial' | 'rosenbrock' | 'chain';
  /** n for Rosenbrock, depth for the chain, 1 for the polynomial. */
  readonly size: number;
  readonly expr: Expr;
  readonly variables: readonly string[];
  readonly point: Float64Array;
}

/** x³ − 2x² + x − 5, the lesson polynomial, at x = 3. */
export function polynomialCase(): BenchCase {
  const x = variable('x');
  const expr = apply('sub', apply('add', apply('sub', apply('pow', x, 3), apply('mul', 2, apply('pow', x, 2))), x), 5);
  return { name: 'polynomial x³−2x²+x−5 at 3', kind: 'polynomial', size: 1, expr, variables: ['x'], point: Float64Array.of(3) };
}

/** Rosenbrock Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², i = 1..n−1, at xᵢ = cos(i) (a point away from the minimum). */
export function rosenbrockCase(n: number): BenchCase {
  const names = Array.from({ length: n }, (_, i) => `x${i + 1}`);
  const xs = names.map((name) => variable(name));
  let expr: Expr | null = null;
  for (let i = 0; i + 1 < n; i++) {
    const term = apply(
      'add',
      apply('mul', 100, apply('pow', apply('sub', xs[i + 1], apply('pow', xs[i], 2)), 2)),
      apply('pow', apply('sub', 1, xs[i]), 2),
    );
    expr = expr === null ? term : apply('add', expr, term);
  }
  const point = Float64Array.from(names, (_, i) => Math.cos(i + 1));
  return { name: `Rosenbrock n=${n}`, kind: 'rosenbrock', size: n, expr: expr ?? constant(0), variables: names, point };
}

/** The chain x → sin(x)·1.0001 + 0.1 applied `depth` times, at x = 0.5. */
export function chainCase(depth: number): BenchCase {
  let expr: Expr = variable('x');
  for (let k = 0; k < depth; k++) expr = apply('add', apply('mul', apply('sin', expr), 1.0001), 0.1);
  return { name: `chain depth ${depth}`, kind: 'chain', size: depth, expr, variables: ['x'], point: Float64Array.of(0.5) };
}
