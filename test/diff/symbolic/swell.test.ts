// Specification of expression swell and budgets on the logistic map lₙ₊₁ = 4lₙ(1 − lₙ): swell is a tree effect, and mathjs's simplify is cut off in time.
import { beforeAll, describe, expect, it } from 'vitest';
import { apply, variable, type Expr } from '../../../src/ir/node.ts';
import { metrics } from '../../../src/ir/traverse.ts';
import { dagDerivatives, symbolicDerivatives, symbolicSimplifiedMethod, SymbolicUnavailableError } from '../../../src/diff/symbolic/index.ts';
import { MethodUnavailableError } from '../../../src/diff/method.ts';

/** The logistic map's nth iterate l₁ = x, lₙ₊₁ = 4lₙ(1 − lₙ), as a DAG (each lₙ built once). */
function logistic(n: number): Expr {
  let l: Expr = variable('x');
  for (let i = 1; i < n; i++) l = apply('mul', apply('mul', 4, l), apply('sub', 1, l));
  return l;
}

const differences = (xs: readonly number[]) => xs.slice(1).map((v, i) => v - xs[i]);
const ratios = (xs: readonly number[]) => xs.slice(1).map((v, i) => v / xs[i]);

describe('expression swell is a tree effect', () => {
  const ns = [2, 3, 4, 5, 6, 7, 8];

  it('symbolic-dag’s derivative DAG grows by the same number of nodes per iterate (linear)', () => {
    const sizes = ns.map((n) => dagDerivatives(logistic(n), ['x'])[0].dagSize);
    expect(sizes).toEqual([8, 16, 24, 32, 40, 48, 56]);
    expect(new Set(differences(sizes))).toEqual(new Set([8]));
  });

  it('mathjs’s unsimplified derivative tree grows more than twofold per iterate (exponential)', () => {
    const sizes = ns.map((n) => symbolicDerivatives(logistic(n), ['x'])[0].mathjsDerivedTreeSize!);
    for (const r of ratios(sizes)) expect(r).toBeGreaterThan(2);
  });

  it('the same mathjs derivative, hash-consed into gradlab’s IR, is a linear DAG again', () => {
    const sizes = ns.map((n) => symbolicDerivatives(logistic(n), ['x'])[0].dagSize);
    expect(new Set(differences(sizes))).toEqual(new Set([8]));
  });

  it('the primal grows by 3 DAG nodes per iterate while its tree doubles', () => {
    const primal = ns.map((n) => metrics(logistic(n)));
    expect(differences(primal.map((m) => m.dagSize))).toEqual([3, 3, 3, 3, 3, 3]);
    for (const r of ratios(primal.map((m) => m.treeSize))) expect(r).toBeGreaterThan(2);
  });
});

describe('time budget', () => {
  beforeAll(() => {
    // Start the worker (importing mathjs) outside the timed part.
    symbolicDerivatives(logistic(2), ['x'], { simplify: true });
  });

  it('simplifying the 8th logistic-map iterate with a 200 ms budget returns the cut-off in well under 2 s', () => {
    const start = performance.now();
    let error: unknown;
    try {
      symbolicSimplifiedMethod.compute({ expr: logistic(8), variables: ['x'], point: Float64Array.of(0.2), options: { timeBudgetMs: 200 } });
    } catch (e) {
      error = e;
    }
    const elapsed = performance.now() - start;
    expect(error).toBeInstanceOf(MethodUnavailableError);
    expect((error as MethodUnavailableError).reason).toBe('time budget of 200 ms exhausted while simplifying ∂f/∂x');
    expect((error as SymbolicUnavailableError).cutOff).toBe(true);
    expect(elapsed).toBeLessThan(2000);
  });

  it('the next job after a cut-off runs in a fresh worker', () => {
    const [d] = symbolicDerivatives(logistic(3), ['x'], { simplify: true });
    expect(d.infix).toBe('(4 * (1 - x) - 4 * x) * (4 * (1 - 4 * (x - x^2)) + 16 * (x^2 - x))');
  });

  it('a size budget cuts off a derivative that outgrows it', () => {
    expect(() => symbolicDerivatives(logistic(8), ['x'], { budgets: { sizeBudget: 1000 } })).toThrow(
      /^symbolic: size budget of 1,000 nodes exceeded while differentiating ∂f\/∂x \(the result has [0-9,]+ tree nodes\)$/,
    );
  });

  it('rejects budgets that are not positive numbers', () => {
    const request = { expr: logistic(2), variables: ['x'], point: Float64Array.of(0.2) };
    expect(() => symbolicSimplifiedMethod.compute({ ...request, options: { timeBudgetMs: -1 } })).toThrow('option timeBudgetMs must be a positive number, got -1');
  });
});
