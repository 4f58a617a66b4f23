// Specification of the complex step: exact to rounding on analytic functions with h = 1e-20, where differences cannot be.
import { describe, expect, it } from 'vitest';
import { parse } from '../../../src/ir/parse.ts';
import fc from 'fast-check';
import { interpret, complexAlgebra } from '../../../src/ir/evaluate.ts';
import { complexStepDerivatives, complexStepMethod, numericGradient } from '../../../src/diff/numeric/index.ts';
import { caseArbitrary } from './support.ts';

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
