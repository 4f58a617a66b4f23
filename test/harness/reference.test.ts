// The high-precision reference: right on known derivatives, and right where float64 is not.
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/ir/parse.ts';
import { apply, variable } from '../../src/ir/node.ts';
import { evaluateExpr } from '../../src/ir/evaluate.ts';
import { exactDecimal, referenceGradient, referenceTrace, referenceValue } from '../../src/harness/reference.ts';

const at = (...values: number[]) => Float64Array.from(values);

function expectClose(actual: number, expected: number, relative = 1e-15): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

describe('referenceGradient', () => {
  it.each([
    ['x^2 + 3*x + 1', ['x'], [2], 11, [7]],
    ['x^2 + y^3 + x*y', ['x', 'y'], [1, 2], 11, [4, 13]],
    ['(w*x + b)^2', ['w', 'x', 'b'], [2, 3, 4], 100, [60, 40, 20]],
    ['x^3 - 2*x^2 + x - 5', ['x'], [3], 7, [16]],
    ['x^2 + y^3', ['x', 'y'], [2, 3], 31, [4, 27]],
  ])('reproduces the lesson %s exactly', (text, variables, point, value, gradient) => {
    const result = referenceGradient(parse(text), variables, Float64Array.from(point));
    expect(result.value).toBe(value);
    expect(Array.from(result.gradient)).toEqual(gradient);
    expect(result.method).toMatch(/64-digit BigNumber/);
  });

  it('matches closed-form derivatives of transcendental functions to ~1e-15', () => {
    const x = 1.3;
    const cases: [string, number][] = [
      ['sin(x) * exp(x)', (Math.sin(x) + Math.cos(x)) * Math.exp(x)],
      ['log(x) / x', (1 - Math.log(x)) / (x * x)],
      ['atan(x^2)', (2 * x) / (1 + x ** 4)],
      ['sqrt(1 + x^2)', x / Math.sqrt(1 + x * x)],
      ['tanh(x) * cosh(x)', Math.cosh(x)],
      ['sigmoid(x)', Math.exp(-x) / (1 + Math.exp(-x)) ** 2],
      ['softplus(x)', 1 / (1 + Math.exp(-x))],
      ['x^x', x ** x * (Math.log(x) + 1)],
      ['asin(x / 2) + acos(x / 3)', 1 / Math.sqrt(4 - x * x) - 1 / Math.sqrt(9 - x * x)],
      ['cbrt(x) * log(x, 2)', Math.cbrt(x) / (3 * x) * Math.log2(x) + Math.cbrt(x) / (x * Math.LN2)],
    ];
    for (const [text, expected] of cases) expectClose(referenceGradient(parse(text), ['x'], at(x)).gradient[0], expected, 4e-15);
  });

  it('gives variables the expression does not use a zero partial', () => {
    expect(Array.from(referenceGradient(parse('x^2'), ['x', 'unused'], at(3, 5)).gradient)).toEqual([6, 0]);
  });

  it("keeps the op table's conventions at kinks: relu, abs and xlogy", () => {
    const x = variable('x');
    expect(referenceGradient(apply('relu', x), ['x'], at(0)).gradient[0]).toBe(0);
    expect(referenceGradient(apply('abs', x), ['x'], at(0)).gradient[0]).toBe(0);
    expect(referenceGradient(apply('xlogy', x, 0), ['x'], at(0)).value).toBe(0);
  });

  it("applies pow's masks (PyTorch's) and mul_no_nan's zero, whose mathjs lowering u·v would give 0·∞ = NaN", () => {
    expect(Array.from(referenceGradient(parse('x^y'), ['x', 'y'], at(0, 0)).gradient)).toEqual([0, 0]);
    expect(Array.from(referenceGradient(parse('x^y'), ['x', 'y'], at(0, 2)).gradient)).toEqual([0, 0]);
    expect(Array.from(referenceGradient(parse('x^y'), ['x', 'y'], at(0, -1)).gradient)).toEqual([-Infinity, -Infinity]);
    const masked = referenceGradient(parse('mul_no_nan(1/x, y)'), ['x', 'y'], at(0, 0));
    expect(masked.value).toBe(0);
    expect(referenceGradient(parse('mul_no_nan(x, y)'), ['x', 'y'], at(2, 3)).value).toBe(6);
  });

  it('evaluates where float64 overflows: log(1 + exp(x)) at x = 1000 has value 1000 and slope 1', () => {
    const result = referenceGradient(parse('log(1 + exp(x))'), ['x'], at(1000));
    expect(result.value).toBe(1000);
    expect(result.gradient[0]).toBe(1);
  });

  it('beats float64 on a cancellation-heavy case: (1 − cos x)/x² at x = 1e-6', () => {
    const expr = parse('(1 - cos(x)) / x^2');
    const x = 1e-6;
    // Taylor: f = 1/2 − x²/24 + x⁴/720 − …, f′ = −x/12 + x³/180 − …
    const exactValue = 0.5 - (x * x) / 24;
    const exactSlope = -x / 12 + x ** 3 / 180;
    const reference = referenceGradient(expr, ['x'], at(x));
    expectClose(reference.value, exactValue);
    expect(Math.abs(reference.gradient[0] - exactSlope) / Math.abs(exactSlope)).toBeLessThan(1e-14);
    // float64 loses about half its digits in 1 − cos(x) …
    expect(Math.abs(evaluateExpr(expr, { x }) - exactValue)).toBeGreaterThan(1e-6);
    // … and the reference keeps them all: 60 of its 64 digits are right.
    expect(referenceValue(expr, ['x'], at(x)).startsWith('0.49999999999995833333333333')).toBe(true);
  });

  it('records every node of the trace: values, adjoints and local partials', () => {
    const expr = parse('(w*x + b)^2');
    const trace = referenceTrace(expr, ['w', 'x', 'b'], at(2, 3, 4));
    expect(trace.order[trace.order.length - 1]).toBe(expr);
    expect(trace.adjoints.get(expr.id)!.toNumber()).toBe(1);
    const sum = expr.args[0];
    expect(trace.values.get(sum.id)!.toNumber()).toBe(10);
    expect(trace.adjoints.get(sum.id)!.toNumber()).toBe(20);
    expect(trace.partials.get(expr.id)![0]!.toNumber()).toBe(20);
  });

  it('handles a 10,000-step chain without recursion', () => {
    let v = variable('x') as ReturnType<typeof variable> | ReturnType<typeof apply>;
    for (let k = 0; k < 10_000; k++) v = apply('add', apply('mul', v, 1), 0);
    expect(referenceGradient(v, ['x'], at(2)).gradient[0]).toBe(1);
  });
});

describe('the reference for periodic ops at large arguments (exact inputs, digits raised with |x|)', () => {
  it('knows sin(1e22) = −0.8522008497671888017727… (1e22 is an exact double)', () => {
    const trace = referenceTrace(parse('sin(x)'), ['x'], [1e22]);
    expect(trace.value.toSignificantDigits(22).toString()).toBe('-0.8522008497671888017727');
  });

  it('takes 1e100 as the double it is: sin gives −0.38063773100502866607…, not the −0.3724 of the decimal 10^100', () => {
    const trace = referenceTrace(parse('sin(x)'), ['x'], [1e100]);
    expect(trace.value.toSignificantDigits(20).toString()).toBe('-0.38063773100502866607');
    expect(trace.gradient[0].toSignificantDigits(20).toString()).toBe('0.92472423875193378588');
  });

  it('agrees with V8\'s exactly reduced Math.sin, Math.cos and Math.tan (under 1 ulp) from 1e10 to 1.7e308', () => {
    const fns = [['sin', Math.sin], ['cos', Math.cos], ['tan', Math.tan]] as const;
    for (const x of [1.2345e10, -9.87e49, 3.3e77, 1e150, -4.2e200, 6.02e250, 1.7976931348623157e308]) {
      for (const [name, f] of fns) {
        const value = referenceGradient(parse(`${name}(x)`), ['x'], Float64Array.of(x)).value;
        expect(Math.abs(value - f(x)), `${name}(${x})`).toBeLessThanOrEqual(Math.abs(f(x)) * 2.3e-16);
      }
    }
  });

  it('keeps the digits through a cancellation before the periodic op: sin((x + y) − y) at y = 1e300 is sin(x)', () => {
    const value = referenceGradient(parse('sin((x + y) - y)'), ['x', 'y'], Float64Array.of(1e200, 1e300)).value;
    expect(value).toBe(Math.sin(1e200));
  });

  it('writes doubles as their exact decimal expansions', () => {
    expect(exactDecimal(0.1)).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(exactDecimal(1e23)).toBe('99999999999999991611392');
    expect(exactDecimal(-2.5)).toBe('-2.5');
    // 2^−1074 = 5^1074 / 10^1074: exactly 1074 decimals, the last one 5, reading back as the same double.
    const tiny = exactDecimal(2 ** -1074);
    expect(tiny).toMatch(/^0\.0{323}4940656458412465441765687928682213723650598026\d+5$/);
    expect(tiny.length - 2).toBe(1074);
    expect(Number(tiny)).toBe(2 ** -1074);
    for (const x of [Math.PI, 1 / 3, 123456.789e-200, 9.007199254740993e15]) expect(Number(exactDecimal(x))).toBe(x);
  });

  it('evaluates hyperbolic functions of huge arguments quickly (decimal.js\'s own series would run for minutes)', () => {
    const start = performance.now();
    const trace = referenceTrace(parse('tanh(x) + cosh(y)/sinh(y)'), ['x', 'y'], [1e20, 1e15]);
    expect(trace.value.toNumber()).toBe(2);
    expect(performance.now() - start).toBeLessThan(10_000); // a hang guard, not a speed target
  });
});

describe('subnormal intermediates: the reference is the exact derivative, and the rounding bound knows float64 loses it', () => {
  // The open case from `gradlab check`: 0.01·x at x = 2.47e-322 (50 subnormal spacings) is 2.47e-324 exactly,
  // which float64 rounds to 4.94e-324 (twice the value). Every exact float64 method then gives ∂f/∂x √2 too small.
  const expr = parse('tanh(xlogy(sqrt(0.01*x), sqrt(0.01)) + z)');
  const point = at(2.47e-322, 0.3);

  it('the reference is the derivative of the real function at the double inputs, not of the rounded program', () => {
    const reference = referenceGradient(expr, ['x', 'z'], point);
    // √(0.01·x) = 0.1·√x without underflow (√x of a subnormal is a normal double), and its derivative 0.05/√x.
    const w = Math.log(0.1) * 0.1 * Math.sqrt(2.47e-322);
    const sech2 = 1 / Math.cosh(w + 0.3) ** 2;
    expectClose(reference.gradient[0], (sech2 * Math.log(0.1) * 0.05) / Math.sqrt(2.47e-322), 1e-14);
    // The float64 program's answer is √2 smaller: the subnormal product is off by a factor of 2.
    expect(0.01 * 2.47e-322).toBe(Number.MIN_VALUE);
  });

  it('the rounding bound counts gradual underflow: it says every digit may go, so the exact methods are not called wrong (no-bound, counted)', async () => {
    const { judgeCase, isFailure } = await import('../../src/harness/agreement.ts');
    const { listMethods } = await import('../../src/diff/registry.ts');
    const exact = listMethods().filter((m) => ['autograd', 'autograd-compiled', 'forward-mode', 'symbolic', 'symbolic-dag'].includes(m.name));
    const report = judgeCase({ expr, variables: ['x', 'z'], point }, exact);
    for (const answer of report.answers) {
      // The bound (3.4e159) is as large as the partial (6.7e159): no tolerance that could fail, so not a pass either.
      expect(answer.verdict, `${answer.method}: ${answer.explanation}`).toBe('no-bound');
      expect(isFailure(answer.verdict)).toBe(false);
      expect(answer.explanation).toMatch(/loses every digit here/);
      // A real loss, measured: about 29% of the partial.
      expect(answer.error!).toBeGreaterThan(0.2);
    }
    expect(report.bound.condition[0]).toBeGreaterThan(1e15);
  });

  it.each([
    ['sqrt(1e-300 * x)', ['x'], [3e-20]],
    ['sqrt(x * 1e-10) + x', ['x'], [3e-313]],
    ['x * y * 1e-300', ['x', 'y'], [1e-15, 3e-9]],
  ])('%s at %j: a subnormal intermediate widens the bound by what it can lose, and autograd stays within it', async (text, variables, values) => {
    const { roundingBound } = await import('../../src/harness/tolerance.ts');
    const { gradient: autograd } = await import('../../src/index.ts');
    const e = parse(text);
    const p = Float64Array.from(values);
    const trace = referenceTrace(e, variables, p);
    const bound = roundingBound(trace, variables);
    const answer = autograd(e, Object.fromEntries(variables.map((v, i) => [v, values[i]])), { method: 'autograd' });
    variables.forEach((v, i) => {
      const exact = trace.gradient[i].toNumber();
      expect(Math.abs(answer.gradient[v] - exact), v).toBeLessThanOrEqual(16 * bound.gradient[i]);
    });
  });

  it('at ordinary points the underflow term changes nothing measurable', async () => {
    const { roundingBound } = await import('../../src/harness/tolerance.ts');
    const e = parse('sin(x) * x + exp(y)');
    const bound = roundingBound(referenceTrace(e, ['x', 'y'], at(1.3, -2)), ['x', 'y']);
    for (const c of bound.condition) expect(c).toBeLessThan(100);
  });
});

describe('partials that cancel beyond the working precision', () => {
  it.each([
    ['2*z/z + z/z', ['z'], [-5e-324]],
    ['sin(x)^2 + cos(x)^2', ['x'], [0.7]],
    ['x/y - x/y', ['x', 'y'], [3, 5e-324]],
  ])('%s at %j: the gradient is 0, not the rounding left by 64 digits', (text, variables, values) => {
    const trace = referenceTrace(parse(text), variables, Float64Array.from(values));
    for (const g of trace.gradient) expect(Math.abs(g.toNumber())).toBe(0);
    expect(trace.precision).toBeGreaterThan(64);
  });

  it('keeps 64 digits where nothing cancels', () => {
    expect(referenceTrace(parse('x*y + sin(x)'), ['x', 'y'], at(0.3, 2)).precision).toBe(64);
  });
});
