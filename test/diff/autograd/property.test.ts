// Properties: on random IR expressions at points inside every op's domain, autograd agrees with gradcheck's central differences (within an error model) and with the Tensor API used directly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apply, variable, type Expr } from '../../../src/ir/node.ts';
import { ops, opNames, type OpName } from '../../../src/ir/ops.ts';
import { topologicalOrder } from '../../../src/ir/traverse.ts';
import { expressionWithPoint, nodeValues } from '../../../src/harness/index.ts';
import { toInfix, toWengert } from '../../../src/ir/print.ts';
import { interpret } from '../../../src/ir/evaluate.ts';
import { autogradMethod, autogradValue, grad, gradcheck, tensor, torch, type Tensor } from '../../../src/diff/autograd/index.ts';
import { tensorAlgebra } from '../../../src/diff/autograd/functional.ts';

/** A random expression: its IR, variables, point, the largest |intermediate| and the number of ops (for the rounding model). */
interface Case { readonly expr: Expr; readonly names: readonly string[]; readonly point: Float64Array; readonly magnitude: number; readonly ops: number }

const EPS = 2 ** -52;
const apiOps: readonly OpName[] = ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'relu', 'abs'];

/** Counterexamples print as infix and as a Wengert list. */
const withPrinting = (c: Case): Case =>
  Object.assign(c, { [fc.toStringMethod]: () => `${toInfix(c.expr)} at [${[...c.point].join(', ')}]\n${toWengert(c.expr)}` });

/**
 * Random expressions over x0, x1, x2 (up to 8 ops, values up to 1e6) at points in [-2, 2]³ where every op is smooth
 * around its arguments (the public arbitrary: clear of domain boundaries and kinks by its margin, so central
 * differences with a much smaller step never straddle a kink, a pole or an edge of the domain).
 */
const cases = (allowed: readonly OpName[]) =>
  expressionWithPoint({ ops: allowed, variables: ['x0', 'x1', 'x2'], depth: 8, maxOps: 8, maxMagnitude: 1e6, range: 2 }).map(({ expr, variables, point }) => {
    const values = nodeValues(expr, variables, point);
    const magnitude = Math.max(...[...values.values()].map(Math.abs));
    const count = topologicalOrder(expr).filter((n) => n.kind === 'op').length;
    return withPrinting({ expr, names: variables, point, magnitude, ops: count });
  });

/** The expression evaluated with Tensor methods directly (no IR interpreter), on leaves that require grad. */
function viaTensorApi(c: Case): { value: number; gradient: number[] } {
  const leaves = c.names.map((_, i) => tensor(c.point[i], { requiresGrad: true }));
  const methods: Partial<Record<OpName, (a: Tensor | number, b: Tensor | number) => Tensor | number>> = {
    add: (a, b) => torch.add(a, b), sub: (a, b) => torch.sub(a, b), mul: (a, b) => torch.mul(a, b), div: (a, b) => torch.div(a, b),
    pow: (a, b) => torch.pow(a, b), neg: (a) => torch.neg(a), exp: (a) => torch.exp(a), log: (a) => torch.log(a),
    sqrt: (a) => torch.sqrt(a), sin: (a) => torch.sin(a), cos: (a) => torch.cos(a), tan: (a) => torch.tan(a),
    tanh: (a) => torch.tanh(a), sigmoid: (a) => torch.sigmoid(a), relu: (a) => torch.relu(a), abs: (a) => torch.abs(a),
  };
  // Children before parents, by id (interned nodes are numbered in creation order): no recursion.
  const order: Expr[] = [];
  const stack: Expr[] = [c.expr];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    order.push(e);
    stack.push(...e.args);
  }
  order.sort((p, q) => p.id - q.id);
  const valueOf = new Map<number, Tensor | number>();
  for (const e of order) {
    if (e.kind === 'const') valueOf.set(e.id, e.value);
    else if (e.kind === 'var') valueOf.set(e.id, leaves[c.names.indexOf(e.name)]);
    else {
      const [a, b] = e.args.map((x) => valueOf.get(x.id)!);
      const both = typeof a === 'number' && (b === undefined || typeof b === 'number');
      valueOf.set(e.id, both ? ops[e.op].eval(a as number, (b as number) ?? NaN) : methods[e.op]!(a, b));
    }
  }
  const out = valueOf.get(c.expr.id)!;
  if (typeof out === 'number') return { value: out, gradient: c.names.map(() => 0) };
  out.backward();
  return { value: out.item(), gradient: leaves.map((l) => l.grad?.item() ?? 0) };
}

/** The expression interpreted on tensors (the method's algebra): the forward pass alone. */
const interpretTensor = (expr: Expr, env: Map<string, Tensor>) => interpret(expr, (v) => env.get(v.name)!, tensorAlgebra);

/** ∂³f/∂xᵢ³ with xᵢ = `at`, by three nested autograd passes (createGraph): higher order from the same engine. */
function thirdDerivative(c: Case, i: number, at: number): number {
  const leaves = c.names.map((_, k) => tensor(k === i ? at : c.point[k], { requiresGrad: true }));
  let g: Tensor | number = interpretTensor(c.expr, new Map(c.names.map((n, k) => [n, leaves[k]])));
  for (let k = 0; k < 3; k++) {
    if (typeof g === 'number' || !g.requiresGrad) return 0;
    const [d]: (Tensor | null)[] = grad(g, leaves[i], { createGraph: true, allowUnused: true });
    if (d === null) return 0;
    g = d;
  }
  return typeof g === 'number' ? g : g.item();
}

describe('autograd properties', () => {
  it('autograd and gradcheck’s central differences agree within truncation |f‴|h²/6 + rounding n·ε·M/h', () => {
    fc.assert(
      fc.property(cases(opNames), (c) => {
        const h = 1e-6;
        // Error model of (f(x+h) − f(x−h)) / 2h: truncation h²/6·|f‴(ξ)| for some ξ within h of x (f‴ taken as the
        // largest of x−h, x, x+h, times 10 for its variation in between), plus rounding: each of f(x±h) carries about
        // (ops+1)·ε·M of error, M the largest intermediate magnitude, and the difference divides it by 2h.
        let bound = 0;
        for (let i = 0; i < c.names.length; i++) {
          const f3 = Math.max(...[-h, 0, h].map((d) => Math.abs(thirdDerivative(c, i, c.point[i] + d))));
          bound = Math.max(bound, (10 * f3 * h * h) / 6 + ((c.ops + 1) * EPS * c.magnitude) / h);
        }
        const leaves = c.names.map((_, i) => tensor(c.point[i], { requiresGrad: true }));
        const fn = (...xs: Tensor[]) => {
          const out = interpretTensor(c.expr, new Map(c.names.map((n, k) => [n, xs[k]])));
          return typeof out === 'number' ? tensor(out) : out;
        };
        const passes = gradcheck(fn, leaves, { eps: h, atol: 4 * bound + 1e-12, rtol: 0, raiseException: false });
        expect(passes).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the IR method and the Tensor API used directly give the same value and gradient, bit for bit', () => {
    fc.assert(
      fc.property(cases(apiOps), (c) => {
        const result = autogradMethod.compute({ expr: c.expr, variables: c.names, point: c.point, options: {} });
        const direct = viaTensorApi(c);
        expect(result.value).toBe(direct.value);
        expect([...result.gradient]).toEqual(direct.gradient);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the autograd method', () => {
  it('returns value, gradient in variable order (0 for an unreached variable) and the tape length', () => {
    const x = variable('x');
    const expr = apply('add', apply('add', apply('pow', x, 2), apply('mul', 3, x)), 1);
    const result = autogradMethod.compute({ expr, variables: ['x', 'u'], point: Float64Array.of(2, 7), options: {} });
    expect(result.value).toBe(11);
    expect([...result.gradient]).toEqual([7, 0]);
    expect(result.extra?.tapeLength).toBe(4);
    expect(autogradValue({ expr, variables: ['x', 'u'], point: Float64Array.of(2, 7), options: {} })).toBe(11);
  });

  it('records one node per op of the DAG: Rosenbrock has a tape of 8n − 9, and a shared subexpression is recorded once', () => {
    const rosenbrock = (n: number): Expr => {
      const xs = Array.from({ length: n }, (_, i) => variable(`x${i}`));
      let f: Expr | null = null;
      for (let i = 0; i + 1 < n; i++) {
        const term = apply('add', apply('mul', 100, apply('pow', apply('sub', xs[i + 1], apply('pow', xs[i], 2)), 2)), apply('pow', apply('sub', 1, xs[i]), 2));
        f = f === null ? term : apply('add', f, term);
      }
      return f!;
    };
    for (const n of [10, 100, 1000]) {
      const variables = Array.from({ length: n }, (_, i) => `x${i}`);
      const point = Float64Array.from(variables, (_, i) => Math.cos(i + 1));
      expect(autogradMethod.compute({ expr: rosenbrock(n), variables, point, options: {} }).extra?.tapeLength).toBe(8 * n - 9);
    }
    const x = variable('x');
    const shared = apply('add', x, 1);
    const square = apply('mul', shared, shared);
    const result = autogradMethod.compute({ expr: square, variables: ['x'], point: Float64Array.of(2), options: {} });
    expect([result.extra?.tapeLength, ...result.gradient]).toEqual([2, 6]);
  });

  it('notes where an op is applied outside its smooth domain, and handles constants', () => {
    const x = variable('x');
    const atKink = autogradMethod.compute({ expr: apply('relu', x), variables: ['x'], point: Float64Array.of(0), options: {} });
    expect([...atKink.gradient]).toEqual([0]);
    expect(atKink.notes?.[0]).toMatch(/^relu at 0 is outside its smooth domain/);
    const constant2 = autogradMethod.compute({ expr: apply('mul', 2, 3), variables: ['x'], point: Float64Array.of(1), options: {} });
    expect([constant2.value, ...constant2.gradient]).toEqual([6, 0]);
  });
});
