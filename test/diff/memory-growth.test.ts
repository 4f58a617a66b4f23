// Specification of memory on huge expressions: every method allocates linearly in the DAG size (measured as counts:
// IR nodes created, tape slots, SSA instructions), and one too large for the heap is refused before any work.
import { describe, expect, it } from 'vitest';
import { apply, constant, nodesCreated, variable, type Expr } from '../../src/ir/node.ts';
import { getMethod } from '../../src/diff/registry.ts';
import { MethodUnavailableError, type GradientResult } from '../../src/diff/method.ts';
import { checkSize, dagNodeCount, estimatedBytes, heapLimitBytes } from '../../src/diff/size-limit.ts';

const x = variable('x');

/** Deep and wide shapes, each with about `n` op nodes. */
const shapes: Record<string, (n: number) => { expr: Expr; variables: string[] }> = {
  'the tower x^x^…^x': (n) => {
    let e: Expr = x;
    for (let i = 0; i < n; i++) e = apply('pow', x, e);
    return { expr: e, variables: ['x'] };
  },
  'a chain of unary ops exp(tanh(sin(…)))': (n) => {
    const unary = ['sin', 'tanh', 'exp', 'cos', 'sigmoid'] as const;
    let e: Expr = x;
    for (let i = 0; i < n; i++) e = apply(unary[i % unary.length], i % unary.length === 2 ? apply('mul', e, constant(0.001)) : e);
    return { expr: e, variables: ['x'] };
  },
  'a sum of n terms c·vᵢ over 50 variables': (n) => {
    const names = Array.from({ length: 50 }, (_, i) => `v${i}`);
    let e: Expr = variable(names[0]);
    for (let i = 1; i < n; i++) e = apply('add', e, apply('mul', constant(1 + i / n), variable(names[i % 50])));
    return { expr: e, variables: names };
  },
  'a deep nesting of binary ops ((x·y + x)·y + x)…': (n) => {
    const y = variable('y');
    let e: Expr = x;
    for (let i = 0; i < n; i++) e = i % 2 === 0 ? apply('mul', e, y) : apply('add', apply('mul', e, constant(0.5)), x);
    return { expr: e, variables: ['x', 'y'] };
  },
};

/** What each method allocates per run, as a count: the size of what it builds. */
const work: Record<string, (result: GradientResult) => number> = {
  autograd: (r) => r.extra!.tapeLength as number,
  'autograd-compiled': (r) => (r.extra!.instructions as { gradient: number }).gradient,
  'forward-mode': (r) => (r.extra!.instructions as { jvp: number }).jvp,
  'symbolic-dag': (r) => r.extra!.programLength as number,
};

function measure(method: string, build: (n: number) => { expr: Expr; variables: string[] }, n: number) {
  const { expr, variables } = build(n);
  const before = nodesCreated();
  const result = getMethod(method).compute({ expr, variables, point: Float64Array.from(variables, () => 0.5), options: {} });
  return { nodes: nodesCreated() - before, work: work[method](result), size: dagNodeCount(expr), result };
}

describe('memory grows linearly with the expression', () => {
  for (const [shape, build] of Object.entries(shapes)) {
    for (const method of Object.keys(work)) {
      it(`${method} on ${shape}: 10× the nodes allocate at most 10.5× the IR nodes and program slots`, () => {
        const small = measure(method, build, 300);
        const large = measure(method, build, 3000);
        const sizeRatio = large.size / small.size;
        expect(sizeRatio).toBeGreaterThan(9);
        expect(large.work / small.work).toBeLessThanOrEqual(sizeRatio * 1.05);
        expect(large.work).toBeGreaterThan(0);
        // IR nodes built along the way (partials, adjoints, tangents): at most a constant per node at both sizes.
        // (Not a ratio: hash-consing shares nodes that earlier runs built, so the small count varies.)
        expect(small.nodes).toBeLessThanOrEqual(12 * small.size);
        expect(large.nodes).toBeLessThanOrEqual(12 * large.size);
        expect(Number.isFinite(large.result.value)).toBe(true);
      });
    }
  }
});

describe('an expression too large for the heap is refused before any work', () => {
  const { expr, variables } = shapes['the tower x^x^…^x'](2000);

  for (const method of Object.keys(work)) {
    it(`${method} refuses a DAG over its node limit with an error naming the size and the limit`, () => {
      const before = nodesCreated();
      let error: unknown;
      try {
        getMethod(method).compute({ expr, variables, point: Float64Array.of(0.5), options: { maxNodes: 1000 } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MethodUnavailableError);
      expect((error as Error).message).toMatch(new RegExp(`^${method}: the expression has 2001 distinct nodes, over this method's limit of 1000 \\(the maxNodes option\\)`));
      expect(nodesCreated() - before).toBe(0); // refused before building a single partial
    });
  }

  it('by default, a method refuses what it is estimated to need beyond half the heap, and says so', () => {
    const GB = 2 ** 30;
    // Estimates are linear in the expression: 1000 levels of the tower scale to 10⁶ by × 1000.
    const tower = shapes['the tower x^x^…^x'](1000).expr;
    const sum = shapes['a sum of n terms c·vᵢ over 50 variables'](1000).expr;
    for (const method of ['autograd-compiled', 'forward-mode', 'symbolic-dag']) {
      expect(estimatedBytes(method, tower) * 1000).toBeGreaterThan(8 * GB); // a 10⁶-level tower: refused below a 16 GB heap
      expect(estimatedBytes(method, sum) * 100).toBeLessThan(1 * GB); // a 10⁵-term sum: fits a 2 GB heap
    }
    expect(estimatedBytes('autograd', tower) * 1000).toBeLessThan(1.1 * GB); // autograd runs the 10⁶-level tower on a default heap
    // And the refusal itself, before any work, when the estimate is over half the heap:
    const wide = shapes['the tower x^x^…^x'](Math.ceil((heapLimitBytes() / 2 / estimatedBytes('symbolic-dag', tower)) * 1000 * 1.05)).expr;
    expect(estimatedBytes('symbolic-dag', wide)).toBeGreaterThan(heapLimitBytes() / 2);
    const before = nodesCreated();
    expect(() => getMethod('symbolic-dag').compute({ expr: wide, variables: ['x'], point: Float64Array.of(0.5), options: {} })).toThrow(
      /^symbolic-dag: the expression has \d+ distinct nodes and would need about \d+ MB, over this method's limit of half the \d+ MB heap/,
    );
    expect(nodesCreated() - before).toBe(0);
  });

  it('rejects a maxNodes option that is not a positive integer or Infinity', () => {
    for (const bad of [NaN, -1, 0, 2.5, '10']) {
      expect(() => checkSize('autograd', { expr, variables, point: Float64Array.of(0.5), options: { maxNodes: bad } })).toThrow(/maxNodes option must be a positive integer or Infinity/);
    }
    expect(() => checkSize('autograd', { expr, variables, point: Float64Array.of(0.5), options: { maxNodes: Infinity } })).not.toThrow();
  });
});
