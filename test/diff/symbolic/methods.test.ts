// Specification of the symbolic methods: the seeds' examples, the known derivative of every op, unsupported ops and lowerings.
import { describe, expect, it } from 'vitest';
import { apply, variable, type Expr } from '../../../src/ir/node.ts';
import { opNames, ops, type OpName } from '../../../src/ir/ops.ts';
import { parse } from '../../../src/ir/parse.ts';
import { MethodUnavailableError, type GradientMethod } from '../../../src/diff/method.ts';
import {
  dagDerivatives,
  symbolicDagMethod,
  symbolicDerivatives,
  symbolicMethod,
  symbolicSimplifiedMethod,
  SymbolicUnavailableError,
} from '../../../src/diff/symbolic/index.ts';

const methods: readonly GradientMethod[] = [symbolicMethod, symbolicSimplifiedMethod, symbolicDagMethod];

function run(method: GradientMethod, expr: Expr, variables: readonly string[], point: readonly number[]) {
  return method.compute({ expr, variables, point: Float64Array.from(point), options: {} });
}

/** |actual − expected| ≤ rel · max(1, |expected|). */
function expectClose(actual: number, expected: number, rel = 1e-15): void {
  if (Number.isNaN(expected)) return void expect(actual).toBeNaN();
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

describe.each(methods.map((m) => [m.name, m] as const))('%s on the seeds’ examples', (_name, method) => {
  it.each([
    ['x^2 + 3*x + 1', ['x'], [2], 11, [7]],
    ['x^2 + y^3 + x*y', ['x', 'y'], [1, 2], 11, [4, 13]],
    ['(w*x + b)^2', ['w', 'x', 'b'], [2, 3, 4], 100, [60, 40, 20]],
    ['x^3 - 2*x^2 + x - 5', ['x'], [3], 7, [16]],
  ] as const)('%s at %j', (text, variables, point, value, gradient) => {
    const result = run(method, parse(text), variables, point);
    expectClose(result.value, value);
    gradient.forEach((g, i) => expectClose(result.gradient[i], g));
  });

  it('gives 0 for a variable the expression does not use', () => {
    const result = run(method, parse('x^2'), ['x', 'unused'], [3, 5]);
    expect([...result.gradient]).toEqual([6, 0]);
  });

  it('reports the derivative expressions, their sizes and times in extra', () => {
    const result = run(method, parse('x^2 + 3*x + 1'), ['x'], [2]);
    const [d] = result.extra!.derivatives as { variable: string; infix: string; treeSize: number; dagSize: number; deriveMs: number }[];
    expect(d.variable).toBe('x');
    expect(parse(d.infix)).toBeDefined();
    expect(d.treeSize).toBeGreaterThanOrEqual(d.dagSize);
    expect(d.deriveMs).toBeGreaterThanOrEqual(0);
  });
});

/**
 * For every op: an expression applying it to variables, a point inside its domain, and the known partials there.
 * Typed over every op name, so a new op without a derivative test is a compile error.
 */
const known: { readonly [K in OpName]: { readonly point: readonly [number, number?]; readonly partials: readonly number[] } } = {
  add: { point: [2, 3], partials: [1, 1] }, // d(u + v) = du + dv
  sub: { point: [2, 3], partials: [1, -1] }, // d(u − v) = du − dv
  mul: { point: [2, 3], partials: [3, 2] }, // d(uv) = v du + u dv
  div: { point: [3, 2], partials: [1 / 2, -3 / 4] }, // d(u/v) = du/v − u dv/v²
  neg: { point: [2], partials: [-1] },
  pow: { point: [2, 3], partials: [12, 8 * Math.log(2)] }, // d(uᵛ) = v uᵛ⁻¹ du + uᵛ log u dv
  exp: { point: [0.5], partials: [Math.exp(0.5)] },
  log: { point: [2], partials: [0.5] },
  logBase: { point: [8, 2], partials: [1 / (8 * Math.log(2)), -3 / (2 * Math.log(2))] }, // log_b u = log u / log b
  sqrt: { point: [4], partials: [0.25] },
  cbrt: { point: [8], partials: [1 / 12] },
  sin: { point: [0.7], partials: [Math.cos(0.7)] },
  cos: { point: [0.7], partials: [-Math.sin(0.7)] },
  tan: { point: [0.7], partials: [1 + Math.tan(0.7) ** 2] },
  asin: { point: [0.5], partials: [1 / Math.sqrt(0.75)] },
  acos: { point: [0.5], partials: [-1 / Math.sqrt(0.75)] },
  atan: { point: [2], partials: [1 / 5] },
  sinh: { point: [0.7], partials: [Math.cosh(0.7)] },
  cosh: { point: [0.7], partials: [Math.sinh(0.7)] },
  tanh: { point: [0.7], partials: [1 - Math.tanh(0.7) ** 2] },
  abs: { point: [-2], partials: [-1] },
  sigmoid: { point: [0.3], partials: [Math.exp(-0.3) / (1 + Math.exp(-0.3)) ** 2] },
  relu: { point: [2], partials: [1] },
  softplus: { point: [0.3], partials: [1 / (1 + Math.exp(-0.3))] },
  sign: { point: [-2], partials: [0] },
  step: { point: [2], partials: [0] },
  xlogy: { point: [2, 3], partials: [Math.log(3), 2 / 3] }, // d(u log v) = log v du + (u/v) dv
  mulNoNan: { point: [2, 3], partials: [3, 2] }, // away from v = 0 the product: d(uv) = v du + u dv
  // d(v·uᵛ⁻¹) = v(v−1)uᵛ⁻² du + (uᵛ⁻¹ + v·uᵛ⁻¹·log u) dv: at (2, 3), 3·2·2 = 12 and 4 + 12·log 2
  powPrime: { point: [2, 3], partials: [12, 4 + 12 * Math.log(2)] },
};

const x = variable('x');
const y = variable('y');
const opCase = (op: OpName) => {
  const { point, partials } = known[op];
  const variables = ops[op].arity === 1 ? ['x'] : ['x', 'y'];
  const expr = ops[op].arity === 1 ? apply(op, x) : apply(op, x, y);
  return { expr, variables, point: point.slice(0, variables.length) as number[], partials };
};

describe('the known derivative of every op', () => {
  it.each(opNames)('symbolic-dag differentiates %s', (op) => {
    const { expr, variables, point, partials } = opCase(op);
    const result = run(symbolicDagMethod, expr, variables, point);
    partials.forEach((p, i) => expectClose(result.gradient[i], p, 1e-15));
  });

  const supported = opNames.filter((op) => ops[op].mathjsDerivative === true);
  const unsupported = opNames.filter((op) => ops[op].mathjsDerivative !== true);

  it.each(supported)('symbolic and symbolic-simplified differentiate %s', (op) => {
    const { expr, variables, point, partials } = opCase(op);
    for (const method of [symbolicMethod, symbolicSimplifiedMethod]) {
      const result = run(method, expr, variables, point);
      // mathjs writes some rules in other forms (d tan = sec², d tanh = sech²): equal up to rounding.
      partials.forEach((p, i) => expectClose(result.gradient[i], p, 4e-16 * 8));
    }
  });

  it.each(unsupported)('symbolic says %s is not supported symbolically, naming it', (op) => {
    const { expr, variables, point } = opCase(op);
    for (const method of [symbolicMethod, symbolicSimplifiedMethod]) {
      expect(() => run(method, expr, variables, point)).toThrow(MethodUnavailableError);
      expect(() => run(method, expr, variables, point)).toThrow(`${method.name}: not supported symbolically: ${op} (`);
    }
  });

  it('relu inside a larger expression is named, with the op table’s reason', () => {
    let error: unknown;
    try {
      run(symbolicMethod, parse('sin(x) * relu(x - 1) + x^2'), ['x'], [2]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SymbolicUnavailableError);
    expect((error as SymbolicUnavailableError).reason).toBe(`not supported symbolically: relu (${ops.relu.mathjsDerivative})`);
    expect((error as SymbolicUnavailableError).cutOff).toBe(false);
  });

  it('symbolic-dag differentiates relu to step and abs to sign', () => {
    const [relu] = dagDerivatives(apply('relu', x), ['x']);
    const [abs] = dagDerivatives(apply('abs', x), ['x']);
    expect(relu.infix).toBe('step(x)');
    expect(abs.infix).toBe('sign(x)');
  });
});

describe('lowered ops go through mathjs as their lowering', () => {
  it.each([
    ['sigmoid(x)', 0.3, Math.exp(-0.3) / (1 + Math.exp(-0.3)) ** 2],
    ['softplus(x)', 0.3, 1 / (1 + Math.exp(-0.3))],
    ['log(x, 3)', 2, 1 / (2 * Math.log(3))],
    ['xlogy(x, x)', 2, Math.log(2) + 1],
  ] as const)('%s', (text, at, expected) => {
    for (const simplify of [false, true]) {
      const [d] = symbolicDerivatives(parse(text), ['x'], { simplify });
      const result = run(simplify ? symbolicSimplifiedMethod : symbolicMethod, parse(text), ['x'], [at]);
      expectClose(result.gradient[0], expected, 1e-15);
      // The derivative is in primitives mathjs knows: the lowered op itself is gone.
      expect(d.infix).not.toMatch(/sigmoid|softplus|xlogy/);
    }
  });
});

describe('symbolicDerivatives', () => {
  it('returns, per variable, the IR derivative, its infix and LaTeX, sizes and times', () => {
    const [dx, dy] = symbolicDerivatives(parse('x^2 * y + sin(y)'), ['x', 'y'], { simplify: true });
    expect(dx.variable).toBe('x');
    // As mathjs writes it: math.derivative('x^2 * y + sin(y)', 'x') is `2 * y * x`.
    expect(dx.infix).toBe('2 * y * x');
    expect(dx.latex).toBe('2 \\cdot y \\cdot x');
    expect(dy.infix).toBe('x^2 + cos(y)');
    expect(parse(dx.infix!)).toBe(dx.derivative);
    expect(dx.treeSize).toBe(5);
    expect(dx.dagSize).toBe(5);
    expect(dx.simplifyMs).toBeGreaterThanOrEqual(0);
    expect(dx.mathjsDerivedTreeSize).toBeGreaterThan(dx.mathjsSimplifiedTreeSize!);
  });

  it('keeps every zero term without simplify, as mathjs writes it', () => {
    const [d] = symbolicDerivatives(parse('x^2 + 3*x + 1'), ['x']);
    expect(d.infix).toBe('2 * (1 * x^(2 - 1)) + 3 * 1 + 0');
    expect(d.simplifyMs).toBeNull();
  });

  it("refuses where mathjs's form is not real: d∛u = 1/(3u^(2/3)) for u < 0", () => {
    const [mathjs] = symbolicDerivatives(apply('cbrt', x), ['x']);
    expect(mathjs.infix).toBe('1 / (3 * x^(2 / 3))');
    // So the mathjs methods refuse there, with the reason, instead of returning NaN; symbolic-dag uses gradlab's rule.
    expect(() => run(symbolicMethod, apply('cbrt', x), ['x'], [-8])).toThrow(/mathjs differentiates cbrt\(u\) as 1\/\(3·u\^\(2\/3\)\), which is not real for u ≤ 0.*\(here u = -8\)/);
    expect(run(symbolicMethod, apply('cbrt', x), ['x'], [8]).gradient[0]).toBeCloseTo(1 / 12, 15);
    expectClose(run(symbolicDagMethod, apply('cbrt', x), ['x'], [-8]).gradient[0], 1 / 12);
  });

  it("refuses where mathjs's rounded 2/3 costs more than 16 roundings: 3.7e-17·|log u| relative, |log u| > 96", () => {
    // At u = 4.6e-263 mathjs's answer is 2.2e-14 off, the error of its exponent times |log u| = 604.
    expect(() => run(symbolicMethod, apply('cbrt', x), ['x'], [4.574689432628819e-263])).toThrow(/2\/3 rounds to 0\.6666666666666666/);
    expect(() => run(symbolicMethod, apply('cbrt', x), ['x'], [1e50])).toThrow(/more than 16 roundings/);
    for (const u of [1e-40, 1e40, 3e-12]) {
      expect(Math.abs(run(symbolicMethod, apply('cbrt', x), ['x'], [u]).gradient[0] / (1 / (3 * Math.cbrt(u) ** 2)) - 1)).toBeLessThan(16 * Number.EPSILON);
    }
  });

  it('reads variables named like mathjs constants and functions as variables', () => {
    const e = apply('add', apply('mul', variable('pi'), variable('e')), apply('mul', variable('sin'), variable('i')));
    const result = run(symbolicSimplifiedMethod, e, ['pi', 'e', 'sin', 'i'], [1, 2, 3, 4]);
    expect([...result.gradient]).toEqual([2, 1, 4, 3]);
  });
});
