// Specification of the complex step: exact to rounding on analytic functions with h = 1e-20, where differences cannot be.
import { describe, expect, it } from 'vitest';
import { parse } from '../../../src/ir/parse.ts';
import fc from 'fast-check';
import { interpret, complexAlgebra } from '../../../src/ir/evaluate.ts';
import { complexStepDerivatives, complexStepMethod, numericGradient } from '../../../src/diff/numeric/index.ts';
import { caseArbitrary } from './support.ts';
import { getMethod } from '../../../src/diff/registry.ts';
import { askMethod } from '../../../src/harness/answers.ts';
import { referenceGradient } from '../../../src/harness/reference.ts';
import { apply, variable, type Expr } from '../../../src/ir/node.ts';
import type { ComplexStepContext, LaneCounts } from '../../../src/diff/numeric/complex-step.ts';

/** Analytic functions of x with their derivative in closed form, at points chosen to stress the complex arithmetic. */
const cases: [string, number, (x: number) => number][] = [
  ['x^2', -3, (x) => 2 * x], // through exact integer powers, not exp(2·log x) (mathjs gets this wrong)
  ['x^3 - 2*x^2 + x - 5', 3, (x) => 3 * x * x - 4 * x + 1],
  ['x^-2', -1.5, (x) => -2 / x ** 3],
  ['atan(x)', 0.7, (x) => 1 / (1 + x * x)],
  ['atan(x)', -40, (x) => 1 / (1 + x * x)],
  ['asin(x)', 0.3, (x) => 1 / Math.sqrt(1 - x * x)],
  ['asin(x)', -0.99, (x) => 1 / Math.sqrt((1 - x) * (1 + x))],
  ['acos(x)', -0.5, (x) => -1 / Math.sqrt(1 - x * x)],
  ['cbrt(x)', -8, (x) => 1 / (3 * Math.cbrt(x) ** 2)],
  ['cbrt(x)', 27, (x) => 1 / (3 * Math.cbrt(x) ** 2)],
  ['sin(x) * exp(x)', 1.3, (x) => Math.exp(x) * (Math.sin(x) + Math.cos(x))],
  ['log(x)', 1e-3, (x) => 1 / x],
  ['sqrt(x)', 2, (x) => 0.5 / Math.sqrt(x)],
  ['tan(x)', 1.2, (x) => 1 / Math.cos(x) ** 2],
  ['tanh(x)', 5, (x) => 1 / Math.cosh(x) ** 2], // 1 − tanh² would lose 4 digits here; the complex step does not
  ['sinh(x) * cosh(x)', -0.8, (x) => Math.cosh(2 * x)],
  ['sigmoid(x)', -3, (x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2],
  ['softplus(x)', 2.5, (x) => 1 / (1 + Math.exp(-x))],
  ['x^x', 1.7, (x) => x ** x * (Math.log(x) + 1)],
  ['log(x, 2)', 5, (x) => 1 / (x * Math.LN2)],
  ['xlogy(x, x)', 2, (x) => Math.log(x) + 1],
];

describe('the complex step with h = 1e-20', () => {
  it.each(cases)('differentiates %s at %d exactly to 1e-15 relative', (text, x, derivative) => {
    const result = numericGradient(parse(text), ['x'], Float64Array.of(x), 'complex-step', { h: 1e-20 });
    const exact = derivative(x);
    expect(Math.abs(result.gradient[0] - exact) / Math.abs(exact)).toBeLessThanOrEqual(1e-15);
    expect(result.evaluations).toBe(1);
  });

  it('gives the same digits at every h from 1e-8 down to 1e-300, where differences collapse', () => {
    const expr = parse('sin(x) * exp(x)');
    const exact = Math.exp(1.3) * (Math.sin(1.3) + Math.cos(1.3));
    for (const h of [1e-8, 1e-20, 1e-100, 1e-300]) {
      const result = numericGradient(expr, ['x'], Float64Array.of(1.3), 'complex-step', { h });
      expect(Math.abs(result.gradient[0] - exact) / exact).toBeLessThanOrEqual(1e-15);
    }
    // The central difference at h = 1e-15 has no correct digit left.
    const central = numericGradient(expr, ['x'], Float64Array.of(1.3), 'central', { h: 1e-15 });
    expect(Math.abs(central.gradient[0] - exact) / exact).toBeGreaterThan(1e-3);
  });

  it('estimates its error as rounding (a few ε|f′|) at the default step, and as truncation at a large one', () => {
    const expr = parse('sin(x) * exp(x)');
    const exact = Math.exp(1.3) * (Math.sin(1.3) + Math.cos(1.3));
    const tiny = numericGradient(expr, ['x'], Float64Array.of(1.3), 'complex-step');
    expect(tiny.errorEstimate![0]).toBeLessThan(1e-14 * exact);
    expect(Math.abs(tiny.gradient[0] - exact)).toBeLessThanOrEqual(tiny.errorEstimate![0]);
    // One more complex evaluation at 4h estimates f‴: where f′ = 0 the truncation is the whole error.
    expect(tiny.extra?.estimateEvaluations).toBe(1);
    const large = numericGradient(expr, ['x'], Float64Array.of(1.3), 'complex-step', { h: 1e-3 });
    const error = Math.abs(large.gradient[0] - exact);
    // Truncation |f‴|h²/6 ≈ 8.5e-7 here, estimated from the step 4h: the leading term, within 0.1% of the error.
    expect(error).toBeGreaterThan(1e-7);
    expect(Math.abs(large.errorEstimate![0] - error)).toBeLessThan(1e-3 * error);
    expect(large.extra?.estimateEvaluations).toBe(1);
  });

  it('bounds its error by the truncation at a stationary point, where rounding of f′ = 0 says nothing', () => {
    // f = 2·log(z)² has f′(1) = 0; Im f(1 + ih)/h = −h²f‴/6 ≈ 1e-40 is all the error (found by the property test).
    const result = numericGradient(parse('2 * xlogy(log(z), z)'), ['z'], Float64Array.of(1), 'complex-step');
    expect(Math.abs(result.gradient[0])).toBeLessThanOrEqual(result.errorEstimate![0]);
    expect(result.errorEstimate![0]).toBeLessThan(1e-30);
  });

  it('is registered behaviour of the `complex-step` method on several variables', () => {
    const result = complexStepMethod.compute({
      expr: parse('x^2 + y^3 + x*y'), variables: ['x', 'y'], point: Float64Array.of(1, 2), options: {},
    });
    [4, 13].forEach((exact, i) => expect(Math.abs(result.gradient[i] - exact) / exact).toBeLessThanOrEqual(1e-15));
    expect(result.evaluations).toBe(2);
  });

  it('says where the complex evaluation is not finite', () => {
    expect(() => numericGradient(parse('exp(exp(x))'), ['x'], Float64Array.of(7), 'complex-step')).toThrow(
      /^f is not finite at the point \(x = 7; f = Infinity\)/,
    );
  });
});

describe('one interpretation for all variables (lanes)', () => {
  it('gives the numbers of one complex interpretation per variable, Im f(x + i·h·eₖ)/h', () => {
    fc.assert(
      fc.property(
        caseArbitrary({ analyticOnly: true }),
        ({ expr, variables, point }) => {
          const index = new Map<string, number>(variables.map((name, k) => [name, k]));
          const h = 1e-20;
          const all = complexStepDerivatives({ expr, index, point, variables }, new Map(variables.map((_, k) => [k, h])));
          variables.forEach((_, k) => {
            const z = interpret(expr, (v) => ({ re: point[index.get(v.name)!], im: index.get(v.name) === k ? h : 0 }), complexAlgebra);
            // Bit for bit, up to the sign of a zero (+ 0 turns −0 into +0).
            expect(all.get(k)! + 0).toBe(z.im / h + 0);
          });
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});

describe('complex step: an honest answer or a refusal, never a confident wrong one', () => {
  const ask = (text: string, variables: string[], point: number[]) =>
    askMethod(getMethod('complex-step'), { expr: parse(text), variables, point: Float64Array.from(point) });

  it.each([
    ['tan(x)', [1e300]], ['sin(x) * cos(x)', [-3.3e250]], ['x^2 + 3*x', [7.5e153]], ['exp(-x^2)', [1e-100]], ['log(x)', [1e-3]],
  ] as const)('%s at %s is within its own error estimate of the reference', (text, point) => {
    const answer = ask(text, ['x'], [...point]);
    const reference = referenceGradient(parse(text), ['x'], Float64Array.from(point)).gradient[0];
    expect(answer.status).toBe('ok');
    const error = Math.abs(answer.result!.gradient[0] - reference);
    expect(error).toBeLessThanOrEqual(Math.max(answer.result!.errorEstimate![0], 4 * Number.EPSILON * Math.abs(reference)));
  });

  it('refuses where the imaginary parts underflow (sqrt(x² + 1e-300) at 1e-160, exp(x) at −700) instead of answering 1 or 0', () => {
    for (const [text, x] of [['sqrt(x^2 + 1e-300)', 1e-160], ['exp(x)', -700], ['x * 1e-300 * 1e-20', 1]] as const) {
      const answer = ask(text, ['x'], [x]);
      expect(answer.status, text).toBe('unavailable');
      expect(answer.reason).toMatch(/underflows/);
    }
  });

  it('refuses along a variable where the real partial is undefined (xʸ at x < 0 along y), keeping nothing silent', () => {
    for (const [x, y] of [[-2, 3], [-0.5, 4]]) {
      const answer = ask('x^y', ['x', 'y'], [x, y]);
      expect(answer.status).toBe('unavailable');
      expect(answer.reason).toMatch(/∂pow\/∂\(argument 2\) is NaN in real arithmetic/);
    }
  });
});

describe('complex step memory is linear in the expression (counts of lanes, not time)', () => {
  /** Σ xᵢ as a left-leaning chain: node k depends on k variables, so one interpretation would hold n²/2 lanes. */
  function sumOf(n: number): { context: ComplexStepContext; steps: Map<number, number> } {
    const variables = Array.from({ length: n }, (_, i) => `x${i}`);
    let expr: Expr = variable(variables[0]);
    for (let i = 1; i < n; i++) expr = apply('add', expr, variable(variables[i]));
    const context = { expr, variables, index: new Map(variables.map((v, i) => [v, i])), point: Float64Array.from(variables, (_, i) => 1 + i / n) };
    return { context, steps: new Map(variables.map((_, i) => [i, 2 ** -67])) };
  }

  it('holds at most 8 lanes per node plus a constant on a sum chain, for 500 to 2,000 variables, with exact answers', () => {
    for (const n of [500, 1000, 2000]) {
      const { context, steps } = sumOf(n);
      const counts: LaneCounts = { peakLanes: 0, interpretations: 0 };
      const derivatives = complexStepDerivatives(context, steps, counts);
      expect(counts.peakLanes).toBeLessThanOrEqual(8 * (2 * n) + 1024);
      expect([...derivatives.values()].every((d) => d === 1)).toBe(true);
      expect(derivatives.size).toBe(n);
    }
  }, 120_000);

  it('still uses a single interpretation where the lanes fit (Rosenbrock-like sparse dependence)', () => {
    const counts: LaneCounts = { peakLanes: 0, interpretations: 0 };
    const expr = parse('100*(y - x^2)^2 + (1 - x)^2 + 100*(z - y^2)^2 + (1 - y)^2');
    const variables = ['x', 'y', 'z'];
    complexStepDerivatives({ expr, variables, index: new Map(variables.map((v, i) => [v, i])), point: Float64Array.of(0.5, 0.7, 1.1) }, new Map([[0, 2 ** -67], [1, 2 ** -67], [2, 2 ** -67]]), counts);
    expect(counts.interpretations).toBe(1);
  });
});
