// Properties: on random IR expressions at points inside every op's domain, autograd agrees with gradcheck's central differences (within an error model) and with the Tensor API used directly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apply, constant, variable, type Expr } from '../../../src/ir/node.ts';
import { ops, opNames, type OpName } from '../../../src/ir/ops.ts';
import { toInfix, toWengert } from '../../../src/ir/print.ts';
import { interpret } from '../../../src/ir/evaluate.ts';
import { autogradMethod, autogradValue, grad, gradcheck, tensor, torch, type Tensor } from '../../../src/diff/autograd/index.ts';
import { tensorAlgebra } from '../../../src/diff/autograd/functional.ts';

/** One instruction of a random program: op, operand slots (taken modulo the slots made so far). */
interface Instruction { readonly op: OpName; readonly a: number; readonly b: number }
interface Recipe { readonly values: readonly number[]; readonly constants: readonly number[]; readonly program: readonly Instruction[] }

/** A random expression: its IR, variables, point, and the largest |intermediate| met (for the rounding model). */
interface Case { readonly expr: Expr; readonly names: readonly string[]; readonly point: Float64Array; readonly magnitude: number; readonly ops: number }

const EPS = 2 ** -52;
const apiOps: readonly OpName[] = ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'relu', 'abs'];

/** Points where domains of the op table end (0, ±1, the poles of tan): checked whenever they fall near an argument. */
const landmarks = [0, 1, -1, ...[-3, -2, -1, 0, 1, 2].map((k) => Math.PI / 2 + k * Math.PI)];

/**
 * True when the op is smooth in a neighbourhood of its arguments: inside `ops[op].domain` at the point, at offsets
 * of ±1e-3 (relative to max(1, |arg|)), and at every landmark within that distance, so central differences with
 * a much smaller step never straddle a kink, a pole or an edge of the domain.
 */
function smoothAround(op: OpName, a: number, b: number): boolean {
  const { contains } = ops[op].domain;
  const around = (v: number) => {
    const d = 1e-3 * Math.max(1, Math.abs(v));
    return [v, v + d, v - d, ...landmarks.filter((l) => Math.abs(l - v) <= d)];
  };
  for (const x of around(a)) {
    for (const y of ops[op].arity === 1 ? [b] : around(b)) if (!contains(x, y)) return false;
  }
  return true;
}

/** Builds the expression of a recipe, skipping (using the first operand instead of) any op applied outside its smooth domain. */
function build(recipe: Recipe, allowed: readonly OpName[]): Case {
  const names = recipe.values.map((_, i) => `x${i}`);
  const slots: Expr[] = [...names.map((n) => variable(n)), ...recipe.constants.map((c) => constant(c))];
  const values: number[] = [...recipe.values, ...recipe.constants];
  let magnitude = Math.max(...values.map(Math.abs));
  let count = 0;
  for (const { op: chosen, a, b } of recipe.program) {
    const op = allowed.includes(chosen) ? chosen : allowed[opNames.indexOf(chosen) % allowed.length];
    const i = a % slots.length, j = b % slots.length;
    const [va, vb] = [values[i], ops[op].arity === 1 ? NaN : values[j]];
    const v = ops[op].eval(va, vb);
    if (!smoothAround(op, va, vb) || !Number.isFinite(v) || Math.abs(v) > 1e6) continue;
    slots.push(ops[op].arity === 1 ? apply(op, slots[i]) : apply(op, slots[i], slots[j]));
    values.push(v);
    magnitude = Math.max(magnitude, Math.abs(v));
    count++;
  }
  return { expr: slots[slots.length - 1], names, point: Float64Array.from(recipe.values), magnitude, ops: count };
}

const recipe = fc.record({
  // Coordinates on a 1e-3 grid in [-2, 2], away from 0: integers shrink quickly to readable counterexamples.
  values: fc.array(fc.integer({ min: -2000, max: 2000 }).filter((v) => Math.abs(v) >= 50).map((v) => v / 1000), { minLength: 1, maxLength: 3 }),
  constants: fc.array(fc.constantFrom(0.5, 1, 2, 3, -1, 1.5), { minLength: 1, maxLength: 2 }),
  program: fc.array(fc.record({ op: fc.constantFrom(...opNames), a: fc.nat(50), b: fc.nat(50) }), { minLength: 1, maxLength: 8 }),
});

/** Counterexamples print as infix and as a Wengert list. */
const withPrinting = (c: Case): Case =>
  Object.assign(c, { [fc.toStringMethod]: () => `${toInfix(c.expr)} at [${[...c.point].join(', ')}]\n${toWengert(c.expr)}` });

const cases = (allowed: readonly OpName[]) => recipe.map((r) => withPrinting(build(r, allowed)));

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
