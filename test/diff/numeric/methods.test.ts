// Specification of the numeric methods: the seeds' examples, evaluation counts, many variables, options, and clear failures.
import { describe, expect, it } from 'vitest';
import { parse } from '../../../src/ir/parse.ts';
import { apply, variable, type Expr } from '../../../src/ir/node.ts';
import { MethodUnavailableError, type GradientMethod, type GradientResult } from '../../../src/diff/method.ts';
import {
  numericMethods, numericGradient, complexStepMethod, numericCentralMethod, numericDefaultMethod,
  numericRichardsonMethod, estimateSafetyFactor, type SchemeName,
} from '../../../src/diff/numeric/index.ts';

function run(method: GradientMethod, text: string, variables: string[], point: number[], options: Record<string, unknown> = {}): GradientResult {
  return method.compute({ expr: parse(text), variables, point: Float64Array.from(point), options });
}

/** The seeds' worked examples: expression, variables, point, exact value and gradient. */
const seedExamples: [string, string[], number[], number, number[]][] = [
  ['x^2 + 3*x + 1', ['x'], [2], 11, [7]],
  ['x^2 + y^3 + x*y', ['x', 'y'], [1, 2], 11, [4, 13]],
  ['(w*x + b)^2', ['w', 'x', 'b'], [2, 3, 4], 100, [60, 40, 20]],
  ['x^3 - 2*x^2 + x - 5', ['x'], [3], 7, [16]],
];

describe.each(numericMethods.map((m) => [m.name, m] as const))('%s on the seeds\' examples', (_name, method) => {
  it.each(seedExamples)('%s at %j', (text, variables, point, value, expected) => {
    const result = run(method, text, variables, point);
    expect(result.value).toBe(value);
    expect(result.notes).toBeUndefined();
    expected.forEach((exact, i) => {
      const error = Math.abs(result.gradient[i] - exact);
      // Inside the scheme's own error estimate, and the estimate itself is small.
      expect(error).toBeLessThanOrEqual(result.errorEstimate![i]);
      expect(result.errorEstimate![i] / Math.abs(exact)).toBeLessThan(method.name.includes('forward') || method.name.includes('backward') ? 1e-6 : 1e-8);
    });
  });
});

describe('central differences (the default `numeric`)', () => {
  it('estimate their error below 1e-6 relative on the seeds, as the issue asks (1e-9 in fact)', () => {
    for (const [text, variables, point, , expected] of seedExamples) {
      const result = run(numericDefaultMethod, text, variables, point);
      expected.forEach((exact, i) => expect(result.errorEstimate![i] / Math.abs(exact)).toBeLessThan(1e-9));
    }
  });

  it('`numeric` and `numeric-central` are the same scheme', () => {
    const a = run(numericDefaultMethod, '(w*x + b)^2', ['w', 'x', 'b'], [2, 3, 4]);
    const b = run(numericCentralMethod, '(w*x + b)^2', ['w', 'x', 'b'], [2, 3, 4]);
    expect(a.gradient).toEqual(b.gradient);
    expect(a.extra?.scheme).toBe('central');
  });
});

describe('evaluation counts', () => {
  const counts: [SchemeName, (n: number) => number, (n: number) => number][] = [
    ['forward', (n) => n + 1, (n) => 2 * n],
    ['backward', (n) => n + 1, (n) => 2 * n],
    ['central', (n) => 2 * n, (n) => 2 * n],
    ['five-point', (n) => 4 * n, (n) => 4 * n],
    ['richardson', (n) => 16 * n, () => 0],
    ['complex-step', (n) => n, (n) => n],
  ];
  it.each(counts)('%s at a given step spends the textbook number of evaluations (plus its estimate\'s, reported apart)', (scheme, formula, estimateFormula) => {
    const result = numericGradient(parse('(w*x + b)^2'), ['w', 'x', 'b'], Float64Array.of(2, 3, 4), scheme, { h: 2 ** -20 });
    expect(result.evaluations).toBe(formula(3));
    expect(result.extra?.estimateEvaluations).toBe(estimateFormula(3));
  });

  it.each(counts.filter(([scheme]) => scheme !== 'complex-step'))(
    '%s choosing its step: the formula\'s count still, and the choice\'s evaluations reported with the estimate\'s',
    (scheme, formula, estimateFormula) => {
      for (const point of [Float64Array.of(2, 3, 4), Float64Array.of(0.5, -0.25, 1e-3)]) {
        const result = numericGradient(parse('(w*x + b)^2'), ['w', 'x', 'b'], point, scheme);
        expect(result.evaluations).toBe(formula(3));
        const spent = result.extra?.estimateEvaluations as number;
        // Two candidate steps and up to two moves towards the optimum, each a quotient with its estimate.
        const perTry = (formula(3) + estimateFormula(3)) / 3;
        expect(spent).toBeGreaterThan(estimateFormula(3));
        expect(spent).toBeLessThanOrEqual(3 * (4 * perTry) - formula(3));
      }
    },
  );

  it('skip the estimate\'s evaluations with `estimate: false`', () => {
    const result = numericGradient(parse('x * y'), ['x', 'y'], Float64Array.of(2, 3), 'central', { estimate: false });
    expect(result.evaluations).toBe(4);
    expect(result.extra?.estimateEvaluations).toBe(0);
    expect(result.errorEstimate).toBeUndefined();
  });

  it('Richardson spends 2 × steps per variable', () => {
    const result = run(numericRichardsonMethod, 'x^2 + y^3 + x*y', ['x', 'y'], [1, 2], { levels: 3, steps: 5 });
    expect(result.evaluations).toBe(2 * 5 * 2);
    expect(result.gradient[0]).toBeCloseTo(4, 12);
  });
});

describe('many variables (numeric.js gives up above 20)', () => {
  it('differentiates a sum of 100 squares with 200 central evaluations', () => {
    const names = Array.from({ length: 100 }, (_, i) => `x${i}`);
    let expr: Expr = apply('pow', variable(names[0]), 2);
    for (const name of names.slice(1)) expr = apply('add', expr, apply('pow', variable(name), 2));
    const point = Float64Array.from(names, (_, i) => (i - 50) / 10);
    const result = numericCentralMethod.compute({ expr, variables: names, point, options: {} });
    expect(result.evaluations).toBe(200);
    point.forEach((x, i) => {
      expect(Math.abs(result.gradient[i] - 2 * x)).toBeLessThanOrEqual(result.errorEstimate![i]);
      // The round-off bound grows with the 99 additions (a worst case, noise.ts: here ~90× the actual 1.8e-8).
      expect(result.errorEstimate![i] / Math.max(1, Math.abs(2 * x))).toBeLessThan(1e-5);
    });
  });
});

describe('options', () => {
  it('take a given step h', () => {
    const result = numericGradient(parse('x^3'), ['x'], Float64Array.of(1), 'forward', { h: 2 ** -10 });
    expect(result.extra?.steps).toEqual(Float64Array.of(2 ** -10));
    // (1 + h)³ − 1)/h = 3 + 3h + h², exactly representable here.
    expect(result.gradient[0]).toBe(3 + 3 * 2 ** -10 + 2 ** -20);
  });

  it('realise the step exactly: h = (x + h) − x', () => {
    const x = 0.1;
    const result = numericGradient(parse('x^2'), ['x'], Float64Array.of(x), 'forward', { h: 1e-9 });
    const h = (result.extra?.steps as Float64Array)[0];
    expect(x + h - x).toBe(h);
    expect(h).not.toBe(1e-9);
  });

  it.each([
    [{ h: -1 }, /option h must be a positive finite number/],
    [{ h: 'big' }, /option h must be a positive finite number/],
    [{ levels: 1 }, /option levels must be an integer from 2 to 12/],
    [{ steps: 2 }, /option steps must be an integer from levels \(4\) to 40/],
  ])('reject %j with a message naming the option', (options, message) => {
    expect(() => run(numericRichardsonMethod, 'x^2', ['x'], [1], options)).toThrow(message);
  });

  it('reject a step below the spacing of doubles at x', () => {
    expect(() => numericGradient(parse('x^2'), ['x'], Float64Array.of(1), 'central', { h: 1e-17 })).toThrow(
      'the step h = 1e-17 is below the spacing of doubles at x = 1',
    );
  });
});

describe('when f is not finite near the point', () => {
  it('at the point itself: a clear error naming the point', () => {
    expect(() => numericGradient(parse('log(x)'), ['x'], Float64Array.of(0), 'central')).toThrow(
      'f is not finite at the point (x = 0; f = -Infinity): the point is at a singularity or outside the domain',
    );
  });

  it('at a one-sided stencil point with a given step: a clear error naming the variable and the step', () => {
    expect(() => numericGradient(parse('log(2 - x)'), ['y', 'x'], Float64Array.of(5, 2 - 1e-9), 'forward', { h: 2.98e-8 })).toThrow(
      'forward: f is not finite at x = 1.999999999 + 2.98e-8 (f = NaN): the point is at the edge of f\'s domain on this side; ' +
        'numeric-backward, or numeric-richardson with side \'backward\', looks the other way',
    );
  });

  it('a domain edge nearer than the textbook step on the stencil\'s side: the step shrinks until the stencil fits', () => {
    const result = numericGradient(parse('log(2 - x)'), ['y', 'x'], Float64Array.of(5, 2 - 1e-9), 'forward');
    const exact = -1 / (2 - (2 - 1e-9));
    expect((result.extra?.steps as Float64Array)[1]).toBeLessThan(1e-9);
    expect(Math.abs(result.gradient[1] - exact)).toBeLessThanOrEqual(result.errorEstimate![1]);
    expect(result.errorEstimate![1] / Math.abs(exact)).toBeLessThan(1e-5);
  });

  it('a one-sided method whose side leaves the domain at every step refuses, naming the method that looks the other way', () => {
    let thrown: unknown;
    try {
      numericGradient(parse('sqrt(x)^2'), ['x'], Float64Array.of(0), 'backward', {}, 'numeric-backward');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MethodUnavailableError);
    expect((thrown as MethodUnavailableError).reason).toMatch(/^f is not finite at x = 0 - [\d.e-]+ \(f = NaN\): the point is at the edge of f's domain on this side; numeric-forward, or numeric-richardson with side 'forward', looks the other way$/);
  });

  it.each([
    ['central', 'x = 0 - 0.00000606'],
    ['five-point', 'x = 0 - 0.00148'],
  ] as const)('%s falls back to the finite side, and says so', (scheme, where) => {
    // √x² = x on x ≥ 0 and NaN below: smooth up to the edge, where no symmetric stencil fits at any step.
    const result = numericGradient(parse('sqrt(x)^2'), ['x'], Float64Array.of(0), scheme);
    expect(result.extra?.schemes).toEqual(['forward']);
    expect(result.notes).toEqual([`∂f/∂x: f is not finite at ${where} (f = NaN); used the forward difference instead`]);
    expect(Math.abs(result.gradient[0] - 1)).toBeLessThanOrEqual(estimateSafetyFactor * result.errorEstimate![0]);
    expect(result.errorEstimate![0]).toBeLessThan(1e-6);
  });

  it('Richardson first halves its (large) steps to stay in the domain, and says so', () => {
    const result = numericGradient(parse('sqrt(x - 1)'), ['x'], Float64Array.of(1.01), 'richardson');
    expect(result.extra?.schemes).toEqual(['richardson']);
    expect(result.notes?.[0]).toMatch(/^∂f\/∂x: Richardson's largest step reduced to 0\.00\d+ \(f is not finite at x = 1\.01 - [\d.]+ \(f = NaN\)\)$/);
    expect(Math.abs(result.gradient[0] - 0.5 / Math.sqrt(1.01 - 1))).toBeLessThanOrEqual(result.errorEstimate![0]);
    expect(result.errorEstimate![0]).toBeLessThan(1e-8);
  });

  it('Richardson falls back to the one-sided tableau where no central one fits, and says so', () => {
    const result = numericGradient(parse('sqrt(x)^2 + x^3'), ['x'], Float64Array.of(0), 'richardson');
    expect(result.extra?.sides).toEqual(['forward']);
    expect(result.notes?.[0]).toMatch(/^∂f\/∂x: f is not finite at x = 0 - [\d.]+ \(f = NaN\); used the forward Richardson tableau instead$/);
    expect(Math.abs(result.gradient[0] - 1)).toBeLessThanOrEqual(result.errorEstimate![0]);
    expect(result.errorEstimate![0]).toBeLessThan(1e-10);
  });

  it('refuses, naming the point and step, when neither side is finite', () => {
    const attempt = () => numericGradient(parse('sqrt(x) + sqrt(-x)'), ['x'], Float64Array.of(0), 'central');
    expect(attempt).toThrow(MethodUnavailableError);
    expect(attempt).toThrow(/^central: f is not finite at x = 0 [-+] 0\.00000606 \(f = NaN\), and f is not finite on the other side either/);
  });

  it('a pole inside the stencil (finite on both sides) gives an Infinity estimate and a note, not a confident number', () => {
    const result = numericGradient(parse('1 / (x - 2)'), ['x'], Float64Array.of(2 + 1e-6), 'central');
    expect(result.errorEstimate![0]).toBe(Infinity);
    expect(result.notes?.[0]).toMatch(/do not resolve f \(a kink, jump, pole or singularity within reach of the stencil\)/);
  });

  it('a kink inside the stencil too (|x| near 0, every step reaching across it), for every symmetric scheme', () => {
    for (const scheme of ['central', 'five-point', 'richardson'] as const) {
      // Richardson's finest step is h/128: still beyond the kink at 0.
      const result = numericGradient(parse('abs(x)'), ['x'], Float64Array.of(1e-9), scheme, { h: 1e-6 });
      expect(result.errorEstimate![0]).toBe(Infinity);
    }
  });

  it('steps scaled to the point keep clear of a kink at 0 that the textbook step would cross', () => {
    for (const scheme of ['central', 'five-point', 'richardson'] as const) {
      const result = numericGradient(parse('abs(x)'), ['x'], Float64Array.of(1e-7), scheme);
      expect(Math.abs(result.gradient[0] - 1)).toBeLessThanOrEqual(result.errorEstimate![0]);
      expect(result.errorEstimate![0]).toBeLessThan(1e-6);
    }
  });

  it('a smooth stationary point is not mistaken for a kink', () => {
    for (const scheme of ['central', 'five-point', 'richardson', 'forward'] as const) {
      const result = numericGradient(parse('x^2 + cos(x)'), ['x'], Float64Array.of(0), scheme);
      expect(result.notes).toBeUndefined();
      expect(Math.abs(result.gradient[0])).toBeLessThanOrEqual(result.errorEstimate![0]);
    }
  });
});

describe('the complex step', () => {
  it.each([
    ['abs(x) + x', 'abs'],
    ['relu(x * 2)', 'relu'],
    ['sign(x) + x^2', 'sign'],
    ['exp(step(x - 1))', 'step'],
  ])('refuses %s, naming %s and the op table\'s reason', (text, op) => {
    let thrown: unknown;
    try {
      run(complexStepMethod, text, ['x'], [0.5]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MethodUnavailableError);
    expect((thrown as MethodUnavailableError).method).toBe('complex-step');
    expect((thrown as MethodUnavailableError).reason).toMatch(new RegExp(`^cannot differentiate ${op}: .*not analytic`));
  });
});
